import { CORE_SCHEMA, type Type } from 'js-yaml';

// A reader for the plainest block YAML (what kubectl and most charts write), several times
// faster than js-yaml, for inject's speed: it reads exactly what js-yaml's load with the core
// schema reads, or declines (undefined) and js-yaml reads the text. It declines everything
// outside a narrow subset: tabs, carriage returns, characters outside printable ASCII, anchors,
// aliases, tags, folded block scalars (>), escapes, multi-line plain, quoted and flow scalars, explicit
// keys, quoted keys in flow collections or with a quote in them, repeated keys, empty sequence
// items, document markers but a first "---". A decline costs one more read.
// test/unit/block-reader.test.ts holds it to js-yaml over generated and mutated YAML.

class Declined extends Error {}
const decline = (): never => {
  throw new Declined();
};

// js-yaml's own resolvers (null, bool, int, float, in its order): a plain scalar resolves as there.
const IMPLICIT = (CORE_SCHEMA as unknown as { compiledImplicit: Type[] }).compiledImplicit;

const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;
// A letter no number has (hex digits, 0x, 0o, 0b and exponents aside): "500m" and "256Mi" are text.
const NOT_A_NUMBER = /[g-np-wyzG-NP-WYZ]/;

/** A plain scalar's value as js-yaml's core schema has it. */
function resolvePlain(text: string): unknown {
  const first = text.charCodeAt(0);
  const lower = first | 0x20;
  // Words resolve only from n/N (null) and t/T/f/F (bool); most numbers are plain decimals.
  if (lower >= 0x61 && lower <= 0x7a) {
    if (lower !== 0x6e && lower !== 0x74 && lower !== 0x66) return text;
  } else if (first >= 0x30 && first <= 0x39) {
    if (DECIMAL.test(text)) return Number(text);
    if (NOT_A_NUMBER.test(text)) return text;
  }
  for (const type of IMPLICIT) if (type.resolve(text)) return type.construct(text);
  return text;
}

/** A plain key as js-yaml stores it: resolved (1e3 is 1000, null is "null"), then made a string. */
function keyText(raw: string): string {
  return String(resolvePlain(raw));
}

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const PIPE = 0x7c;
const PLUS = 0x2b;

const isAlphanumeric = (ch: number): boolean => (ch >= 0x30 && ch <= 0x39) || ((ch | 0x20) >= 0x61 && (ch | 0x20) <= 0x7a);
/** A key's characters: letters, digits, "_", ".", "/", "-" (the first not ".", "/" or "-"). */
const isKeyChar = (ch: number): boolean => isAlphanumeric(ch) || ch === 0x5f || ch === 0x2e || ch === 0x2f || ch === DASH;
// Characters that do not start a plain scalar here: js-yaml's indicators (space, flow
// indicators, # & * ! | > ' " % @ `), and ? : < which it may read otherwise in places.
const NOT_PLAIN_START = new Set([...' ,[]{}#&*!|>\'"%@`?:<'].map((ch) => ch.charCodeAt(0)));
/** Where a plain scalar may start here (js-yaml takes more; the rest is declined). */
function isPlainStart(ch: number, following: number): boolean {
  if (isAlphanumeric(ch)) return true;
  if (ch === DASH) return following > SPACE && following < 0x7f && !NOT_PLAIN_START.has(following);
  return ch > SPACE && ch < 0x7f && !NOT_PLAIN_START.has(ch);
}

class Reader {
  /** The current line: where it starts, ends (its line feed or the text's end) and its content starts; -1 past the last. */
  private start = 0;
  private end = 0;
  private column = -1;
  constructor(private readonly text: string) {}

  /** Makes the first content line from `from` (a line's start) the current one. */
  private seek(from: number): void {
    const text = this.text;
    for (let at = from; at < text.length; ) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      let content = at;
      while (text.charCodeAt(content) === SPACE) content++;
      // Document markers (---, ...) and directives (%) are never read: no key, dash or scalar starts so.
      if (content !== end && text.charCodeAt(content) !== HASH) {
        this.start = at;
        this.end = end;
        this.column = content - at;
        return;
      }
      at = end + 1;
    }
    this.start = this.end = text.length;
    this.column = -1;
  }
  private nextLine(): void {
    this.seek(this.end + 1);
  }
  /** A sequence entry "- " at `column` of the current line. */
  private isDashAt(column: number): boolean {
    return this.column === column && this.text.charCodeAt(this.start + column) === DASH && this.text.charCodeAt(this.start + column + 1) === SPACE;
  }

  document(): unknown {
    // The document start marker, alone on the first line.
    this.seek(this.text.startsWith('---\n') ? 4 : 0);
    const column = this.column;
    if (column === -1) decline();
    const value = this.node(column);
    if (this.column !== -1) decline();
    return value;
  }

  /** A block mapping or sequence whose first line is the current one, its content at `column`. */
  private node(column: number): unknown {
    return this.isDashAt(column) ? this.sequence(column) : this.mapping(column, this.start + column);
  }

  /**
   * Where the ":" of the key at `at` is, or -1 for no key here: a plain key, or one quoted with
   * no escape and no quote in it, then ":" and a space or the line's end.
   */
  private keyEnd(at: number): number {
    const text = this.text;
    const first = text.charCodeAt(at);
    let end = at + 1;
    if (first === QUOTE || first === APOSTROPHE) {
      while (end < this.end && text.charCodeAt(end) !== first && text.charCodeAt(end) !== 0x5c) end++;
      if (text.charCodeAt(end) !== first) return -1;
      end++;
    } else {
      if (!(isAlphanumeric(first) || first === 0x5f)) return -1;
      while (isKeyChar(text.charCodeAt(end))) end++;
    }
    if (text.charCodeAt(end) !== COLON) return -1;
    return end + 1 === this.end || text.charCodeAt(end + 1) === SPACE ? end : -1;
  }

  /** A block mapping with keys at `column`; its first key at `first` (after a sequence's dash there). */
  private mapping(column: number, first: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let at = first;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon === -1) return decline();
      const quote = this.text.charCodeAt(at);
      // A quoted key is its text; a plain one resolves.
      const key = quote === QUOTE || quote === APOSTROPHE ? this.text.slice(at + 1, colon - 1) : keyText(this.text.slice(at, colon));
      if (key === '__proto__' || Object.hasOwn(map, key)) decline();
      map[key] = this.value(colon + 1, column, true);
      if (this.column < column) return map;
      // The next key; a deeper line or a dash here is no key (declined above).
      at = this.start + column;
    }
  }

  /** A block sequence with dashes at `column`. */
  private sequence(column: number): unknown[] {
    const items: unknown[] = [];
    const text = this.text;
    for (;;) {
      let content = this.start + column + 2;
      while (text.charCodeAt(content) === SPACE) content++;
      // A mapping starting on the dash's line, or a scalar (an empty item and "- - " are declined there).
      items.push(this.keyEnd(content) === -1 ? this.value(this.start + column + 1, column, false) : this.mapping(content - this.start, content));
      if (this.column < column) return items;
      // Another item, or the key that follows a sequence written at its key's column.
      if (this.column !== column) decline();
      if (!this.isDashAt(column)) return items;
    }
  }

  /**
   * The value after a key's ":" or a dash (from `from` on the current line) and the lines
   * below that belong to it; the current line moves past them. `column` is the key's or the dash's.
   */
  private value(from: number, column: number, isMappingValue: boolean): unknown {
    const text = this.text;
    const end = this.end;
    let start = from;
    while (text.charCodeAt(start) === SPACE) start++;
    if (start === end || text.charCodeAt(start) === HASH) {
      // An empty sequence item: js-yaml reads one wrongly in places (the fast path's EMPTY_ITEM).
      if (!isMappingValue) decline();
      // Nothing on the key's line: a node below it (deeper, or a sequence at the key's column), or null.
      this.nextLine();
      if (this.column > column) return this.node(this.column);
      if (this.isDashAt(column)) return this.sequence(column);
      return null;
    }
    let value: unknown;
    if (text.charCodeAt(start) === PIPE) value = this.literal(start, column);
    else {
      value = inlineValue(text, start, end);
      this.nextLine();
    }
    // A deeper line below a value on its key's line would continue it or be an error.
    if (this.column > column) decline();
    return value;
  }

  /**
   * A literal block scalar (|, |- or |+, no indentation indicator) whose header is at `start`,
   * below a key or dash at `column`, as js-yaml reads it; the current line moves to the first
   * line after it. Empty ones, and blank lines with spaces before the first line, are declined.
   */
  private literal(start: number, column: number): string {
    const text = this.text;
    let at = start + 1;
    const chomping = text.charCodeAt(at);
    if (chomping === PLUS || chomping === DASH) at++;
    const afterHeader = at;
    while (text.charCodeAt(at) === SPACE) at++;
    if (at !== this.end && !(at > afterHeader && text.charCodeAt(at) === HASH)) decline();
    let indent = column + 1;
    let detected = false;
    let value = '';
    let emptyLines = 0;
    let line = this.end + 1;
    while (line < text.length) {
      let lineEnd = text.indexOf('\n', line);
      if (lineEnd === -1) lineEnd = text.length;
      let spaces = 0;
      while ((!detected || spaces < indent) && text.charCodeAt(line + spaces) === SPACE) spaces++;
      if (line + spaces === lineEnd) {
        if (!detected && spaces > 0) decline();
        emptyLines++;
        line = lineEnd + 1;
        continue;
      }
      if (!detected) indent = Math.max(indent, spaces);
      // A line less indented ends the scalar (and is read next).
      if (spaces < indent) break;
      value += '\n'.repeat(detected ? 1 + emptyLines : emptyLines) + text.slice(line + spaces, lineEnd);
      detected = true;
      emptyLines = 0;
      line = lineEnd + 1;
    }
    if (!detected) decline();
    // Clip: one final line break; keep (+): every one; strip (-): none.
    if (chomping === PLUS) value += '\n'.repeat(1 + emptyLines);
    else if (chomping !== DASH) value += '\n';
    this.seek(line);
    return value;
  }
}

/** A scalar or flow collection that ends on its line [start, end) (a comment may follow). */
function inlineValue(text: string, start: number, end: number): unknown {
  const first = text.charCodeAt(start);
  if (first === QUOTE || first === APOSTROPHE || first === OPEN_BRACE || first === OPEN_BRACKET) {
    const flow = new FlowReader(text, start, end);
    const value = flow.node();
    flow.finish();
    return value;
  }
  if (!isPlainStart(first, text.charCodeAt(start + 1))) decline();
  // The scalar ends at " #" (a comment) or the line's end; ": " or a final ":" would make it a key.
  let last = start;
  for (let at = start; at < end; at++) {
    const ch = text.charCodeAt(at);
    if (ch === SPACE) {
      const following = text.charCodeAt(at + 1);
      if (following === HASH) break;
      continue;
    }
    if (ch === COLON && (at + 1 === end || text.charCodeAt(at + 1) === SPACE)) decline();
    last = at;
  }
  return resolvePlain(text.slice(start, last + 1));
}

/** Flow collections and quoted scalars on one line [at, end): `[{name: http, port: 80}]`, `"text"`, `'it''s'`. */
class FlowReader {
  constructor(
    private readonly text: string,
    private at: number,
    private readonly end: number,
  ) {}

  private spaces(): void {
    while (this.text.charCodeAt(this.at) === SPACE) this.at++;
  }

  /** Only spaces, or spaces and a comment, may follow the value on its line. */
  finish(): void {
    const before = this.at;
    this.spaces();
    if (this.at !== this.end && !(this.at > before && this.text.charCodeAt(this.at) === HASH)) decline();
  }

  node(): unknown {
    const first = this.text.charCodeAt(this.at);
    if (first === QUOTE || first === APOSTROPHE) return this.quoted(first);
    if (first === OPEN_BRACE) return this.collection(CLOSE_BRACE);
    if (first === OPEN_BRACKET) return this.collection(CLOSE_BRACKET);
    return this.plain();
  }

  private quoted(quote: number): string {
    const text = this.text;
    let value = '';
    for (let from = this.at + 1; ; ) {
      let close = from;
      while (close < this.end && text.charCodeAt(close) !== quote) {
        if (text.charCodeAt(close) === 0x5c && quote === QUOTE) decline();
        close++;
      }
      if (close === this.end) return decline();
      value += text.slice(from, close);
      // '' is a quote inside a single-quoted scalar.
      if (quote === APOSTROPHE && text.charCodeAt(close + 1) === APOSTROPHE) {
        value += "'";
        from = close + 2;
        continue;
      }
      this.at = close + 1;
      return value;
    }
  }

  private plain(): unknown {
    const text = this.text;
    const start = this.at;
    if (!isPlainStart(text.charCodeAt(start), text.charCodeAt(start + 1))) decline();
    let at = start;
    let last = start;
    for (; at < this.end; at++) {
      const ch = text.charCodeAt(at);
      if (ch === COMMA || ch === CLOSE_BRACKET || ch === CLOSE_BRACE || ch === COLON) break;
      if (ch === OPEN_BRACKET || ch === OPEN_BRACE || ch === HASH) decline();
      if (ch !== SPACE) last = at;
    }
    this.at = at;
    return resolvePlain(text.slice(start, last + 1));
  }

  private collection(close: number): unknown {
    const text = this.text;
    const isMapping = close === CLOSE_BRACE;
    this.at++;
    this.spaces();
    const map: Record<string, unknown> = {};
    const items: unknown[] = [];
    if (text.charCodeAt(this.at) === close) {
      this.at++;
      return isMapping ? map : items;
    }
    for (;;) {
      if (isMapping) {
        const start = this.at;
        const first = text.charCodeAt(start);
        if (!(isAlphanumeric(first) || first === 0x5f)) decline();
        while (isKeyChar(text.charCodeAt(this.at))) this.at++;
        if (text.charCodeAt(this.at) !== COLON || text.charCodeAt(this.at + 1) !== SPACE) decline();
        const key = keyText(text.slice(start, this.at));
        this.at += 2;
        this.spaces();
        if (key === '__proto__' || Object.hasOwn(map, key)) decline();
        map[key] = this.node();
      } else {
        items.push(this.node());
      }
      this.spaces();
      const ch = text.charCodeAt(this.at);
      if (ch === close) {
        this.at++;
        return isMapping ? map : items;
      }
      // ", " then the next entry (a trailing comma or an empty entry is no key or scalar: declined).
      if (ch !== COMMA || text.charCodeAt(this.at + 1) !== SPACE) decline();
      this.at += 2;
      this.spaces();
    }
  }
}

// Anything outside printable ASCII and line feeds (tabs, carriage returns, control characters, any non-ASCII).
const OUTSIDE_SUBSET = /[^\x20-\x7e\n]/;

/** js-yaml's reading of `text` with the core schema, when the text is in the subset this reads; else undefined. */
export function readBlock(text: string): unknown {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (error) {
    // Too deep for the stack here: js-yaml decides (and the caller reports it).
    if (error instanceof Declined || error instanceof RangeError) return undefined;
    throw error;
  }
}
