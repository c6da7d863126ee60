import { isScalar, parseAllDocuments, parseDocument, visit as visitYaml, type Document } from 'yaml';
import { escapeRawInQuotes, printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { at, insertLines, readFast, sameData, type Insertion } from './fast-path.js';
import { INJECT_ANNOTATION, STATIC_KEY_VARIABLES, planInjection, POD_SPEC_PATHS, type InjectionSettings, type PatchOperation } from './core.js';

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

const emptyReport = (): InjectReport => ({ injected: [], unchanged: [], optedOut: [], passedThrough: 0, notes: [] });
type Apply = (path: (string | number)[], op: PatchOperation) => void;
/** Called with each object's name before its pod spec is planned. */
type BeforePlan = (name: string) => void;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);


function describe(object: Json): string {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
  return printable(`${String(object['kind'])} ${namespace}${String(metadata['name'] ?? '(unnamed)')}`);
}

function annotationsOf(value: unknown): Json {
  const annotations = at(value, ['metadata', 'annotations']);
  return isObject(annotations) ? annotations : {};
}

/** Walks one object (a List's items too), planning and applying the patch through `apply`. */
function visit(object: unknown, base: (string | number)[], settings: InjectionSettings, options: InjectOptions, report: InjectReport, apply: Apply, beforePlan?: BeforePlan): void {
  if (!isObject(object)) return;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  if (kind === 'List' || kind.endsWith('List')) {
    const items = object['items'];
    if (Array.isArray(items)) items.forEach((item, index) => visit(item, [...base, 'items', index], settings, options, report, apply, beforePlan));
    return;
  }
  const specPath = POD_SPEC_PATHS[kind];
  const spec = specPath ? at(object, specPath) : undefined;
  if (!specPath || !isObject(spec)) {
    report.passedThrough += 1;
    return;
  }
  const name = describe(object);
  beforePlan?.(name);
  const template = specPath.slice(0, -1);
  const annotations = { ...annotationsOf(object), ...annotationsOf(at(object, template)) };
  if (String(annotations[INJECT_ANNOTATION]) === 'false') {
    report.optedOut.push(name);
    return;
  }
  const injection = planInjection(spec, annotations, settings);
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

function applyToJson(root: unknown): Apply {
  return (prefix, op) => {
    const path = [...prefix, ...op.path];
    const last = path[path.length - 1];
    const parent = at(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    if (last === '-') (parent as unknown[]).push(op.value);
    else (parent as Record<string | number, unknown>)[last as string | number] = op.value;
  };
}

function applyToYaml(doc: Document): Apply {
  return (prefix, op) => {
    const path = [...prefix, ...op.path];
    if (path[path.length - 1] === '-') doc.addIn(path.slice(0, -1), doc.createNode(op.value));
    else doc.setIn(path, doc.createNode(op.value));
  };
}

/** JSON manifests start with an object or a list; everything else is read as YAML. */
function isJsonText(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

export function injectManifests(text: string, source: string, settings: InjectionSettings, options: InjectOptions = { allowStaticKeys: false }): { text: string; report: InjectReport } {
  if (!isJsonText(text)) return injectYaml(text, source, settings, options);
  const report = emptyReport();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${printable(source)} is not valid JSON: ${printable((error as Error).message)}`, 'pass Kubernetes manifests as YAML or JSON');
  }
  const objects = Array.isArray(value) ? value : [value];
  objects.forEach((object, index) => visit(object, Array.isArray(value) ? [index] : [], settings, options, report, applyToJson(value)));
  return { text: `${escapeRawInQuotes(JSON.stringify(value, null, 2))}\n`, report };
}

/**
 * YAML: only documents that can hold a pod template are parsed (YAML parsing is the cost
 * here); the rest are copied byte for byte. A line starting with "---" always starts a
 * document (YAML ends any scalar there), so splitting on such lines is exact.
 */
function injectYaml(text: string, source: string, settings: InjectionSettings, options: InjectOptions): { text: string; report: InjectReport } {
  const report = emptyReport();
  const out: string[] = [];
  let line = 1;
  for (const chunk of splitDocuments(text)) {
    if (!/containers|kind:\s*\S*List\b/.test(chunk)) {
      // An object has a line that starts with a key (a "---" line starts with "-").
      if (/^[^#\s-]/m.test(chunk)) report.passedThrough += 1;
      out.push(chunk);
    } else {
      out.push(injectChunk(chunk, source, line, settings, options, report));
    }
    line += lineBreaks(chunk);
  }
  return { text: out.join(''), report };
}

function lineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** The parser's first line without its "at line N, column M:", which counts from the document, not the input. */
function withoutPosition(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
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

const READ_DIFFERENTLY = /[\u007f-\u009f\u2028\u2029\ufeff]/;
const READ_DIFFERENTLY_ALL = new RegExp(READ_DIFFERENTLY.source, 'g');

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


/**
 * A re-emitted document that Go's YAML (kubectl, the apiserver) reads as we do: the yaml
 * library writes U+0085, U+2028 and U+2029 raw, which YAML 1.1 takes as line breaks. Scalars
 * holding them are double-quoted and the characters escaped; comments lose them.
 */
function emitSafely(doc: Document): string {
  // The document and every node hold comments the same way; one cleaner for all of them.
  const cleanComments = (holder: { comment?: string | null; commentBefore?: string | null }): void => {
    if (holder.comment) holder.comment = holder.comment.replace(READ_DIFFERENTLY_ALL, ' ');
    if (holder.commentBefore) holder.commentBefore = holder.commentBefore.replace(READ_DIFFERENTLY_ALL, ' ');
  };
  cleanComments(doc);
  visitYaml(doc, (_key, node) => {
    cleanComments(node as { comment?: string | null; commentBefore?: string | null });
    if (isScalar(node) && typeof node.value === 'string' && READ_DIFFERENTLY.test(node.value)) node.type = 'QUOTE_DOUBLE';
  });
  return escapeRawInQuotes(doc.toString({ lineWidth: 0 }));
}

/**
 * Where the first merge key in the document starts: Go's YAML (kubectl) merges mappings at a
 * plain "<<" key (or one tagged !!merge); we do not. A quoted "<<" is refused too: no object
 * has such a field.
 */
function mergeKeyOffset(doc: Document): number | undefined {
  let found: number | undefined;
  visitYaml(doc, {
    Pair(_key, { key }) {
      if (!isScalar(key) || (key.value !== '<<' && key.tag !== 'tag:yaml.org,2002:merge')) return undefined;
      found = key.range?.[0] ?? 0;
      return visitYaml.BREAK;
    },
  });
  return found;
}

/** A copy without shared parts (an alias reads as the node it names): compared by value, a change through an alias shows. */
const unshared = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null') as unknown;

function injectChunk(text: string, source: string, firstLine: number, settings: InjectionSettings, options: InjectOptions, report: InjectReport): string {
  const fast = injectChunkFast(text, settings, options);
  if (fast) {
    for (const key of ['injected', 'unchanged', 'optedOut', 'notes'] as const) report[key].push(...fast.report[key]);
    report.passedThrough += fast.report.passedThrough;
    return fast.text;
  }
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs)) return text;
  const lineAt = (offset: number): number => firstLine + lineBreaks(text.slice(0, offset));
  const out: string[] = [];
  let offset = 0;
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error) throw new UsageError(`${printable(source)}:${firstLine - 1 + (error.linePos?.[0]?.line ?? 1)} is not valid YAML: ${printable(withoutPosition(error.message))}`, 'pass Kubernetes manifests as YAML or JSON');
    const original = text.slice(offset, doc.range[2]);
    offset = doc.range[2];
    const edits: { path: (string | number)[]; op: PatchOperation }[] = [];
    const injectedBefore = report.injected.length;
    const data: unknown = doc.contents === null ? null : doc.toJS({ maxAliasCount: 100 });
    // Planned objects only: a merge key elsewhere (a ConfigMap) passes through with its object.
    visit(data, [], settings, options, report, (path, op) => edits.push({ path, op }), (name) => {
      const merge = mergeKeyOffset(doc);
      if (merge !== undefined) throw new UsageError(`${printable(source)}:${lineAt(merge)}: ${name} uses a YAML merge key (<<), which kubectl expands by rules of its own (a later merge overrides keys before it)`, "write the merged keys out in the object (yq 'explode(.)' does it), then inject");
    });
    // An untouched document is copied as it was, byte for byte; a changed one is re-emitted.
    if (edits.length === 0) {
      out.push(original);
      continue;
    }
    const emitted = emitChanged(doc, data, edits, report.injected.slice(injectedBefore));
    // Only the first document of a piece can start with "---" (pieces are cut at those lines).
    out.push(index === 0 ? emitted : `---\n${emitted}`);
  }
  out.push(text.slice(offset));
  return out.join('');
}

/**
 * The document with the edits made, proven to read back as the plan: the data with the edits
 * made to a copy of it. An alias sharing a node we change (another container would read our
 * variables), a repeated key (Go reads the last one; the edit would go into the first) or an
 * alias on the way (the yaml library cannot edit through one) is refused, not written.
 */
function emitChanged(doc: Document, data: unknown, edits: readonly { path: (string | number)[]; op: PatchOperation }[], names: readonly string[]): string {
  const refused = new UsageError(`${names.join(', ')}: inject cannot change this as written: a YAML alias (*) shares a node it changes, or a key it changes is repeated`, "write the object out without aliases (yq 'explode(.)' does it) and without repeated keys, or annotate it minio-irsa.io/inject: \"false\"");
  let emitted: string;
  let matches: boolean;
  try {
    // An alias of a node inside itself makes the data circular: no copy, refused as well.
    const expected = unshared(data);
    const applyExpected = applyToJson(expected);
    const apply = applyToYaml(doc);
    for (const { path, op } of edits) {
      applyExpected(path, op);
      apply(path, op);
    }
    emitted = emitSafely(doc);
    const reread = parseDocument(emitted, { uniqueKeys: false });
    matches = reread.errors.length === 0 && sameData(unshared(reread.toJS({ maxAliasCount: 100 })), expected);
  } catch {
    throw refused;
  }
  if (!matches) throw refused;
  return emitted;
}
