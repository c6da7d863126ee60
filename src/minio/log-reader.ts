import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { printable } from '../encode.js';
import { OperationError, UsageError } from '../errors.js';
import { formatBytes } from '../fs-safe.js';
import { roleArnsFromLine } from './arn.js';

// MinIO's log, read line by line from a file, stdin or a command the user names (kubectl logs,
// docker logs, journalctl): memory stays flat however long the log, a command is stopped at
// its deadline (with everything it started), and its failure is reported as one.

/** Longer lines are cut: MinIO's lines are short, and a line without end must not fill memory. */
const MAX_LINE_BYTES = 1 << 20;
/** More than this is not one MinIO start's log. */
export const MAX_LOG_BYTES = 1 << 30;

export interface LogScan {
  /** The ARNs of the last "IAM Roles:" line; undefined when there was none. */
  roles: string[] | undefined;
  /** The last lines matching `keep` (at most KEPT_LINES), oldest first. */
  kept: string[];
  bytes: number;
}

const KEPT_LINES = 50;

/** Feed a byte stream through the scanner, line by line; `keep` picks lines worth keeping. */
export async function scanLog(stream: AsyncIterable<Buffer | string>, maxBytes = MAX_LOG_BYTES, keep?: RegExp): Promise<LogScan> {
  let roles: string[] | undefined;
  const kept: string[] = [];
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const line = (buffer: Buffer) => {
    const text = buffer.toString('utf8');
    roles = roleArnsFromLine(text) ?? roles;
    if (keep?.test(text)) {
      kept.push(text.replace(/\r$/, ''));
      if (kept.length > KEPT_LINES) kept.shift();
    }
  };
  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    bytes += chunk.length;
    if (bytes > maxBytes) throw new LogTooLarge(maxBytes);
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, end));
      line(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      start = end + 1;
    }
    if (start < chunk.length && pendingBytes < MAX_LINE_BYTES) {
      const rest = chunk.subarray(start, start + (MAX_LINE_BYTES - pendingBytes));
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pending.length > 0) line(Buffer.concat(pending));
  return { roles, kept, bytes };
}

export class LogTooLarge extends OperationError {
  constructor(maxBytes: number) {
    super(`the log is larger than ${formatBytes(maxBytes)}: that is not one MinIO start's output`, 'pass the log of MinIO\'s latest start only (e.g. kubectl logs --since=24h, journalctl -b -u minio)');
  }
}

/** A log file, or '-' for stdin. */
export async function scanLogFile(source: string, keep?: RegExp): Promise<LogScan> {
  if (source === '-') return scanLog(process.stdin, MAX_LOG_BYTES, keep);
  const stream = createReadStream(source);
  try {
    return await scanLog(stream, MAX_LOG_BYTES, keep);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code) {
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code;
      throw new UsageError(`cannot read --from-logs ${printable(source)}: ${reason}`, 'pass a readable log file, or - to read stdin');
    }
    throw error;
  } finally {
    stream.destroy();
  }
}

/** What a failed command said last: enough to see why, never unbounded. */
const STDERR_TAIL_BYTES = 4096;

/**
 * Run the user's command in a shell, in a process group of its own so that the deadline
 * stops it and everything it started (a `sleep` the shell waits for, a `kubectl logs -f`).
 */
export async function scanLogCommand(command: string, timeoutMs: number, keep?: RegExp): Promise<LogScan> {
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let scan: LogScan;
  try {
    scan = await scanLog(child.stdout, MAX_LOG_BYTES, keep);
  } catch (error) {
    killGroup();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const { code, signal } = await exited;
  const shown = printable(command);
  if (timedOut) {
    throw new OperationError(`--from-command "${shown}" did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`, 'use a command that prints the log and exits (e.g. kubectl logs without -f), or raise --command-timeout');
  }
  if (code !== 0) {
    const said = printable(stderrTail.trim().split('\n').slice(-2).join(' / '));
    throw new OperationError(
      `--from-command "${shown}" failed (${code === null ? `killed by ${signal ?? 'a signal'}` : `exit ${code}`})${said ? `: ${said}` : ''}`,
      'run it yourself to see why; it must print MinIO\'s log and exit 0',
    );
  }
  return scan;
}
