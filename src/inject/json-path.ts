import { escapeRawInQuotes, printable } from '../encode.js';
import { UsageError } from '../errors.js';
import type { InjectionSettings } from './core.js';
import { applyToJson, emptyReport, lineBreaks, mergeReport, visit, type InjectOptions, type InjectReport } from './plan.js';

// inject's JSON way: the data parsed, changed and written back as JSON. For a file that
// starts with "{", which kubectl reads as a stream of JSON objects one after another
// (`kubectl get deploy a -o json; kubectl get deploy b -o json`), or one object and then YAML
// (apimachinery's YAMLOrJSONDecoder); and for a YAML document that is one JSON object. Every
// number is written anew: one JSON cannot hold exactly is refused.

/** Where the JSON value starting at `start` ("{" or "[") ends, or undefined if it does not: brackets counted outside strings. */
function endOfValue(text: string, start: number): number | undefined {
  let depth = 0;
  for (let at = start; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x22) {
      // A string: to its closing quote, over escapes.
      for (at++; at < text.length && text.charCodeAt(at) !== 0x22; at++) if (text.charCodeAt(at) === 0x5c) at++;
    } else if (code === 0x7b || code === 0x5b) depth++;
    else if ((code === 0x7d || code === 0x5d) && --depth === 0) return at + 1;
  }
  return undefined;
}

/** JSON's white space (what may separate the objects of a stream). */
const skipSpace = (text: string, from: number): number => {
  let at = from;
  while (at < text.length && ' \t\r\n'.includes(text[at] as string)) at++;
  return at;
};

export interface JsonStream {
  /** The objects, parsed, in order. */
  objects: unknown[];
  /** Where text that is not a JSON object starts (the text's length if none). */
  rest: number;
}

/** The JSON objects the text starts with, one after another, as long as each parses. */
export function jsonObjects(text: string): JsonStream {
  const objects: unknown[] = [];
  let at = skipSpace(text, 0);
  let rest = 0;
  while (text[at] === '{') {
    const end = endOfValue(text, at);
    if (end === undefined) break;
    try {
      objects.push(JSON.parse(text.slice(at, end)) as unknown);
    } catch {
      break;
    }
    rest = end;
    at = skipSpace(text, end);
  }
  // Past the last object: kubectl goes on as YAML after the white space up to its line's end.
  if (objects.length > 0) {
    const lineEnd = /^[ \t\r]*\n?/.exec(text.slice(rest))?.[0].length ?? 0;
    rest = skipSpace(text, rest) === text.length ? text.length : rest + lineEnd;
  }
  return { objects, rest };
}

/** Lines around a document's content: blank, comments, the "---" marker before it (with a comment; a byte order mark first), "..." after it. */
const LINES_BEFORE = /^\ufeff?(?:(?:---(?:[ \t]+#.*)?|[ \t]*(?:#.*)?)\r?\n)*/;
const LINES_AFTER = /^[ \t]*(?:#.*)?\r?\n(?:(?:\.\.\.(?:[ \t]+#.*)?|[ \t]*(?:#.*)?)\r?\n)*$/;
// What Go's YAML reads otherwise than JSON.parse in a JSON text: "\/" and escaped surrogates
// (it refuses them), U+2028/U+2029 next to white space (it drops the white space), characters
// it refuses or folds. Such text is left to the general path, which says so.
const READ_OTHERWISE_IN_JSON = /\\\/|\\u[dD][89a-fA-F]|[\s][\u2028\u2029]|[\u2028\u2029][\s]|[\u007f-\u009f\ufeff\ufffe\uffff]/;

/**
 * A YAML document (one piece of splitDocuments, ending in a line break) that is a JSON object
 * at the start of a line: what comes before it, the object, and what comes after it; or
 * undefined. JSON is YAML, and Go's YAML reads such an object as JSON.parse does (but for the
 * characters above), so it can take the JSON way: a flow-style List of thousands of objects
 * there takes a second, where the yaml library takes a minute and gigabytes.
 */
export function jsonDocument(text: string): { before: string; value: unknown; after: string } | undefined {
  const start = LINES_BEFORE.exec(text)?.[0].length ?? 0;
  if (text[start] !== '{') return undefined;
  const end = endOfValue(text, start);
  if (end === undefined || !LINES_AFTER.test(text.slice(end))) return undefined;
  const json = text.slice(start, end);
  if (READ_OTHERWISE_IN_JSON.test(json)) return undefined;
  try {
    return { before: text.slice(0, start), value: JSON.parse(json) as unknown, after: text.slice(end) };
  } catch {
    return undefined;
  }
}

/** The YAML after a JSON object (its text, and its first line in the input). */
type YamlInjector = (text: string, firstLine: number) => Promise<{ text: string; report: InjectReport }>;

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
    const found = inexactNumber((value as Record<string, unknown>)[key], seen);
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

/** A text that starts like JSON (injectManifests): one value, or a stream as kubectl reads it, the YAML in it through `yaml`. */
export async function injectJson(text: string, source: string, settings: InjectionSettings, options: InjectOptions, yaml: YamlInjector): Promise<{ text: string; report: InjectReport }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return injectJsonStream(text, source, settings, options, error as Error, yaml);
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
async function injectJsonStream(text: string, source: string, settings: InjectionSettings, options: InjectOptions, notJson: Error, injectYaml: YamlInjector): Promise<{ text: string; report: InjectReport }> {
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
    const yaml = await injectYaml(text.slice(rest), 1 + lineBreaks(text.slice(0, rest)));
    mergeReport(report, yaml.report);
    out.push(yaml.text);
  }
  return { text: out.join(''), report };
}

/** A YAML document that is a JSON object, injected the JSON way; unchanged, byte for byte. Undefined for the other ways. */
export function injectChunkJson(text: string, source: string, settings: InjectionSettings, options: InjectOptions): { text: string; report: InjectReport } | undefined {
  const json = jsonDocument(text);
  if (!json) return undefined;
  const injected = injectJsonValue(json.value, source, settings, options);
  if (injected.report.injected.length === 0) return { text, report: injected.report };
  // The object's own lines replaced; a comment after it on its last line, and the lines after, kept.
  return { text: `${json.before}${injected.text.slice(0, -1)}${json.after}`, report: injected.report };
}

