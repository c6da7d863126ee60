import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch.js';

/**
 * The variables a rendered env file sets, as a POSIX shell reads it (`set -a; . FILE`): the
 * real judge of the quoting, in an empty environment. Only MINIO_* variables are returned.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const file = join(scratchDir('irsa-env-'), 'minio.env');
  writeFileSync(file, text, { mode: 0o600 });
  const result = spawnSync('/bin/sh', ['-c', 'set -a; . "$1"; exec env -0', 'sh', file], { env: {}, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sh could not source the env file: ${result.stderr}`);
  const env: Record<string, string> = {};
  for (const entry of result.stdout.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0 && entry.startsWith('MINIO_')) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}
