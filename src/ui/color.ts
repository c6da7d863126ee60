import type { ChalkInstance } from 'chalk';

// Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). chalk is
// loaded only then: pipes, CI and files get plain text without paying for it.
let chalk: ChalkInstance | undefined;

export function colorWanted(): boolean {
  return (process.env['NO_COLOR'] ?? '') === '' && Boolean(process.stderr.isTTY);
}

export async function loadColor(): Promise<void> {
  if (chalk || !colorWanted()) return;
  const { Chalk, supportsColorStderr } = await import('chalk');
  if (supportsColorStderr) chalk = new Chalk({ level: supportsColorStderr.level });
}

type Paint = (text: string) => string;
const paint = (name: 'green' | 'yellow' | 'red' | 'cyan' | 'dim' | 'bold'): Paint => (text) => (chalk ? chalk[name](text) : text);

export const color = {
  green: paint('green'),
  yellow: paint('yellow'),
  red: paint('red'),
  cyan: paint('cyan'),
  dim: paint('dim'),
  bold: paint('bold'),
};

export const symbols = {
  get ok(): string {
    return color.green('√');
  },
  get warn(): string {
    return color.yellow('‼');
  },
  get fail(): string {
    return color.red('×');
  },
  get info(): string {
    return color.cyan('i');
  },
  get skip(): string {
    return color.dim('-');
  },
};
