// One encoder per output format. Every value written into a file we generate, or echoed to a
// terminal, goes through exactly one of these; none trusts its input to be harmless.

export class Unrepresentable extends Error {}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators. YAML 1.1 parsers
// (Go's yaml, PyYAML: kubectl, the apiserver) break lines at U+0085, U+2028 and U+2029 too.
// eslint-disable-next-line no-control-regex -- these are exactly the characters we escape
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;
// eslint-disable-next-line no-control-regex -- ditto, without \n
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

export function hasControl(value: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(value);
  CONTROL.lastIndex = 0;
  return found;
}

function unicodeEscape(char: string): string {
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * For a terminal: control characters become visible escapes (\n, \x1b ...), so a hostile
 * value can neither recolour the terminal nor split the one-line error.
 */
export function printable(value: string): string {
  return value.replace(CONTROL, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const code = char.codePointAt(0) ?? 0;
    const hex = code.toString(16);
    return hex.length <= 2 ? `\\x${hex.padStart(2, '0')}` : unicodeEscape(char);
  });
}

// What JSON.stringify leaves raw but a YAML 1.1 reader takes as a line break or drops.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

/**
 * Text whose every string is double-quoted (JSON; YAML where each scalar holding one of these
 * is double-quoted) with those characters as \u escapes, which JSON, YAML 1.1 and 1.2 read alike.
 */
export function escapeRawInQuotes(text: string): string {
  return text.replace(RAW_IN_JSON, unicodeEscape);
}

/** A double-quoted JSON string that is also a YAML 1.1 and 1.2 double-quoted scalar. */
export function yamlQuoted(value: string): string {
  return escapeRawInQuotes(JSON.stringify(value));
}

/** Text a YAML literal block (|) can hold verbatim: printable lines, no leading indentation. */
export function literalBlockSafe(value: string): boolean {
  if (CONTROL_BUT_NEWLINE.test(value)) return false;
  const lines = value.replace(/\n$/, '').split('\n');
  return !/^\s/.test(lines[0] ?? '') && lines.every((line) => !/\s$/.test(line)) && !value.endsWith('\n\n');
}

/** POSIX shell: a single-quoted word, for files that are sourced (`set -a; . ./FILE`). */
export function shellQuoted(value: string): string {
  if (value.includes('\0')) throw new Unrepresentable('a NUL byte cannot be passed in a shell word');
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * systemd EnvironmentFile=: a double-quoted value, in which systemd takes backslash escapes
 * for `"`, `\`, `` ` `` and `$`. Control characters (newlines included) are refused: systemd
 * would keep or join them in ways no reader of the file expects.
 */
export function systemdQuoted(value: string): string {
  if (hasControl(value)) throw new Unrepresentable('control characters and line breaks cannot be written to a systemd EnvironmentFile');
  return `"${value.replace(/["\\`$]/g, '\\$&')}"`;
}

/**
 * docker --env-file has no quoting at all: the value is the rest of the line, verbatim. What
 * it cannot carry (line breaks, controls, leading blanks it would strip) is refused.
 */
export function dockerEnvValue(value: string): string {
  if (hasControl(value) || /^\s/.test(value)) throw new Unrepresentable('docker --env-file cannot carry line breaks, control characters or leading blanks');
  return value;
}

/** docker compose interpolates `$` in every string of the file: `$$` is a literal dollar. */
export function composeEscaped(value: string): string {
  return value.replace(/\$/g, '$$$$');
}
