import { redact } from '../secrets.js';
import { color, symbols } from './color.js';

// The one logger. Everything but command data goes to stderr, so stdout stays pipeable.
let debugEnabled = false;

function write(line: string): void {
  process.stderr.write(`${redact(line)}\n`);
}

export const logger = {
  setDebug(on: boolean): void {
    debugEnabled = on;
  },
  get debugEnabled(): boolean {
    return debugEnabled;
  },
  info(message: string): void {
    write(message);
  },
  step(message: string): void {
    write(`${color.cyan('›')} ${message}`);
  },
  success(message: string): void {
    write(`${symbols.ok} ${message}`);
  },
  warn(message: string): void {
    write(`${symbols.warn} ${color.yellow(message)}`);
  },
  error(message: string, hint?: string): void {
    write(`${color.red('error:')} ${message}`);
    if (hint) write(`  ${color.dim('fix:')} ${hint}`);
  },
  debug(message: string): void {
    if (debugEnabled) write(color.dim(message));
  },
};
