import { CORE_SCHEMA, load } from 'js-yaml';
import { yamlBlock, yamlScalar } from '../render/template.js';

// inject's fast path, for the block-style YAML that Helm, kustomize and kubectl write: plan
// with js-yaml (several times faster than a comment-keeping parse), then insert our lines into
// the original text, which stays byte for byte as it was. Every result is read back and must
// equal the planned object exactly; anything else (flow style where we insert, anchors in the
// way, odd indentation) returns undefined and the caller takes the slow, general path.

type Json = Record<string, unknown>;
export type Segment = string | number;
export interface Insertion {
  /** Where in the document: JSON Pointer segments; a final "-" appends to a sequence. */
  path: Segment[];
  value: unknown;
}

/** The document's lines and where each one's content starts: -1 for blank lines and comments. */
interface Lines {
  raw: readonly string[];
  indent: Int32Array;
}

/** The lines, or undefined for a document marker with content on its line. */
function linesOf(raw: readonly string[]): Lines | undefined {
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
const textAt = (lines: Lines, index: number): string => (indentAt(lines, index) < 0 ? '' : (lines.raw[index] ?? '').slice(indentAt(lines, index)));
/** A sequence entry: "- " or a lone "-" where the content starts. */
function isDash(lines: Lines, index: number): boolean {
  const line = lines.raw[index] ?? '';
  const indent = indentAt(lines, index);
  return line.startsWith('- ', indent) || (line.length === indent + 1 && line[indent] === '-');
}

/** A block node found in the text: its lines [start, end) and how its entries are indented. */
interface Region {
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
  if (raw.startsWith('"')) return JSON.parse(raw) as string;
  if (raw.startsWith("'")) return raw.slice(1, -1).replaceAll("''", "'");
  return raw.trimEnd();
}

/** The last line of a region that holds content (so inserted lines follow it, not a trailing comment block). */
function lastContent(lines: Lines, region: Region): number {
  for (let index = region.end - 1; index >= region.start; index--) if (indentAt(lines, index) >= 0) return index;
  return region.start;
}

/** The value of `key` in a block mapping: its lines, and what follows the key on its line. */
function mapEntry(lines: Lines, map: Region, key: string): { line: number; inline: string; value: Region } | undefined {
  for (let index = map.start; index < map.end; index++) {
    const indent = indentAt(lines, index);
    if (indent < 0 || (index !== map.start && indent !== map.indent)) continue;
    // The first entry of a mapping that is a sequence item sits after "- ".
    const column = index === map.start && indent < map.indent ? map.indent : indent;
    const line = lines.raw[index] ?? '';
    // A plain key is the text's start: skip the regex for every other line.
    if (!line.startsWith(key, column) && line[column] !== '"' && line[column] !== "'") continue;
    const text = line.slice(column);
    if (keyOf(text) !== key) continue;
    let end = index + 1;
    let first = -1;
    for (; end < map.end; end++) {
      const next = indentAt(lines, end);
      // Deeper lines belong to the value; so do "- " items at the key's own indentation.
      if (next >= 0 && (next < map.indent || (next === map.indent && !isDash(lines, end)))) break;
      if (next >= 0 && first < 0) first = next;
    }
    const inline = text.slice(text.indexOf(':') + 1).trim();
    return { line: index, inline, value: { start: index + 1, end, indent: first >= 0 ? first : map.indent + 2 } };
  }
  return undefined;
}

/** The items of a block sequence: each a region whose indent is where its content starts. */
function sequenceItems(lines: Lines, seq: Region): Region[] | undefined {
  const starts: number[] = [];
  for (let index = seq.start; index < seq.end; index++) {
    const indent = indentAt(lines, index);
    if (indent < 0) continue;
    if (indent === seq.indent) {
      if (!isDash(lines, index)) return undefined;
      starts.push(index);
    } else if (indent < seq.indent) return undefined;
  }
  return starts.map((start, i) => {
    const after = textAt(lines, start).slice(1);
    const contentIndent = indentAt(lines, start) + 1 + (after.length - after.trimStart().length);
    return { start, end: starts[i + 1] ?? seq.end, indent: contentIndent };
  });
}

/** The region of the node at `path` (a block mapping or sequence), or undefined. */
function locate(lines: Lines, root: Region, path: readonly Segment[], from: { region: Region; depth: number } = { region: root, depth: 0 }): Region | undefined {
  let region: Region = from.region;
  for (const segment of path.slice(from.depth)) {
    if (typeof segment === 'number') {
      const item = sequenceItems(lines, region)?.[segment];
      if (!item) return undefined;
      region = item;
    } else {
      const entry = mapEntry(lines, region, segment);
      // A value on the key's own line is a scalar or a flow collection: not ours to edit in place.
      if (!entry || (entry.inline !== '' && !entry.inline.startsWith('#'))) return undefined;
      region = entry.value;
    }
  }
  return region;
}

function apply(target: unknown, insertion: Insertion): void {
  const parent = insertion.path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<Segment, unknown>)[key], target);
  const last = insertion.path[insertion.path.length - 1] as Segment;
  if (last === '-') (parent as unknown[]).push(insertion.value);
  else (parent as Json)[last] = insertion.value;
}

// Anchors and aliases: js-yaml shares aliased nodes, which a deep comparison would walk once
// per reference (a "billion laughs" document). The slow path counts aliases; leave them to it.
const ANCHOR_OR_ALIAS = /[&*][^\s,\]}]/;

/** Plan with js-yaml; undefined when it cannot (or should not) read the document: the slow path then says why. */
export function readFast(text: string): unknown {
  if ((text.includes('&') || text.includes('*')) && ANCHOR_OR_ALIAS.test(text)) return undefined;
  try {
    // The core schema: no timestamps or merge keys, which the general path does not have either.
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

// The same few values (frozen, shared by every pod spec of a run: core.ts) are inserted into
// every workload of a chart: render and prove each once per place. Values that are not frozen
// could change, so they are rendered every time.
const rendered = new WeakMap<object, Map<string, string | undefined>>();
function block(value: unknown, key: Segment, indent: number): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return renderProven(value, key, indent);
  let byPlace = rendered.get(value);
  if (!byPlace) rendered.set(value, (byPlace = new Map()));
  const place = `${indent} ${String(key)}`;
  if (!byPlace.has(place)) byPlace.set(place, renderProven(value, key, indent));
  return byPlace.get(place);
}

/** The longest path that every insertion's parent lies under (a pod spec, for one workload). */
function commonParent(insertions: readonly Insertion[]): Segment[] {
  const [first, ...rest] = insertions.map((insertion) => insertion.path.slice(0, -1));
  const common = [...(first ?? [])];
  for (const path of rest) {
    let length = 0;
    while (length < common.length && length < path.length && common[length] === path[length]) length++;
    common.length = length;
  }
  return common;
}

/**
 * The document with `insertions` made as new lines, or undefined when that cannot be done
 * exactly. `planned` is what readFast returned for `text`; it becomes the planned result (the
 * insertions are made in it too, to compare with what the new text reads as).
 */
export function insertLines(text: string, planned: unknown, insertions: readonly Insertion[]): string | undefined {
  if (insertions.length === 0) return text;
  const raw = text.split('\n');
  const lines = linesOf(raw);
  if (!lines) return undefined;
  const root: Region = { start: 0, end: lines.raw.length, indent: 0 };
  // Every insertion lands inside one mapping (the pod spec): only its lines change.
  let scope = commonParent(insertions);
  while (scope.length > 0 && typeof scope[scope.length - 1] !== 'string') scope = scope.slice(0, -1);
  const scoped = locate(lines, root, scope);
  if (!scoped) return undefined;
  const pending: { after: number; order: number; depth: number; text: string; placeholder: string }[] = [];
  let previous: { path: Segment[]; region: Region | undefined } | undefined;
  for (const [order, insertion] of insertions.entries()) {
    const last = insertion.path[insertion.path.length - 1] as Segment;
    // Consecutive values often go into one parent (the variables of one container): find it once.
    const parentPath = insertion.path.slice(0, -1);
    if (!previous || previous.path.length !== parentPath.length || previous.path.some((segment, index) => segment !== parentPath[index])) {
      previous = { path: parentPath, region: locate(lines, root, parentPath, { region: scoped, depth: scope.length }) };
    }
    const parent = previous.region;
    if (!parent || parent.end <= parent.start) return undefined;
    if (last === '-' ? !sequenceItems(lines, parent)?.length : mapEntry(lines, parent, String(last))) return undefined;
    const text = block(insertion.value, last, parent.indent);
    if (text === undefined) return undefined;
    const placeholder = `${' '.repeat(parent.indent)}${last === '-' ? '-' : `${yamlScalar(last)}:`} 0`;
    pending.push({ after: lastContent(lines, parent), order, depth: parentPath.length, text, placeholder });
  }
  // After one line, the innermost node's lines come first (they end where it ends), then the
  // enclosing ones', each in the planned order; splicing from the bottom keeps line numbers valid.
  // Innermost is the deepest path, not the deepest indentation: a sequence's dashes may sit at
  // its parent's key column.
  // The read-back copy of the scope gets the placeholders.
  pending.sort((a, b) => b.after - a.after || b.depth - a.depth || a.order - b.order);
  const reread = raw.slice(scoped.start, scoped.end);
  for (let index = 0; index < pending.length; ) {
    const after = (pending[index] as (typeof pending)[number]).after;
    const group: (typeof pending)[number][] = [];
    for (; index < pending.length && pending[index]?.after === after; index++) group.push(pending[index] as (typeof pending)[number]);
    raw.splice(after + 1, 0, ...group.map((item) => item.text));
    reread.splice(after + 1 - scoped.start, 0, ...group.map((item) => item.placeholder));
  }
  // Read back what changed: the scope's lines alone (lines outside it are the original bytes,
  // and new lines inside a block node cannot change how the lines around it read). It must be
  // exactly the plan, with 0 where each proven value went.
  const expected = at(planned, scope);
  for (const insertion of insertions) apply(expected, { path: insertion.path.slice(scope.length), value: 0 });
  return sameData(readFast(reread.join('\n')), expected) ? raw.join('\n') : undefined;
}

/** Deep equality of what the core schema yields: mappings, sequences and scalars. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.hasOwn(b, key) && sameData((a as Json)[key], (b as Json)[key]));
}

/** The value at `path`, or undefined where the path leaves the data. */
export function at(value: unknown, path: readonly Segment[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<Segment, unknown>)[key] : undefined;
  return current;
}
