import { Chalk, supportsColorStderr } from 'chalk';

// Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org).
const noColor = (process.env['NO_COLOR'] ?? '') !== '';
const level = noColor || !process.stderr.isTTY || supportsColorStderr === false ? 0 : supportsColorStderr.level;

export const color = new Chalk({ level });
export const symbols = {
  ok: color.green('√'),
  warn: color.yellow('‼'),
  fail: color.red('×'),
  info: color.cyan('i'),
  skip: color.dim('-'),
};
