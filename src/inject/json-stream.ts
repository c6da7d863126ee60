// kubectl reads a file that starts with "{" as a stream of JSON objects, one after another
// (`kubectl get deploy a -o json; kubectl get deploy b -o json`), and after a single object
// it reads the rest as YAML (apimachinery's YAMLOrJSONDecoder). The same cut, for inject.

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
