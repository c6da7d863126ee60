import { printable } from '../encode.js';
import { redact } from '../secrets.js';
import { color, symbols } from './color.js';

// The one logger. Everything but command data goes to stderr, so stdout stays pipeable.
// Every message is scrubbed of known secrets and made printable BEFORE it is coloured, so a
// hostile value (an escape sequence, a newline) can neither recolour the terminal nor split
// the one-line error.
let debugEnabled = false;

const clean = (message: string): string => printable(redact(message));

function write(line: string): void {
  process.stderr.write(`${line}\n`);
}

export const logger = {
  setDebug(on: boolean): void {
    debugEnabled = on;
  },
  get debugEnabled(): boolean {
    return debugEnabled;
  },
  info(message: string): void {
    write(clean(message));
  },
  step(message: string): void {
    write(`${color.cyan('›')} ${clean(message)}`);
  },
  success(message: string): void {
    write(`${symbols.ok} ${clean(message)}`);
  },
  warn(message: string): void {
    write(`${symbols.warn} ${color.yellow(clean(message))}`);
  },
  error(message: string, hint?: string): void {
    write(`${color.red('error:')} ${clean(message)}`);
    if (hint) write(`  ${color.dim('fix:')} ${clean(hint)}`);
  },
  /** A structured log record (long-running servers): one JSON line, secrets scrubbed, never coloured. */
  record(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, string | number | boolean | undefined> = {}): void {
    write(redact(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })));
  },
  /** Debug output may span lines (stack traces); each line is cleaned. */
  debug(message: string): void {
    if (debugEnabled) for (const line of message.split('\n')) write(color.dim(clean(line)));
  },
};
