import { isScalar, Lexer, visit as visitYaml, type Document } from 'yaml';

// Where Go's YAML (kubectl's goyaml.v2, YAML 1.1) reads a document otherwise than the yaml
// library (YAML 1.2) that the general path parses and re-emits with: each finds the first such
// place in a parsed document, so that the general path refuses it with the line (or, for
// numbers, takes Go's reading) instead of writing what kubectl would read differently.

/**
 * Characters kubectl's YAML (1.1) reads otherwise than YAML 1.2 somewhere: line breaks to it
 * (U+0085, U+2028, U+2029), refused by it (control characters but tab, line feed and carriage
 * return; U+FFFE, U+FFFF), or a byte order mark past the start (in a quoted key it fails to
 * read a mapping).
 */
// eslint-disable-next-line no-control-regex -- these are exactly the characters Go reads otherwise
const MISREAD = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * The first character of a document that Go's YAML (kubectl) reads otherwise than the yaml
 * library: U+2028 and U+2029 but in a quoted value away from white space (there both keep
 * them), U+0085 anywhere (in quotes Go folds it as a line break), a character Go refuses
 * anywhere, U+FEFF but at the start of the text (a byte order mark, which every reader
 * skips). Such a document cannot be re-emitted without changing what kubectl reads of it.
 */
export function misreadCharacter(doc: Document, text: string, start: number, end: number): { offset: number; character: string } | undefined {
  const region = text.slice(start, end);
  if (region.search(MISREAD) === -1) return undefined;
  const quoted: [number, number][] = [];
  visitYaml(doc, {
    // Keys aside: Go reads a key as one line, and fails on a quoted one holding either.
    Scalar(key, node) {
      if (key !== 'key' && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range) quoted.push([node.range[0], node.range[1]]);
    },
  });
  for (const match of region.matchAll(MISREAD)) {
    const offset = start + (match.index ?? 0);
    const character = match[0];
    if (offset === 0 && character === '\ufeff') continue;
    // In a quoted value Go keeps U+2028 and U+2029 as they are, but as line breaks it drops the white space around them.
    const keptAsIs = quoted.some(([from, to]) => from <= offset && offset < to) && !/[ \t\r\n]/.test(text[offset - 1] ?? '') && !/[ \t\r\n]/.test(text[offset + 1] ?? '');
    if (!keptAsIs || (character !== '\u2028' && character !== '\u2029')) return { offset, character };
  }
  return undefined;
}

/**
 * Makes the document's numbers those Go's YAML (kubectl) reads: a plain integer with a leading
 * zero is octal to YAML 1.1 (defaultMode: 0644 is 420) and decimal to YAML 1.2. Written anew,
 * it is written as the decimal Go read.
 */
export function withGoNumbers(doc: Document): void {
  visitYaml(doc, {
    Scalar(_key, node) {
      const octal = node.type === 'PLAIN' && typeof node.value === 'number' ? /^([-+]?)0([0-7]+)$/.exec(node.source ?? '') : null;
      if (octal) node.value = (octal[1] === '-' ? -1 : 1) * Number.parseInt(octal[2] ?? '0', 8);
    },
  });
}

/**
 * Where a double-quoted scalar has an escape Go's YAML 1.1 (kubectl) refuses and YAML 1.2 reads:
 * "\/", or a \u or \U escape of a surrogate (JSON writes characters beyond U+FFFF as two).
 * (Beyond U+10FFFF both refuse it.)
 */
export function escapeGoRefuses(doc: Document, text: string): { offset: number; escape: string } | undefined {
  let found: { offset: number; escape: string } | undefined;
  visitYaml(doc, {
    Scalar(_key, node) {
      if (node.type !== 'QUOTE_DOUBLE' || !node.range) return undefined;
      const raw = text.slice(node.range[0], node.range[1]);
      for (let at = raw.indexOf('\\'); at !== -1; at = raw.indexOf('\\', at + 2)) {
        const kind = raw[at + 1];
        const digits = kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
        const code = digits ? Number.parseInt(raw.slice(at + 2, at + 2 + digits), 16) : Number.NaN;
        if (kind === '/' || (code >= 0xd800 && code <= 0xdfff)) {
          found = { offset: node.range[0] + at, escape: raw.slice(at, at + 2 + digits) };
          return visitYaml.BREAK;
        }
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Where an entry has no key at all (`: value`): Go's YAML (kubectl) refuses it, YAML 1.2 reads a
 * null key. An explicit `?` with nothing after it is a null key to both, and is written `null`.
 */
export function keylessEntry(doc: Document, text: string): number | undefined {
  let found: number | undefined;
  visitYaml(doc, {
    Pair(_key, { key }) {
      if (!isScalar(key) || key.value !== null || key.source !== '' || !key.range) return undefined;
      if (text.slice(0, key.range[0]).trimEnd().endsWith('?')) return undefined;
      found = key.range[0];
      return visitYaml.BREAK;
    },
  });
  return found;
}

/** The yaml library's lexer marks where documents and scalars start with tokens that are not in the text. */
const NOT_IN_TEXT = new Set(['\u0002', '\u0018', '\u001f', '']);

/**
 * Where a tag is followed directly by a flow indicator (`{k: !x}`, `[!x, b]`): Go's YAML
 * (kubectl) reads the indicator as part of the tag, a URI, and refuses the text or drops the
 * item; YAML 1.2 ends the tag there. The offset of the indicator in `text`.
 */
export function tagBeforeFlowIndicator(text: string): number | undefined {
  let offset = 0;
  let afterTag = false;
  for (const token of new Lexer().lex(text)) {
    if (NOT_IN_TEXT.has(token)) continue;
    if (afterTag && /^[,[\]{}]/.test(token)) return offset;
    afterTag = token.startsWith('!');
    offset += token.length;
  }
  return undefined;
}

/**
 * A blank or comment line with a tab in its indentation: the yaml library skips it, Go's YAML
 * (kubectl) refuses it unless it is deeper than the block it is in. Re-emitted, it would lose
 * the tab, and an input kubectl refuses would come out one it accepts.
 */
export const TAB_INDENTED_LINE = /^ *\t[ \t]*(?:#.*)?\r?$/m;

/**
 * Where a plain key in a flow collection is followed directly by ":" and then ",", "]" or "}"
 * (`{value:}`): YAML 1.2 ends the key at the colon, Go's YAML 1.1 reads "value:" as the key.
 */
export function colonInFlowKey(doc: Document, text: string): number | undefined {
  let found: number | undefined;
  visitYaml(doc, {
    Pair(_key, pair) {
      const key = pair.key;
      if (!isScalar(key) || key.type !== 'PLAIN' || !key.range) return undefined;
      const end = key.range[1];
      if (text[end] !== ':' || !/^[,\]}]$/.test(text[end + 1] ?? '')) return undefined;
      found = end;
      return visitYaml.BREAK;
    },
  });
  return found;
}

/**
 * Where the first merge key in the document starts: Go's YAML (kubectl) merges mappings at a
 * plain "<<" key (or one tagged !!merge); we do not. A quoted "<<" is refused too: no object
 * has such a field.
 */
export function mergeKeyOffset(doc: Document): number | undefined {
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
