import { CancelledError, UsageError } from '../errors.js';
import { restartDeadline } from '../timeout.js';

// All questions go through here. Without a terminal there is no one to ask: fail with the
// flag that answers the question. Ctrl-C becomes a clean cancel instead of a stack trace.

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env['CI'];
}

function requireTerminal(what: string, flag: string): void {
  if (!canPrompt()) throw new UsageError(`${what} is required and there is no terminal to ask on`, `pass ${flag}`);
}

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    const answer = await run();
    restartDeadline(); // the time the user took to answer is not network time
    return answer;
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new CancelledError();
    throw error;
  }
}

export interface TextQuestion {
  message: string;
  flag: string;
  default?: string;
  /** Returns an error message, or undefined when the answer is acceptable. */
  validate?: (answer: string) => string | undefined;
}

export async function askText(question: TextQuestion): Promise<string> {
  requireTerminal(question.message, question.flag);
  const { input } = await import('@inquirer/prompts');
  return guard(() =>
    input(
      {
        message: question.message,
        ...(question.default === undefined ? {} : { default: question.default }),
        validate: (answer: string) => question.validate?.(answer) ?? true,
      },
      { output: process.stderr },
    ),
  );
}

export async function askConfirm(message: string, flag: string, defaultAnswer = false): Promise<boolean> {
  requireTerminal(message, flag);
  const { confirm } = await import('@inquirer/prompts');
  return guard(() => confirm({ message, default: defaultAnswer }, { output: process.stderr }));
}

export interface Choice {
  value: string;
  name: string;
  description?: string;
}

export async function askSelect(message: string, flag: string, choices: readonly Choice[], defaultValue?: string): Promise<string> {
  requireTerminal(message, flag);
  const { select } = await import('@inquirer/prompts');
  return guard(() => select({ message, choices: [...choices], ...(defaultValue === undefined ? {} : { default: defaultValue }) }, { output: process.stderr }));
}
