import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

// The CLI on a real terminal, as a person runs it: script(1) allocates a pseudo-terminal, so
// prompts and spinners run; keys written to it are typed (\x03 is Ctrl-C, \r is Enter).

export interface PtyStep {
  /** Wait until the screen shows this... */
  waitFor: RegExp;
  /** ...then type this. */
  type: string;
}

export interface PtyResult {
  /** Everything the terminal showed. */
  screen: string;
  /** The CLI's own exit code. */
  code: number;
  /** Milliseconds from the last keys typed to the exit. */
  afterLastKeysMs: number;
}

export async function runInPty(args: string[], steps: PtyStep[], timeoutMs = 60_000): Promise<PtyResult> {
  const quoted = [process.execPath, BIN, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  // `exec`: no shell stays between the terminal and the CLI. A shell waiting on it would get the
  // Ctrl-C too, and dash (/bin/sh) then dies before it can report the exit code; script -e
  // passes the CLI's own exit code on instead.
  const child = spawn('script', ['-qfec', `exec ${quoted}`, '/dev/null'], {
    env: { ...process.env, CI: '', NO_COLOR: '1', TERM: 'xterm', SHELL: '/bin/sh' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let typedAt = Date.now();
  const pending = [...steps];
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    const next = pending[0];
    if (next && next.waitFor.test(screen)) {
      pending.shift();
      typedAt = Date.now();
      child.stdin.write(next.type);
    }
  });
  const code = await new Promise<number>((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? -1)));
  clearTimeout(timer);
  return { screen, code, afterLastKeysMs: Date.now() - typedAt };
}
