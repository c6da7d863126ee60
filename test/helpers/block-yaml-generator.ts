// Block YAML at the edge of inject's plain-YAML reader (src/inject/block-reader.ts), varied at
// random from a seed (repeatable): nested mappings and sequences (at their key's column or
// deeper, one or two spaces after a dash), flow collections and quoted scalars on one line,
// literal block scalars, comments and blank lines at any column, keys and scalars that resolve
// to numbers, booleans and null, and text js-yaml reads otherwise or refuses; then mutated
// character by character.

import { Seeded } from './seeded.js';

const KEYS = ['z', 'Z9', '_a', 'name', 'image', 'env', 'value', 'a', 'b', 'app.kubernetes.io/name', '1', '0x1F', '1e3', 'true', 'True', 'null', 'NULL', 'x_y', '8080', '1_0', '0o7', 'y', 'on', 'key-1', 'a.b', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '-a', '.inf', '~', '"q"', "'s'", 'a b', 'k ', '<<', '"1"', '"a b"', "'a: b'", '""', '"a\\"b"', "'it''s'", '"a" ', '"a"b', '"#"', '"- x"'];
const SCALARS = ['info', 'a b', '1', '-1', '+1', '-0', '0', '012', '0o17', '0x1F', '0b101', '1_000', '1e3', '1.5', '.5', '5.', '-.inf', '.NaN', '.nan', '~', 'null', 'Null', 'NULL', 'true', 'True', 'FALSE', 'yes', 'no', 'on', 'a:b', 'a,b', 'a#b', 'http://x:80/p', "it's", 'a"b', '"q"', "'s'", "'it''s'", '""', "''", '"a#b"', '"a: b"', '"a\\tb"', '[a, b]', '[]', '{}', '{a: 1}', '{a: 1, b: [x, "y"]}', '[{name: http, containerPort: 8080}]', '[a,b]', '{a:1}', '[a, ]', '{a: }', '[ a , b ]', '{ }', '[ ]', '[[a], {b: [c]}]', '{"a": 1}', '{a: 1, a: 2}', '$HOME', '(x)', '=', '^a', '/p', './p', '-a', '-.5', '--x', '1:2', '12:30:00', '2001-12-14', 'a  b', 'a ', 'x # c', '"x" # c', '[x] # c', '[x]#c', '"x"#c', 'a: b', 'a:', '100Mi', '500m', '0.5', '1e', '1__', '0x', '+', '-', '.', '0.', '+.inf', '9007199254740993', '1e400', '-1e400', '0b', '_1', '1_', '0_1', '08', '0o8', '+0x1', '-0x1F', '0xG', '&a x', '*a', '!!str 1', '|', '>-', '%x', '@x', '`x', '?x', ':x', 'a&b', 'a*b', 'a!b', 'a<<b', '123456789012345', '1234567890123456', '00', '0500', '5Gi', '1x', '0xZ', '0xff', '0XFF', '1o', '12e3', '1E3', '1b', '0b12', '0o19', '1.e5', '1_0.5', '--port=80', '-x-', '-#', '-\\', 'a\\b', '"x" y', '[x] y', '[a[b]', '{a: b{c}', '{: x}', '[x, -]', '- x', 'z', 'Z9', '-z', '_z', 'zz: 9'];
const ALPHABET = [' ', '  ', ':', ': ', '-', '- ', '#', ' #', ',', '[', ']', '{', '}', '"', "'", 'a', '1', '\n', '\n  ', '~', '.', '0', '\t', '\r', '&', '*', '!', '|', '>', '?', '%', '---', '...', 'é'];

export class BlockYamlGenerator extends Seeded {
  /** A document: a mapping or a sequence, at column 0 or deeper (as a pod spec read back alone is). */
  document(): string {
    const body = this.random() < 0.8 ? this.mapping(this.pick([0, 0, 0, 2, 6]), 0) : this.sequence(this.pick([0, 2]), 0);
    const text = `${this.random() < 0.2 ? '---\n' : ''}${body}`;
    return this.random() < 0.1 ? text.trimEnd() : text;
  }

  /** The text with one character inserted, a few deleted, or one line indented or outdented by a space. */
  mutate(text: string): string {
    const at = Math.floor(this.random() * (text.length + 1));
    const choice = this.random();
    if (choice < 0.4) return text.slice(0, at) + this.pick(ALPHABET) + text.slice(at);
    if (choice < 0.7) return text.slice(0, at) + text.slice(at + 1 + Math.floor(this.random() * 3));
    const lines = text.split('\n');
    const index = Math.floor(this.random() * lines.length);
    const line = lines[index] ?? '';
    lines[index] = choice < 0.85 ? ` ${line}` : line.replace(/^ /, '');
    return lines.join('\n');
  }

  private value(indent: number, depth: number): string {
    if (this.random() < 0.1) return this.blockScalar(indent);
    if (depth > 3 || this.random() < 0.3) return ` ${this.pick(SCALARS)}\n`;
    return this.random() < 0.5 ? `\n${this.mapping(indent + this.pick([2, 2, 1, 4]), depth + 1)}` : `\n${this.sequence(indent + this.pick([2, 2, 0, 4]), depth + 1)}`;
  }

  /** A literal block scalar below a key or dash at `indent`: its header, then lines (some blank, deeper, or like comments). */
  private blockScalar(indent: number): string {
    const header = ` ${this.pick(['|', '|', '|-', '|+', '>', '|2', '| # c', '|-  # c', '|#c', '|x', '|-+'])}\n`;
    const column = ' '.repeat(indent + this.pick([1, 2, 2, 4]));
    let out = header;
    const lines = 1 + Math.floor(this.random() * 4);
    for (let line = 0; line < lines; line++) {
      out += this.pick([`${column}text ${line}\n`, `${column}  deeper\n`, `${column}# not a comment\n`, '\n', `${column}\n`, `${column}   \n`, `${column}{"json": [1, "a: b"]}\n`, `${column}- item\n`, `${column}key: value\n`]);
    }
    return out + this.pick(['', '', '\n', '\n\n', `${column}\n`]);
  }

  private comment(indent: number): string {
    return this.pick(['', '', '', '\n', `${' '.repeat(indent)}# c\n`, '# c\n', `${' '.repeat(indent + 3)}# deep\n`, '   \n']);
  }

  private mapping(indent: number, depth: number, afterDash = false): string {
    let out = '';
    const entries = 1 + Math.floor(this.random() * 3);
    for (let entry = 0; entry < entries; entry++) {
      const value = this.value(indent, depth);
      const comment = value.startsWith('\n') ? this.pick(['', '', ' # k']) : '';
      out += `${afterDash && entry === 0 ? '' : ' '.repeat(indent)}${this.pick(KEYS)}:${comment}${value}${this.comment(indent)}`;
    }
    return out;
  }

  private sequence(indent: number, depth: number): string {
    let out = '';
    const items = 1 + Math.floor(this.random() * 3);
    for (let item = 0; item < items; item++) {
      const gap = this.pick([' ', ' ', '  ']);
      out += `${' '.repeat(indent)}-${gap}`;
      out += this.random() < 0.5 ? this.mapping(indent + 1 + gap.length, depth + 1, true) : `${this.pick(SCALARS)}\n`;
      out += this.comment(indent);
    }
    return out;
  }
}
