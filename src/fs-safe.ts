import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/**
 * Write a file holding secrets: mode 0600 from the first byte, all or nothing (temp file
 * then link/rename), and never over an existing file unless `force`, so no file is lost.
 */
export async function writePrivateFile(path: string, content: string, force = false): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`, 'choose a writable location for -o');
  }
  try {
    if (force) {
      await rename(temp, path);
      return;
    }
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${path} already exists; not overwriting it`, 'choose another -o path, or pass --force to replace it');
    }
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`, 'choose a writable location for -o');
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
