import { printable } from '../encode.js';
import { UsageError } from '../errors.js';
import type { InjectionSettings } from './core.js';
import { insertLines, readFast, type Insertion } from './fast-path.js';
import { injectChunkJson, injectJson } from './json-path.js';
import { emptyReport, lineBreaks, mergeReport, visit, type InjectOptions, type InjectReport } from './plan.js';

// inject over manifests: YAML (multi-document, List objects; comments and key order kept) or
// JSON. Objects without a pod template pass through untouched.

/**
 * JSON manifests start with an object (kubectl's test: after white space as Go's unicode.IsSpace
 * has it, which a byte order mark is not) or a list; everything else is read as YAML.
 */
const JSON_START = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[{[]/;
const isJsonText = (text: string): boolean => JSON_START.test(text);

/** The manifests with every pod template injected; async only to load the general path when a document needs it. */
export async function injectManifests(text: string, source: string, settings: InjectionSettings, options: InjectOptions = { allowStaticKeys: false }): Promise<{ text: string; report: InjectReport }> {
  try {
    return await (isJsonText(text) ? injectJson(text, source, settings, options, (yaml, firstLine) => injectYaml(yaml, source, settings, options, firstLine)) : injectYaml(text, source, settings, options));
  } catch (error) {
    if (error instanceof RangeError && exhaustedStack(error.message)) throw tooDeep(source);
    throw error;
  }
}

// The parsers and the walks over the data recurse: values nested thousands deep (Go reads up to 10000) exhaust the stack.
export const exhaustedStack = (message: string): boolean => /maximum call stack/i.test(message);
export const tooDeep = (source: string): UsageError => new UsageError(`${printable(source)} nests values deeper than inject can follow (a few thousand levels)`, 'nest values less deeply');

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
