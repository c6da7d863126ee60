import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import { printable } from './encode.js';

// The one writer and the one bounded reader of files the user names.

export interface WriteOptions {
  /** 0o600 for anything holding a secret. */
  mode: number;
  /** Replace an existing regular file. Never anything else. */
  force: boolean;
  /** The flag that named the path, for messages. */
  flag: string;
}

function shownPath(path: string): string {
  return printable(path);
}

/** The errno name of a failed file operation ("EIO" when it has none). */
function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

/** What is at `path` now, without following a symlink at the last component. */
async function existing(path: string): Promise<'absent' | 'file' | string> {
  try {
    const stat = await lstat(path);
    if (stat.isFile()) return 'file';
    if (stat.isSymbolicLink()) return 'a symbolic link';
    if (stat.isDirectory()) return 'a directory';
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
    if (stat.isFIFO()) return 'a named pipe';
    if (stat.isSocket()) return 'a socket';
    return 'not a regular file';
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'absent';
    throw new UsageError(`cannot inspect ${shownPath(path)}: ${errnoOf(error)}`, 'choose a path you can write');
  }
}

/**
 * Write a file: the content is complete on disk (temp file in the same directory, created
 * exclusively with its final mode, flushed) before it takes the name in one step. Without
 * `force` an existing file is never replaced (link() fails on any existing name); with it only
 * a regular file is, and never a symlink, device, pipe or directory: rename() replaces the
 * name itself and writes through nothing.
 */
export async function writeFileSafely(path: string, content: string, options: WriteOptions): Promise<void> {
  const state = await existing(path);
  if (state !== 'absent' && state !== 'file') {
    throw new UsageError(`${shownPath(path)} is ${state}; refusing to write there`, `give ${options.flag} the path of a regular file (or of one to create)`);
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode);
    await handle.writeFile(content);
    await handle.chmod(options.mode); // the umask may have narrowed or the FS widened it
    await handle.sync();
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new UsageError(`cannot write ${shownPath(path)}: ${errnoOf(error)}`, `choose a writable location for ${options.flag}`);
  }
  await handle.close();
  try {
    if (options.force) {
      // Checked again right before the swap: a path turned into a symlink or device meanwhile is refused.
      const now = await existing(path);
      if (now !== 'absent' && now !== 'file') throw new UsageError(`${shownPath(path)} became ${now}; refusing to write there`, `give ${options.flag} the path of a regular file`);
      await rename(temp, path);
    } else {
      await link(temp, path);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Without --force link() refuses any existing name, also one created since the check above.
    if (errnoOf(error) === 'EEXIST') {
      throw new UsageError(`${shownPath(path)} already exists; not overwriting it`, `choose another ${options.flag} path, or pass --force to replace it`);
    }
    throw new UsageError(`cannot write ${shownPath(path)}: ${errnoOf(error)}`, `choose a writable location for ${options.flag}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** A file the user named cannot be read; `code` says why (ENOENT, EACCES, ETOOBIG ...). */
export class UnreadableFile extends UsageError {
  constructor(
    message: string,
    hint: string,
    readonly code: string,
  ) {
    super(message, hint);
  }
}

const OPEN_FAILURES: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' };

export interface ReadResult {
  text: string;
  /** Permission bits, when the file is a regular file. */
  mode: number | undefined;
}

/**
 * Read at most `maxBytes` of a file the user named (a profile, a secret, a CA, a token): a
 * larger one, or an endless one such as /dev/zero, is refused with a clear line instead of
 * filling memory. Pipes and /dev/stdin are allowed.
 */
export async function readBoundedFile(path: string, maxBytes: number, what: string, hint: string): Promise<ReadResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoOf(error);
    throw new UnreadableFile(`cannot read ${what} ${shownPath(path)}: ${OPEN_FAILURES[code] ?? code}`, hint, code);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new UnreadableFile(`cannot read ${what} ${shownPath(path)}: it is a directory`, hint, 'EISDIR');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(Math.min(65536, maxBytes + 1 - total));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        if (errnoOf(error) === 'EAGAIN') {
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        throw new UnreadableFile(`cannot read ${what} ${shownPath(path)}: ${errnoOf(error)}`, hint, errnoOf(error));
      }
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) {
        throw new UnreadableFile(`${what} ${shownPath(path)} is larger than ${formatBytes(maxBytes)}, far more than it can be`, hint, 'ETOOBIG');
      }
    }
    return { text: Buffer.concat(chunks).toString('utf8'), mode: stat.isFile() ? stat.mode & 0o777 : undefined };
  } finally {
    await handle.close();
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

/** A file holding a secret that others on the machine can read deserves a warning. */
export function looseModeWarning(path: string, mode: number | undefined, what: string): string | undefined {
  if (mode === undefined || (mode & 0o077) === 0) return undefined;
  return `${what} ${shownPath(path)} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${shownPath(path)}`;
}

export type WriteOutcome = 'created' | 'unchanged' | 'replaced';

/**
 * A deliverable that a re-run writes again: the same content is left alone (no rewrite, no
 * --force needed); different content replaces it only with `force`, through the one writer.
 */
export async function writeIfChanged(path: string, content: string, options: WriteOptions): Promise<WriteOutcome> {
  const state = await existing(path);
  if (state === 'file') {
    const current = await readBoundedFile(path, Math.max(1 << 20, content.length * 2), options.flag, `check ${shownPath(path)}`);
    if (current.text === content) return 'unchanged';
  }
  await writeFileSafely(path, content, options);
  return state === 'file' ? 'replaced' : 'created';
}

/** Standard input, bounded like a file (a pipe, a socket or a terminal: /dev/stdin cannot always be opened). */
export async function readBoundedStdin(maxBytes: number, what: string, input: AsyncIterable<unknown> | Iterable<unknown> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    if (total > maxBytes) throw new UnreadableFile(`${what} on stdin is larger than ${formatBytes(maxBytes)}`, `pass fewer ${what} at a time`, 'ETOOBIG');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
