import { logger } from './logger.js';

// The one spinner factory. A spinner only on an interactive stderr; elsewhere (CI, pipes,
// tests) each step is a plain log line, so logs stay readable.
export interface Spinner {
  succeed(text?: string): void;
  fail(text?: string): void;
  warn(text?: string): void;
  stop(): void;
}

export async function startSpinner(text: string): Promise<Spinner> {
  if (!process.stderr.isTTY || process.env['CI']) {
    logger.step(text);
    return {
      succeed: (t) => logger.success(t ?? text),
      fail: (t) => logger.error(t ?? text),
      warn: (t) => logger.warn(t ?? text),
      stop: () => undefined,
    };
  }
  const { default: ora } = await import('ora');
  // discardStdin would put the terminal in raw mode, where Ctrl-C is a byte, not SIGINT.
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
  return {
    succeed: (t) => void spinner.succeed(t ?? text),
    fail: (t) => void spinner.fail(t ?? text),
    warn: (t) => void spinner.warn(t ?? text),
    stop: () => void spinner.stop(),
  };
}
