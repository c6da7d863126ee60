import { CORE_SCHEMA, load } from 'js-yaml';
import { yamlBlock } from '../render/template.js';

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

interface Line {
  indent: number;
  /** Without indentation; '' for blank lines and comments. */
  text: string;
}

function linesOf(raw: readonly string[]): Line[] {
  return raw.map((raw) => {
    const text = raw.trimStart();
    return { indent: raw.length - text.length, text: text === '' || text.startsWith('#') ? '' : text };
  });
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
function lastContent(lines: Line[], region: Region): number {
  for (let index = region.end - 1; index >= region.start; index--) if (lines[index]?.text) return index;
  return region.start;
}

/** The value of `key` in a block mapping: its lines, and what follows the key on its line. */
function mapEntry(lines: Line[], map: Region, key: string): { line: number; inline: string; value: Region } | undefined {
  for (let index = map.start; index < map.end; index++) {
    const line = lines[index] as Line;
    // The first entry of a mapping that is a sequence item sits after "- ".
    const text = index === map.start && line.indent < map.indent ? line.text.slice(map.indent - line.indent) : line.text;
    if (!text || (index !== map.start && line.indent !== map.indent)) continue;
    if (keyOf(text) !== key) continue;
    let end = index + 1;
    while (end < map.end) {
      const next = lines[end] as Line;
      // Deeper lines belong to the value; so do "- " items at the key's own indentation.
      if (next.text && next.indent < map.indent) break;
      if (next.text && next.indent === map.indent && !next.text.startsWith('- ') && next.text !== '-') break;
      end++;
    }
    const inline = text.slice(text.indexOf(':') + 1).trim();
    const first = lines.slice(index + 1, end).find((item) => item.text);
    return { line: index, inline, value: { start: index + 1, end, indent: first?.indent ?? map.indent + 2 } };
  }
  return undefined;
}

/** The items of a block sequence: each a region whose indent is where its content starts. */
function sequenceItems(lines: Line[], seq: Region): Region[] | undefined {
  const starts: number[] = [];
  for (let index = seq.start; index < seq.end; index++) {
    const line = lines[index] as Line;
    if (!line.text) continue;
    if (line.indent === seq.indent) {
      if (!line.text.startsWith('- ') && line.text !== '-') return undefined;
      starts.push(index);
    } else if (line.indent < seq.indent) return undefined;
  }
  return starts.map((start, i) => {
    const line = lines[start] as Line;
    const after = line.text.slice(1);
    const contentIndent = line.indent + 1 + (after.length - after.trimStart().length);
    return { start, end: starts[i + 1] ?? seq.end, indent: contentIndent };
  });
}

/** The region of the node at `path` (a block mapping or sequence), or undefined. */
function locate(lines: Line[], root: Region, path: readonly Segment[], from: { region: Region; depth: number } = { region: root, depth: 0 }): Region | undefined {
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
  if (ANCHOR_OR_ALIAS.test(text)) return undefined;
  try {
    // The core schema: no timestamps or merge keys, which the general path does not have either.
    return load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
}

// The same few values are inserted into every workload of a chart: render each once.
const rendered = new Map<string, string>();
function block(value: unknown, indent: number): string {
  const key = `${indent} ${JSON.stringify(value)}`;
  let text = rendered.get(key);
  if (text === undefined) {
    text = yamlBlock(value, indent);
    if (rendered.size < 1000) rendered.set(key, text);
  }
  return text;
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
  const root: Region = { start: 0, end: lines.length, indent: 0 };
  // A document marker with content on its line, or a root that is not a block mapping: slow path.
  if (lines.some((line) => line.text.startsWith('---') && line.text.trim() !== '---')) return undefined;
  // Every insertion lands inside one mapping (the pod spec): only its lines change.
  let scope = commonParent(insertions);
  while (scope.length > 0 && typeof scope[scope.length - 1] !== 'string') scope = scope.slice(0, -1);
  const scoped = locate(lines, root, scope);
  if (!scoped) return undefined;
  const pending: { after: number; order: number; indent: number; text: string }[] = [];
  for (const [order, insertion] of insertions.entries()) {
    const last = insertion.path[insertion.path.length - 1] as Segment;
    const parent = locate(lines, root, insertion.path.slice(0, -1), { region: scoped, depth: scope.length });
    if (!parent || parent.end <= parent.start) return undefined;
    if (last === '-') {
      const items = sequenceItems(lines, parent);
      if (!items || items.length === 0) return undefined;
      pending.push({ after: lastContent(lines, parent), order, indent: parent.indent, text: block([insertion.value], parent.indent) });
    } else {
      if (mapEntry(lines, parent, String(last))) return undefined;
      pending.push({ after: lastContent(lines, parent), order, indent: parent.indent, text: block({ [last]: insertion.value }, parent.indent) });
    }
  }
  // After one line, the innermost node's lines come first (they end where it ends), then the
  // enclosing ones', each in the planned order; splicing from the bottom keeps line numbers valid.
  pending.sort((a, b) => b.after - a.after || b.indent - a.indent || a.order - b.order);
  for (let index = 0; index < pending.length; ) {
    const after = (pending[index] as (typeof pending)[number]).after;
    const group: string[] = [];
    for (; index < pending.length && pending[index]?.after === after; index++) group.push((pending[index] as (typeof pending)[number]).text);
    raw.splice(after + 1, 0, ...group);
  }
  const result = raw.join('\n');
  // Read back what changed: the scope's lines alone when it is a nested mapping (lines outside
  // it are the original bytes, and new lines inside a block node cannot change how the lines
  // around it read), else the whole document. It must be exactly the plan.
  const added = raw.length - lines.length;
  const reread = scope.length === 0 ? result : raw.slice(scoped.start, scoped.end + added).join('\n');
  const expected = at(planned, scope);
  for (const insertion of insertions) apply(expected, { path: insertion.path.slice(scope.length), value: insertion.value });
  return sameData(readFast(reread), expected) ? result : undefined;
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
