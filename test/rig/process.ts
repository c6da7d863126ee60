import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Child servers of the rig: each logs to its own file, is stopped by the harness, and is
// killed when this process exits for any reason, so no server outlives a test run.

const running = new Set<ChildProcess>();
function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Where the current run's output starts in the log file (it is appended across restarts). */
  private startOffset = 0;

  constructor(
    readonly name: string,
    readonly logFile: string,
  ) {}

  start(command: string, args: string[], env: Record<string, string | undefined> = {}): void {
    this.startOffset = Buffer.byteLength(this.log());
    const log = createWriteStream(this.logFile, { flags: 'a' });
    log.write(`\n### ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    running.add(child);
    this.child = child;
    child.once('exit', () => running.delete(child));
    // 'close' comes after the child's output has been read; resolve once the log file holds it all.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        log.end(`### exited code=${String(code)} signal=${String(signal)}\n`, resolve);
      }),
    );
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Wait until `probe` answers true, failing early (with the log path) if the process dies. */
  async waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited while waiting for ${what}; see ${this.logFile}`);
      if (await probe().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; see ${this.logFile}`);
  }

  /** The output of the current run only. */
  currentLog(): string {
    return Buffer.from(this.log()).subarray(this.startOffset).toString('utf8');
  }

  async waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    await this.waitUntil(`log line ${pattern}`, async () => (match = this.currentLog().match(pattern)) !== null, timeoutMs);
    return match as unknown as RegExpMatchArray;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
