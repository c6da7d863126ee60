import { escapeRawInQuotes, printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { at, insertLines, readFast, type Insertion } from './fast-path.js';
import { jsonDocument, jsonObjects } from './json-stream.js';
import { INJECT_ANNOTATION, STATIC_KEY_VARIABLES, planInjection, podSpecPath, scalarText, type InjectionSettings, type PatchOperation } from './core.js';

// inject over manifests: YAML (multi-document, List objects; comments and key order kept) or
// JSON. Objects without a pod template pass through untouched.

export interface InjectOptions {
  allowStaticKeys: boolean;
}

export interface InjectReport {
  injected: string[];
  unchanged: string[];
  optedOut: string[];
  passedThrough: number;
  notes: string[];
}

type Json = Record<string, unknown>;

export const emptyReport = (): InjectReport => ({ injected: [], unchanged: [], optedOut: [], passedThrough: 0, notes: [] });
export type Apply = (path: (string | number)[], op: PatchOperation) => void;
/** Called with each object's name before its pod spec is planned. */
type BeforePlan = (name: string) => void;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);


function describe(object: Json): string {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
  return printable(`${scalarText(object['kind'], '(no kind)')} ${namespace}${scalarText(metadata['name'], '(unnamed)')}`);
}

function annotationsOf(value: unknown): Json {
  const annotations = at(value, ['metadata', 'annotations']);
  return isObject(annotations) ? annotations : {};
}

/** Walks one object (a List's items too), planning and applying the patch through `apply`. */
export function visit(object: unknown, base: (string | number)[], settings: InjectionSettings, options: InjectOptions, report: InjectReport, apply: Apply, beforePlan?: BeforePlan): void {
  if (!isObject(object)) return;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  if (kind === 'List' || kind.endsWith('List')) {
    const items = object['items'];
    if (Array.isArray(items)) items.forEach((item, index) => visit(item, [...base, 'items', index], settings, options, report, apply, beforePlan));
    return;
  }
  const specPath = podSpecPath(kind);
  const spec = specPath ? at(object, specPath) : undefined;
  // A pod spec with no containers (kubectl refuses it) is passed through, as a YAML document without the word is.
  const containers = isObject(spec) ? spec['containers'] : undefined;
  if (!specPath || !isObject(spec) || containers === undefined || containers === null || (Array.isArray(containers) && containers.length === 0)) {
    report.passedThrough += 1;
    return;
  }
  const name = describe(object);
  beforePlan?.(name);
  const template = specPath.slice(0, -1);
  const annotations = { ...annotationsOf(object), ...annotationsOf(at(object, template)) };
  if (scalarText(annotations[INJECT_ANNOTATION], '') === 'false') {
    report.optedOut.push(name);
    return;
  }
  const injection = planInjection(spec, annotations, settings);
  if (injection.malformed.length > 0) {
    throw new UsageError(`${name}: its pod spec's ${printable(injection.malformed.join(', '))} (kubectl refuses it too)`, 'fix the manifest, or annotate the object minio-irsa.io/inject: "false" to pass it through as it is');
  }
  if (injection.staticKeys.length > 0 && !options.allowStaticKeys) {
    throw new UsageError(`${name}: container ${injection.staticKeys.join(', ')} carries static keys (${STATIC_KEY_VARIABLES.join(', ')}), which would win over the token`, 'remove them (the token replaces them), annotate the object minio-irsa.io/inject: "false", or pass --allow-static-keys');
  }
  report.notes.push(...injection.notes.map((note) => `${name}: ${note}`));
  if (injection.patch.length === 0) {
    report.unchanged.push(name);
    return;
  }
  for (const op of injection.patch) apply([...base, ...specPath], op);
  report.injected.push(name);
}

export function applyToJson(root: unknown): Apply {
  return (prefix, op) => {
    const path = [...prefix, ...op.path];
    const last = path[path.length - 1];
    const parent = at(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    if (last === '-') (parent as unknown[]).push(op.value);
    else (parent as Record<string | number, unknown>)[last as string | number] = op.value;
  };
}

/**
 * The first integer in the data beyond what a double holds exactly (read from text, it may
 * already differ from what was written), or a number that is not finite. `seen` is for data
 * with shared nodes (YAML aliases), each visited once; parsed JSON is a tree and needs none
 * (the set cost ~10x the walk).
 */
function inexactNumber(value: unknown, seen: WeakSet<object> | undefined): number | undefined {
  // Infinity and NaN too: JSON has neither (JSON.stringify writes null), and 1e400 is text to Go's YAML.
  if (typeof value === 'number') return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)) ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen) {
    // Aliases may make the data circular.
    if (seen.has(value)) return undefined;
    seen.add(value);
  }
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const found = inexactNumber(item, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key in value) {
    const found = inexactNumber((value as Json)[key], seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Refuses data that inject would write back with a number changed (Go reads int64 fields exactly). */
export function refuseInexactNumbers(data: unknown, where: string, otherwise: string, shape: 'tree' | 'shared'): void {
  const found = inexactNumber(data, shape === 'shared' ? new WeakSet() : undefined);
  if (found === undefined) return;
  const what = Number.isFinite(found) ? `a number near ${found} is beyond what inject writes back exactly (integers up to 2^53)` : `a number that reads as ${found} (beyond a double, or .inf/.nan) cannot be written back as it was`;
  throw new UsageError(`${where}: ${what}: it would change`, `keep numbers within ±9007199254740991, or ${otherwise}`);
}

/**
 * JSON manifests start with an object (kubectl's test: after white space as Go's unicode.IsSpace
 * has it, which a byte order mark is not) or a list; everything else is read as YAML.
 */
const JSON_START = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[{[]/;
const isJsonText = (text: string): boolean => JSON_START.test(text);

/** The manifests with every pod template injected; async only to load the general path when a document needs it. */
export async function injectManifests(text: string, source: string, settings: InjectionSettings, options: InjectOptions = { allowStaticKeys: false }): Promise<{ text: string; report: InjectReport }> {
  try {
    return await (isJsonText(text) ? injectJson(text, source, settings, options) : injectYaml(text, source, settings, options));
  } catch (error) {
    if (error instanceof RangeError && exhaustedStack(error.message)) throw tooDeep(source);
    throw error;
  }
}

// The parsers and the walks over the data recurse: values nested thousands deep (Go reads up to 10000) exhaust the stack.
export const exhaustedStack = (message: string): boolean => /maximum call stack/i.test(message);
export const tooDeep = (source: string): UsageError => new UsageError(`${printable(source)} nests values deeper than inject can follow (a few thousand levels)`, 'nest values less deeply');

async function injectJson(text: string, source: string, settings: InjectionSettings, options: InjectOptions): Promise<{ text: string; report: InjectReport }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return injectJsonStream(text, source, settings, options, error as Error);
  }
  return injectJsonValue(value, source, settings, options);
}

function injectJsonValue(value: unknown, source: string, settings: InjectionSettings, options: InjectOptions): { text: string; report: InjectReport } {
  const report = emptyReport();
  // Every object is written back: a number a double cannot hold would come out changed.
  refuseInexactNumbers(value, printable(source), 'pass the manifests as YAML (block style is edited in place, its numbers kept as written)', 'tree');
  const objects = Array.isArray(value) ? value : [value];
  objects.forEach((object, index) => visit(object, Array.isArray(value) ? [index] : [], settings, options, report, applyToJson(value)));
  return { text: `${escapeRawInQuotes(JSON.stringify(value, null, 2))}\n`, report };
}

/**
 * Text that starts with "{" but is not one JSON value: JSON objects one after another, or one
 * object and then YAML, as kubectl reads them; anything else is not valid JSON.
 */
async function injectJsonStream(text: string, source: string, settings: InjectionSettings, options: InjectOptions, notJson: Error): Promise<{ text: string; report: InjectReport }> {
  const { objects, rest } = jsonObjects(text);
  const notValid = new UsageError(`${printable(source)} is not valid JSON: ${printable(notJson.message)}`, 'pass Kubernetes manifests as YAML or JSON');
  if (objects.length === 0) throw notValid;
  // kubectl goes on as YAML only after a single object; after two or more it refuses the rest.
  if (rest < text.length && objects.length > 1) {
    throw new UsageError(`${printable(source)}:${1 + lineBreaks(text.slice(0, rest))}: after ${objects.length} JSON objects, text that is not one (kubectl reads a stream of JSON objects, or one object and then YAML)`, 'put the YAML documents in a file of their own, or write them as JSON objects');
  }
  const report = emptyReport();
  const out: string[] = [];
  for (const object of objects) {
    const injected = injectJsonValue(object, source, settings, options);
    mergeReport(report, injected.report);
    out.push(injected.text);
  }
  if (rest < text.length) {
    const yaml = await injectYaml(text.slice(rest), source, settings, options, 1 + lineBreaks(text.slice(0, rest)));
    mergeReport(report, yaml.report);
    out.push(yaml.text);
  }
  return { text: out.join(''), report };
}

/**
 * YAML: only documents that can hold a pod template are parsed (YAML parsing is the cost
 * here); the rest are copied byte for byte. A line starting with "---" always starts a
 * document (YAML ends any scalar there), so splitting on such lines is exact.
 */
async function injectYaml(text: string, source: string, settings: InjectionSettings, options: InjectOptions, firstLine = 1): Promise<{ text: string; report: InjectReport }> {
  const report = emptyReport();
  const out: string[] = [];
  let line = firstLine;
  let general: typeof import('./general-path.js') | undefined;
  for (const chunk of splitDocuments(await withLineFeeds(text, source))) {
    if (!/containers|kind:\s*\S*List\b/.test(chunk)) {
      // An object has a line that starts with a key: not "---", "...", a comment or a directive (%).
      if (/^(?!\.\.\.(?:[ \t\r]|$))[^#%\s-]/m.test(chunk)) report.passedThrough += 1;
      out.push(chunk);
    } else {
      const fast = injectChunkJson(chunk, source, settings, options) ?? injectChunkFast(chunk, settings, options);
      if (fast) {
        mergeReport(report, fast.report);
        out.push(fast.text);
      } else {
        general ??= await import('./general-path.js');
        out.push(general.injectChunk(chunk, source, line, settings, options, report));
      }
    }
    line += lineBreaks(chunk);
  }
  return { text: out.join(''), report };
}

/**
 * The text with line feeds where it has carriage returns alone, and at its end (another file's
 * documents may follow), which Go's YAML reads the same; refused where it does not.
 */
async function withLineFeeds(text: string, source: string): Promise<string> {
  // Old Mac line ends are line breaks to Go's YAML and js-yaml, but not to the yaml library or our line model.
  const lines = text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
  if (lines === '' || lines.endsWith('\n')) return lines;
  const { endsInBlockScalar } = await import('./general-path.js');
  if (endsInBlockScalar(splitDocuments(lines).at(-1) ?? lines)) {
    throw new UsageError(`${printable(source)} ends in a block scalar (| or >) with no line break after its last line: Kubernetes reads that scalar without a final line break, which inject's output cannot keep`, 'end the file with a line break, or write that scalar with |- or >- (no final line break)');
  }
  return `${lines}\n`;
}

/** Adds one report to another (item by item: a report can be longer than a call's arguments may be). */
export function mergeReport(into: InjectReport, from: InjectReport): void {
  for (const key of ['injected', 'unchanged', 'optedOut', 'notes'] as const) for (const item of from[key]) into[key].push(item);
  into.passedThrough += from.passedThrough;
}

export function lineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** The text cut at every line that starts with "---"; joined back, the pieces are the text. */
export function splitDocuments(text: string): string[] {
  const pieces: string[] = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    pieces.push(text.slice(start, match.index));
    start = match.index;
  }
  pieces.push(text.slice(start));
  return pieces.filter((piece) => piece !== '');
}

export const READ_DIFFERENTLY = /[\u007f-\u009f\u2028\u2029\ufeff]/;

/** A document that is a JSON object (json-stream.ts), injected the JSON way; unchanged, byte for byte. Undefined for the general path. */
function injectChunkJson(text: string, source: string, settings: InjectionSettings, options: InjectOptions): { text: string; report: InjectReport } | undefined {
  const json = jsonDocument(text);
  if (!json) return undefined;
  const injected = injectJsonValue(json.value, source, settings, options);
  if (injected.report.injected.length === 0) return { text, report: injected.report };
  // The object's own lines replaced; a comment after it on its last line, and the lines after, kept.
  return { text: `${json.before}${injected.text.slice(0, -1)}${json.after}`, report: injected.report };
}

/** The fast path (fast-path.ts), or undefined for the general one. */
function injectChunkFast(text: string, settings: InjectionSettings, options: InjectOptions): { text: string; report: InjectReport } | undefined {
  // Text that YAML 1.1 and 1.2 read differently is re-emitted, escaped, by the general path.
  if (READ_DIFFERENTLY.test(text)) return undefined;
  const planned = readFast(text);
  if (planned === undefined) return undefined;
  const report = emptyReport();
  const insertions: Insertion[] = [];
  visit(planned, [], settings, options, report, (path, op) => insertions.push({ scope: path, path: [...path, ...op.path], value: op.value }));
  const result = insertLines(text, planned, insertions);
  return result === undefined ? undefined : { text: result, report };
}
