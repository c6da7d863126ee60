import { CORE_SCHEMA, load } from 'js-yaml';
import { yamlBlock, yamlScalar } from '../render/template.js';
import { readBlock } from './block-reader.js';

// inject's fast path, for the block-style YAML that Helm, kustomize and kubectl write: plan
// with js-yaml's reading (several times faster than a comment-keeping parse; the plainest YAML
// is read by block-reader.ts, faster still, exactly as js-yaml reads it), then insert our lines into
// the original text, which stays byte for byte as it was. Every inserted value is proven to read
// back as itself, and every changed pod spec is read back (a placeholder where each value goes)
// and must equal the plan exactly; anything else (flow style where we insert, anchors, odd
// indentation) returns undefined and the caller takes the slow, general path.

type Json = Record<string, unknown>;
export type Segment = string | number;
export interface Insertion {
  /** The pod spec it goes into: the part of the document that is read back. */
  scope: Segment[];
  /** Where in the document (starting with `scope`): JSON Pointer segments; a final "-" appends to a sequence. */
  path: Segment[];
  value: unknown;
}

/** The document's lines and where each one's content starts: -1 for blank lines and comments. */
export interface Lines {
  raw: readonly string[];
  indent: Int32Array;
}

/** The lines, or undefined for a document marker with content on its line. */
export function linesOf(raw: readonly string[]): Lines | undefined {
  if (raw.some((line) => line.startsWith('---') && line.trim() !== '---')) return undefined;
  const indents = new Int32Array(raw.length);
  raw.forEach((line, index) => {
    const content = line.trimStart();
    indents[index] = content === '' || content.startsWith('#') ? -1 : line.length - content.length;
  });
  return { raw, indent: indents };
}

const indentAt = (lines: Lines, index: number): number => lines.indent[index] ?? -1;
/** A content line's text after its indentation ('' for blank lines and comments). */
const textAt = (lines: Lines, index: number): string => (isContent(lines, index) ? (lines.raw[index] ?? '').slice(indentAt(lines, index)) : '');
/** A content line of the document (not blank, not a comment). */
const isContent = (lines: Lines, index: number): boolean => indentAt(lines, index) !== -1;
/** A sequence entry written "- …" (a lone "-" with its content below is left to the general path). */
const isDash = (lines: Lines, index: number): boolean => (lines.raw[index] ?? '').startsWith('- ', indentAt(lines, index));

/** A block node found in the text: its lines [start, end) and how its entries are indented. */
export interface Region {
  start: number;
  end: number;
  /** Column of a mapping's keys, or of a sequence's dashes. */
  indent: number;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s|$)/;

function keyOf(text: string): string | undefined {
  const match = KEY.exec(text);
  if (!match?.[1]) return undefined;
  const raw = match[1];
  const quote = raw[0];
  // YAML's escapes are more than JSON's (\x41, \e, a raw tab): such a key is not one this
  // finds; the read-back (or the general path) sees to what it is.
  if (quote === '"') {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return undefined;
    }
  }
  if (quote === "'") return raw.slice(1, -1).replaceAll("''", "'");
  return raw.trimEnd();
}

/** The last line of a region that holds content (so inserted lines follow it, not a trailing comment block). */
function lastContent(lines: Lines, region: Region): number {
  let last = region.start;
  for (let index = region.start; index !== region.end; index++) if (isContent(lines, index)) last = index;
  return last;
}

/** The value of `key` in a block mapping: its lines, and what follows the key on its line. */
function mapEntry(lines: Lines, map: Region, key: string): { line: number; inline: string; value: Region } | undefined {
  // Region bounds are compared with !==: a scan never starts past its end.
  for (let index = map.start; index !== map.end; index++) {
    if (!isContent(lines, index)) continue;
    // Keys sit at the mapping's column (the first one of a sequence item after "- "); deeper
    // lines have spaces there. A plain key is the text's start: skip the regex for other lines.
    const column = map.indent;
    const line = lines.raw[index] ?? '';
    if (!line.startsWith(key, column) && line[column] !== '"' && line[column] !== "'") continue;
    const text = line.slice(column);
    if (keyOf(text) !== key) continue;
    let end = index + 1;
    let first = -1;
    for (; end !== map.end; end++) {
      if (!isContent(lines, end)) continue;
      const next = indentAt(lines, end);
      // Deeper lines belong to the value; so do "- " items at the key's own indentation.
      if (next < map.indent || (next === map.indent && !isDash(lines, end))) break;
      if (first === -1) first = next;
    }
    const inline = text.slice(text.indexOf(':') + 1).trim();
    return { line: index, inline, value: { start: index + 1, end, indent: first === -1 ? map.indent + 2 : first } };
  }
  return undefined;
}

/** The items of a block sequence: each a region whose indent is where its content starts. */
function sequenceItems(lines: Lines, seq: Region): Region[] | undefined {
  const starts: number[] = [];
  for (let index = seq.start; index !== seq.end; index++) {
    if (!isContent(lines, index) || indentAt(lines, index) !== seq.indent) continue;
    if (!isDash(lines, index)) return undefined;
    starts.push(index);
  }
  return starts.map((start, i) => {
    const after = textAt(lines, start).slice(1);
    const contentIndent = indentAt(lines, start) + 1 + (after.length - after.trimStart().length);
    return { start, end: starts[i + 1] ?? seq.end, indent: contentIndent };
  });
}

/**
 * Finds the regions of nodes (block mappings or sequences) by path, one path after another,
 * keeping those along the last one: the next path mostly shares them (the next container, the
 * next item of a List), so that thousands of them are found in linear time, not quadratic.
 */
export class Walker {
  // walked[0..size) is the last path; regions[i] is the node at walked[0..i), items[i] its
  // sequence items once asked for. Entries past size are overwritten, never cut off.
  private readonly walked: Segment[] = [];
  private readonly regions: Region[];
  private readonly items: (Region[] | undefined)[] = [undefined];
  private size = 0;
  constructor(private readonly lines: Lines, root: Region) {
    this.regions = [root];
  }
  locate(path: readonly Segment[]): Region | undefined {
    let depth = 0;
    while (depth < this.size && depth < path.length && this.walked[depth] === path[depth]) depth++;
    this.size = depth;
    for (; depth < path.length; depth++) {
      const segment = path[depth] as Segment;
      const region = this.regions[depth] as Region;
      let next: Region | undefined;
      if (typeof segment === 'number') next = (this.items[depth] ??= sequenceItems(this.lines, region))?.[segment];
      else {
        const entry = mapEntry(this.lines, region, segment);
        // A value on the key's own line is a scalar or a flow collection: not ours to edit in place.
        if (entry && (entry.inline === '' || entry.inline.startsWith('#'))) next = entry.value;
      }
      if (!next) return undefined;
      this.walked[depth] = segment;
      this.regions[depth + 1] = next;
      this.items[depth + 1] = undefined;
      this.size = depth + 1;
    }
    return this.regions[depth];
  }
}

function apply(target: unknown, path: readonly Segment[], value: unknown): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<Segment, unknown>)[key], target);
  const last = path[path.length - 1] as Segment;
  if (last === '-') (parent as unknown[]).push(value);
  else (parent as Json)[last] = value;
}

// Anchors and aliases: js-yaml shares aliased nodes, which a deep comparison would walk once
// per reference (a "billion laughs" document). The slow path counts aliases; leave them to it.
// Anchors are enough to look for: an alias without one is an error to js-yaml (and a "*" is
// in every cron schedule). An anchor starts a node: at a line's start, after a space, a flow
// indicator or a JSON-like key's ":"; an "&" inside a plain scalar is text.
const ANCHOR = /(?:^|[\s[{,:])&[^\s,\]}]/m;

// A sequence item with nothing after its dash (perhaps a comment) takes the next line's item
// into its own sequence in js-yaml when that item is less indented ("- # c" above a container
// swallows the next container); Go and the yaml library end the inner sequence there. The
// general path reads it as Go does.
const EMPTY_ITEM = /^[ \t]*(?:-[ \t]+)*-[ \t]*(?:#.*)?\r?$/m;

/** The plan's reading (js-yaml's); undefined when it cannot (or should not) read the document: the slow path then says why. */
export function readFast(text: string): unknown {
  // A merge key ("<<", quoted too) means something to Go's YAML and nothing to the core schema:
  // the general path refuses it (and "<<" in a scalar costs only the slower path).
  if (text.includes('<<')) return undefined;
  // The plainest YAML, read as js-yaml would, has no anchors or empty items.
  const plain = readBlock(text);
  if (plain !== undefined) return plain;
  if (text.includes('&') && ANCHOR.test(text)) return undefined;
  if (EMPTY_ITEM.test(text)) return undefined;
  return loadJsYaml(text);
}

/** js-yaml's reading (block-reader's, where it reads the text), or undefined. */
function loadCore(text: string): unknown {
  return readBlock(text) ?? loadJsYaml(text);
}

/** js-yaml's reading, or undefined; with the core schema: no timestamps or merge keys, which the general path does not have either. */
function loadJsYaml(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
}

function hasLineBreak(value: unknown): boolean {
  if (typeof value === 'string') return /[\n\r]/.test(value);
  return typeof value === 'object' && value !== null && Object.values(value).some(hasLineBreak);
}

/**
 * An inserted value as YAML lines at `indent`, proven to read back as that value on its own, or
 * undefined. yamlBlock writes every line after the first deeper than `indent`; with no
 * multi-line scalar either, the lines read the same wherever their first line reads as an
 * entry: the read-back of the document then needs only a placeholder in their place.
 */
function renderProven(value: unknown, key: Segment, indent: number): string | undefined {
  const wrapped = key === '-' ? [value] : { [key]: value };
  if (hasLineBreak(wrapped)) return undefined;
  const text = yamlBlock(wrapped, indent);
  return sameData(readFast(text), wrapped) ? text : undefined;
}

/** A value's proven lines at one place, and the one-line placeholder the read-back puts there instead. */
interface Proven {
  text: string;
  placeholder: string;
}
function prove(value: unknown, key: Segment, indent: number): Proven | undefined {
  const text = renderProven(value, key, indent);
  return text === undefined ? undefined : { text, placeholder: `${' '.repeat(indent)}${key === '-' ? '-' : `${yamlScalar(key)}:`} 0` };
}

// The same few values (frozen, shared by every pod spec of a run: core.ts) are inserted into
// every workload of a chart: render and prove each once per place. A value that is not frozen
// could change, so it is rendered every time.
const rendered = new Map<unknown, Map<Segment, Map<number, Proven | undefined>>>();
function block(value: unknown, key: Segment, indent: number): Proven | undefined {
  if (!Object.isFrozen(value)) return prove(value, key, indent);
  let byKey = rendered.get(value);
  if (!byKey) rendered.set(value, (byKey = new Map()));
  let byIndent = byKey.get(key);
  if (!byIndent) byKey.set(key, (byIndent = new Map()));
  if (!byIndent.has(indent)) byIndent.set(indent, prove(value, key, indent));
  return byIndent.get(indent);
}

const samePath = (a: readonly Segment[], b: readonly Segment[]): boolean => a.length === b.length && a.every((segment, index) => segment === b[index]);

interface Pending {
  /** The line the value's lines follow. */
  after: number;
  order: number;
  depth: number;
  text: string;
  placeholder: string;
}

/** One pod spec: its lines, and the values going into it. */
interface Scope {
  path: Segment[];
  region: Region;
  pending: Pending[];
  insertions: Insertion[];
}

const byPlace = (a: Pending, b: Pending): number => a.after - b.after || b.depth - a.depth || a.order - b.order;
/** Already sorted (the common case: a few values, planned in the order of their places). */
function inOrder(pending: readonly Pending[]): boolean {
  for (let index = 1; index < pending.length; index++) if (byPlace(pending[index - 1] as Pending, pending[index] as Pending) > 0) return false;
  return true;
}

/**
 * Lines [from, to) of the document joined (a replaced line as its replacement, null: left
 * out), each pending value's lines after its line, or undefined if one has no place there. In
 * one pass: a pod with thousands of containers has thousands of places (splicing each into the
 * array would be quadratic).
 */
function joinWith(raw: readonly string[], from: number, to: number, pending: readonly Pending[], pick: (item: Pending) => string, replaced: ReadonlyMap<number, string | null>): string | undefined {
  // After one line, the innermost node's lines come first (they end where it ends), then the
  // enclosing ones', each in the planned order. Innermost is the deepest path, not the deepest
  // indentation: a sequence's dashes may sit at its parent's key column.
  const sorted = inOrder(pending) ? pending : [...pending].sort(byPlace);
  const out: string[] = [];
  let next = 0;
  for (let index = from; index < to; index++) {
    const line = replaced.size !== 0 && replaced.has(index) ? replaced.get(index) : raw[index];
    if (line !== null && line !== undefined) out.push(line);
    for (; sorted[next]?.after === index; next++) out.push(pick(sorted[next] as Pending));
  }
  return next === sorted.length ? out.join('\n') : undefined;
}

/** A map entry whose value is empty as written on its key's line: `key: []` (an empty sequence) or `key:`, `key: ~`, `key: null` (null), nothing below it. */
function emptyEntry(lines: Lines, map: Region, key: Segment, empty: RegExp): { line: number; column: number; inline: string } | undefined {
  if (typeof key !== 'string') return undefined;
  const entry = mapEntry(lines, map, key);
  if (!entry || !empty.test(entry.inline)) return undefined;
  for (let index = entry.value.start; index !== entry.value.end; index++) if (isContent(lines, index)) return undefined;
  return { line: entry.line, column: map.indent, inline: entry.inline };
}
const EMPTY_SEQUENCE = /^\[\s*\](?:\s+#.*)?$/;
const NULL_VALUE = /^(?:~|null|Null|NULL)?$/;

/**
 * The document with `insertions` made as new lines, or undefined when that cannot be done
 * exactly. `planned` is what readFast returned for `text`; each pod spec in it becomes the
 * planned result (placeholders for the insertions are made in it, to compare with what the pod
 * spec's new lines read as).
 */
export function insertLines(text: string, planned: unknown, insertions: readonly Insertion[]): string | undefined {
  if (insertions.length === 0) return text;
  const raw = text.split('\n');
  const lines = linesOf(raw);
  if (!lines) return undefined;
  const walker = new Walker(lines, { start: 0, end: raw.length, indent: 0 });
  const scopes: Scope[] = [];
  // The parent node of the last insertion: its region, the line its new lines follow, and
  // whether it is a block sequence with items (what "-" appends to).
  let parent: { path: Segment[]; region: Region | undefined; after: number; sequence: boolean } | undefined;
  // Lines written anew: `env: []` as `env:` (its items follow), `env: ~` left out (the new entry follows).
  const replaced = new Map<number, string | null>();
  for (const [order, insertion] of insertions.entries()) {
    let scope = scopes[scopes.length - 1];
    if (!scope || !samePath(scope.path, insertion.scope)) {
      const region = walker.locate(insertion.scope);
      if (!region) return undefined;
      scope = { path: insertion.scope, region, pending: [], insertions: [] };
      scopes.push(scope);
    }
    const last = insertion.path[insertion.path.length - 1] as Segment;
    // Consecutive values often go into one parent (the variables of one container): find it once.
    const parentPath = insertion.path.slice(0, -1);
    if (!parent || !samePath(parent.path, parentPath)) {
      const region = walker.locate(parentPath);
      parent = { path: parentPath, region, after: region ? lastContent(lines, region) : -1, sequence: region !== undefined && Boolean(sequenceItems(lines, region)?.length) };
      const owner = region || last !== '-' ? undefined : walker.locate(parentPath.slice(0, -1));
      const empty = owner && emptyEntry(lines, owner, parentPath[parentPath.length - 1] as Segment, EMPTY_SEQUENCE);
      if (empty) {
        // Appending to `key: []`: the key alone on its line, the items below it.
        const raw = lines.raw[empty.line] as string;
        const comment = /#.*$/.exec(empty.inline)?.[0];
        replaced.set(empty.line, `${raw.slice(0, raw.indexOf(':', empty.column) + 1)}${comment ? `  ${comment}` : ''}`);
        // A sequence with no lines yet, its items two columns right of its key.
        parent = { path: parentPath, region: { start: empty.line + 1, end: empty.line + 1, indent: empty.column + 2 }, after: empty.line, sequence: true };
      }
    }
    const region = parent.region;
    if (!region) return undefined;
    let after = parent.after;
    if (last === '-' ? !parent.sequence : mapEntry(lines, region, String(last))) {
      // A key the value goes to, written `key:`, `key: ~` or `key: null`: the new entry takes its line.
      const empty = last === '-' ? undefined : emptyEntry(lines, region, last, NULL_VALUE);
      if (!empty) return undefined;
      replaced.set(empty.line, null);
      after = empty.line;
    }
    const proven = block(insertion.value, last, region.indent);
    if (proven === undefined) return undefined;
    scope.pending.push({ after, order, depth: parentPath.length, text: proven.text, placeholder: proven.placeholder });
    scope.insertions.push(insertion);
  }
  // Read back each pod spec's lines alone (lines outside them stay the original bytes, and new
  // lines inside a block node cannot change how the lines around it read), with a placeholder
  // where each proven value goes. It must be exactly the plan, with 0 in those places.
  for (const scope of scopes) {
    const reread = joinWith(raw, scope.region.start, scope.region.end, scope.pending, (item) => item.placeholder, replaced);
    const expected = at(planned, scope.path);
    for (const insertion of scope.insertions) apply(expected, insertion.path.slice(scope.path.length), 0);
    // Its lines are the plan's and placeholders: none has an anchor, a merge key or an empty item
    // (what readFast, or block-reader, let through; each of those checks is on one line).
    if (reread === undefined || !sameData(loadCore(reread), expected)) return undefined;
  }
  const pending = scopes.length === 1 ? (scopes[0] as Scope).pending : scopes.flatMap((scope) => scope.pending);
  return joinWith(raw, 0, raw.length, pending, (item) => item.text, replaced);
}

/** Deep equality of what the core schema yields: mappings, sequences and scalars. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  // Sequences by index: Object.keys would make a string of every index.
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameData(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) if (!Object.hasOwn(b, key) || !sameData((a as Json)[key], (b as Json)[key])) return false;
  return true;
}

/** The value at `path`, or undefined where the path leaves the data. */
export function at(value: unknown, path: readonly Segment[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<Segment, unknown>)[key] : undefined;
  return current;
}
