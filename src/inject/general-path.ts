import { CST, isAlias, isMap, isPair, isScalar, Parser, parseAllDocuments, parseDocument, visit as visitYaml, type Document } from 'yaml';
import { escapeRawInQuotes, printable } from '../encode.js';
import { UsageError } from '../errors.js';
import type { InjectionSettings, PatchOperation } from './core.js';
import { sameData } from './fast-path.js';
import { colonInFlowKey, escapeGoRefuses, keylessEntry, mergeKeyOffset, misreadCharacter, TAB_INDENTED_LINE, tagBeforeFlowIndicator, withGoNumbers } from './go-reading.js';
import { refuseInexactNumbers } from './json-path.js';
import { exhaustedStack, READ_DIFFERENTLY, tooDeep } from './manifests.js';
import { applyToJson, lineBreaks, visit, type Apply, type InjectOptions, type InjectReport } from './plan.js';

// inject's general path, for what the fast path leaves (flow style where lines go, anchors,
// characters YAML 1.1 reads as line breaks, repeated keys): the yaml library parses keeping
// comments and order, the edits are made to its nodes, and a changed document is re-emitted
// and must read back as the plan. A module of its own: the yaml library is loaded only when
// a document needs it (about 10 ms of every start).

const READ_DIFFERENTLY_ALL = new RegExp(READ_DIFFERENTLY.source, 'g');

/** One operation of the plan, at its place in the document. */
interface Edit {
  path: (string | number)[];
  op: PatchOperation;
}

function applyToYaml(doc: Document): Apply {
  return (prefix, op) => {
    const path = [...prefix, ...op.path];
    if (path[path.length - 1] === '-') doc.addIn(path.slice(0, -1), doc.createNode(op.value));
    else doc.setIn(path, doc.createNode(op.value));
  };
}

/**
 * Whether adding a line break at the end of the text changes what Go's YAML (kubectl) reads:
 * when it ends in a block scalar (| or >) with nothing but white space after it, Go reads a
 * last line without a line break as having none (JavaScript's readers add one), and a |+
 * scalar keeps every line break that follows.
 */
export function endsInBlockScalar(text: string): boolean {
  let last: { offset: number; text: string; chomping: string } | undefined;
  const note = (token: CST.Token | null | undefined): void => {
    if (token?.type !== 'block-scalar' || (last && token.offset <= last.offset)) return;
    const header = token.props.find((prop): prop is CST.SourceToken => prop.type === 'block-scalar-header');
    last = { offset: token.offset, text: CST.stringify(token), chomping: header?.source.replace(/[^+-]/g, '') ?? '' };
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    note(token.value);
    CST.visit(token, (item) => {
      note(item.key);
      note(item.value);
    });
  }
  // A header alone (no line after it) reads as empty either way.
  if (!last || !/[\n\r]/.test(last.text) || text.slice(last.offset + last.text.length).trim() !== '') return false;
  // Keep (+): every line break counts. Clip: only its last line's own. Strip (-): none.
  return last.chomping === '+' || (last.chomping === '' && !/[\n\r]$/.test(last.text));
}

/** The parser's first line without its "at line N, column M:", which counts from the document, not the input. */
function withoutPosition(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
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
  visitYaml(doc, (_key, node, path) => {
    // A key without a value (`{a, b}`, `? k`) is visited with no node.
    if (node === null) return;
    if (isPair(node)) {
      // A null written as nothing is written `null` where nothing would read otherwise to Go: as a key
      // (`: value`, which Go refuses), or as a value in a flow mapping (`{name:, b}`: Go's key is `name:`).
      if (isScalar(node.key) && node.key.value === null && node.key.source === '') delete node.key.source;
      const parent = path[path.length - 1];
      if (isMap(parent) && parent.flow && isScalar(node.value) && node.value.value === null && node.value.source === '') delete node.value.source;
    }
    cleanComments(node as { comment?: string | null; commentBefore?: string | null });
    if (isScalar(node) && typeof node.value === 'string' && READ_DIFFERENTLY.test(node.value)) node.type = 'QUOTE_DOUBLE';
  });
  return escapeRawInQuotes(doc.toString({ lineWidth: 0 }));
}

/** Where the first alias names no anchor before it (the yaml library finds out only when it reads the data). */
function unresolvedAlias(doc: Document): { name: string; offset: number } | undefined {
  const anchors = new Set<string>();
  let found: { name: string; offset: number } | undefined;
  visitYaml(doc, {
    Node(_key, node) {
      if (isAlias(node) && !anchors.has(node.source)) {
        found = { name: node.source, offset: node.range?.[0] ?? 0 };
        return visitYaml.BREAK;
      }
      if (!isAlias(node) && node.anchor) anchors.add(node.anchor);
      return undefined;
    },
  });
  return found;
}

/** The document's data, or why it cannot be read in words: an alias without an anchor, or aliases expanding beyond reason (Go refuses both). */
function dataOf(doc: Document, source: string, lineAt: (offset: number) => number): unknown {
  try {
    return doc.contents === null ? null : doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const alias = unresolvedAlias(doc);
    if (alias) throw new UsageError(`${printable(source)}:${lineAt(alias.offset)}: the alias *${printable(alias.name)} names no anchor (&${printable(alias.name)}) before it`, 'define the anchor before the alias, or write the value out');
    throw new UsageError(`${printable(source)}:${lineAt(doc.range?.[0] ?? 0)}: the aliases (*) in this document expand into too many copies (a "billion laughs"), which kubectl refuses too`, "write the values out without aliases (yq 'explode(.)' does it)");
  }
}

/** One piece of the text (splitDocuments) through the general path: parsed keeping comments, re-emitted where changed. */
export function injectChunk(text: string, source: string, firstLine: number, settings: InjectionSettings, options: InjectOptions, report: InjectReport): string {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs)) return text;
  const lineAt = (offset: number): number => firstLine + lineBreaks(text.slice(0, offset));
  const out: string[] = [];
  let offset = 0;
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error && exhaustedStack(error.message)) throw tooDeep(source);
    if (error) throw new UsageError(`${printable(source)}:${firstLine - 1 + (error.linePos?.[0]?.line ?? 1)} is not valid YAML: ${printable(withoutPosition(error.message))}`, 'pass Kubernetes manifests as YAML or JSON');
    const from = offset;
    const original = text.slice(from, doc.range[2]);
    offset = doc.range[2];
    const edits: Edit[] = [];
    const injectedBefore = report.injected.length;
    // Changed or not (kubectl may see a pod template where inject sees none); its comments before it too.
    const misread = misreadCharacter(doc, text, from, doc.range[2]);
    if (misread) {
      const code = `U+${misread.character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      const how = /[\u2028\u2029\u0085]/.test(misread.character)
        ? `${code}, which kubectl's YAML (1.1) reads as a line break and YAML 1.2 does not`
        : misread.character === '\ufeff'
          ? `${code} (a byte order mark) past the start of the file, which kubectl's YAML reads otherwise than YAML 1.2 in places`
          : `the character ${code}, which kubectl's YAML refuses`;
      throw new UsageError(`${printable(source)}:${lineAt(misread.offset)}: ${how}: kubectl and inject would read this object differently`, `remove it, or write it as an escape in a double-quoted string ("\\u${code.slice(2).toLowerCase()}")`);
    }
    withGoNumbers(doc);
    const data = dataOf(doc, source, lineAt);
    // Planned objects only: a merge key elsewhere (a ConfigMap) passes through with its object.
    // Looked for once per document (a List plans each of its items).
    let merge: number | undefined | null = null;
    visit(data, [], settings, options, report, (path, op) => edits.push({ path, op }), (name) => {
      if (merge === null) merge = mergeKeyOffset(doc);
      if (merge !== undefined) throw new UsageError(`${printable(source)}:${lineAt(merge)}: ${name} uses a YAML merge key (<<), which kubectl expands by rules of its own (a later merge overrides keys before it)`, "write the merged keys out in the object (yq 'explode(.)' does it), then inject");
    });
    // An untouched document is copied as it was, byte for byte; a changed one is re-emitted.
    if (edits.length === 0) {
      out.push(original);
      continue;
    }
    const colon = colonInFlowKey(doc, text);
    if (colon !== undefined) {
      throw new UsageError(`${printable(source)}:${lineAt(colon)}: a key written with its colon directly before "${text[colon + 1] ?? ''}", which kubectl's YAML (1.1) reads as part of the key and YAML 1.2 as its end: inject would change what kubectl reads of this object`, 'put a space after the colon');
    }
    const escape = escapeGoRefuses(doc, text);
    if (escape !== undefined) {
      throw new UsageError(`${printable(source)}:${lineAt(escape.offset)}: the escape ${printable(escape.escape)} in a double-quoted string, which kubectl's YAML (1.1) refuses and YAML 1.2 reads: inject would write an object kubectl reads where it refused this one`, 'write the character itself (for a character beyond U+FFFF, its \\U00XXXXXX escape)');
    }
    const keyless = keylessEntry(doc, text);
    if (keyless !== undefined) {
      throw new UsageError(`${printable(source)}:${lineAt(keyless)}: an entry with no key (": value"), which kubectl's YAML refuses and YAML 1.2 reads as a null key`, 'give the entry its key, or remove it');
    }
    const tag = tagBeforeFlowIndicator(original);
    if (tag !== undefined) {
      throw new UsageError(`${printable(source)}:${lineAt(from + tag)}: a tag followed directly by "${original[tag] ?? ''}", which kubectl's YAML (1.1) reads as part of the tag and YAML 1.2 as its end`, 'put a space after the tag, or remove it');
    }
    const tab = TAB_INDENTED_LINE.exec(original);
    if (tab) {
      throw new UsageError(`${printable(source)}:${lineAt(from + tab.index)}: a tab in the indentation of a blank or comment line, which kubectl's YAML refuses in most places and inject would write without it`, 'indent with spaces');
    }
    const names = report.injected.slice(injectedBefore);
    refuseInexactNumbers(data, names.join(', '), 'write the object in block style (edited in place, its numbers kept as written)', 'shared');
    const emitted = emitChanged(doc, data, edits, names);
    // Only the first document of a piece can start with "---" (pieces are cut at those lines).
    out.push(index === 0 ? emitted : `---\n${emitted}`);
  }
  out.push(text.slice(offset));
  return out.join('');
}

/** A copy without shared parts (an alias reads as the node it names): compared by value, a change through an alias shows. */
const unshared = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null') as unknown;

/**
 * The document with the edits made, proven to read back as the plan: the data with the edits
 * made to a copy of it. An alias sharing a node we change (another container would read our
 * variables), a repeated key (Go reads the last one; the edit would go into the first) or an
 * alias on the way (the yaml library cannot edit through one) is refused, not written.
 */
function emitChanged(doc: Document, data: unknown, edits: readonly Edit[], names: readonly string[]): string {
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
