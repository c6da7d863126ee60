import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { AdminTarget } from './admin.js';

// Admin credentials, from where people already keep them. Never printed, never written.

export interface AdminSource {
  alias?: string | undefined;
  accessKey?: string | undefined;
  secretKeyFile?: string | undefined;
  endpoint?: string | undefined;
  caPem?: string | undefined;
}

export interface ResolvedAdmin extends AdminTarget {
  /** Where the credentials came from, for messages (never the values). */
  source: string;
}

interface McConfig {
  aliases?: Record<string, { url?: string; accessKey?: string; secretKey?: string }>;
}

function fromUrl(value: string, origin: string): { endpoint: string; accessKey: string; secretKey: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${origin} is not a URL`, 'use the form https://ACCESS_KEY:SECRET_KEY@host:port');
  }
  if (!url.username || !url.password) throw new UsageError(`${origin} has no access key and secret key`, 'use the form https://ACCESS_KEY:SECRET_KEY@host:port');
  return { endpoint: url.origin, accessKey: decodeURIComponent(url.username), secretKey: decodeURIComponent(url.password) };
}

async function mcConfig(): Promise<{ path: string; config: McConfig } | undefined> {
  const dir = process.env['MC_CONFIG_DIR'] ?? join(homedir(), '.mc');
  const path = join(dir, 'config.json');
  try {
    return { path, config: JSON.parse(await readFile(path, 'utf8')) as McConfig };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read mc's config ${path}: ${(error as Error).message}`, 'fix the file, or pass credentials another way');
  }
}

async function fromAlias(alias: string): Promise<ResolvedAdmin> {
  const envName = `MC_HOST_${alias}`;
  const fromEnv = process.env[envName];
  if (fromEnv) return { ...fromUrl(fromEnv, envName), source: envName };
  const mc = await mcConfig();
  const entry = mc?.config.aliases?.[alias];
  if (!entry?.url || !entry.accessKey || !entry.secretKey) {
    const known = Object.keys(mc?.config.aliases ?? {}).join(', ') || 'none';
    throw new UsageError(`mc alias "${alias}" not found in ${envName} or ${mc?.path ?? '~/.mc/config.json'} (aliases: ${known})`, `create it with: mc alias set ${alias} https://minio.example.com:9000 ACCESS_KEY`);
  }
  return { endpoint: new URL(entry.url).origin, accessKey: entry.accessKey, secretKey: entry.secretKey, source: `mc alias "${alias}" (${mc?.path ?? ''})` };
}

export async function resolveAdmin(source: AdminSource): Promise<ResolvedAdmin> {
  let resolved: ResolvedAdmin;
  if (source.alias) {
    resolved = await fromAlias(source.alias);
  } else {
    const accessKey = source.accessKey ?? process.env['MINIO_ROOT_USER'];
    let secretKey = process.env['MINIO_ROOT_PASSWORD'];
    let from = 'MINIO_ROOT_USER/MINIO_ROOT_PASSWORD';
    if (source.secretKeyFile) {
      try {
        secretKey = (await readFile(source.secretKeyFile, 'utf8')).split(/\r?\n/)[0]?.trim();
      } catch (error) {
        throw new UsageError(`cannot read --admin-secret-file ${source.secretKeyFile}: ${(error as Error).message}`, 'pass a readable file holding the secret key on its first line');
      }
      from = `--admin-user and --admin-secret-file`;
    } else if (source.accessKey) {
      from = '--admin-user and MINIO_ROOT_PASSWORD';
    }
    if (!accessKey || !secretKey) {
      throw new UsageError('MinIO admin credentials are needed', 'pass --alias NAME (an mc alias), or set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, or pass --admin-user with --admin-secret-file');
    }
    if (!source.endpoint) throw new UsageError("MinIO's endpoint is needed for the admin API", 'pass --endpoint https://minio.example.com:9000 (or use --alias)');
    resolved = { endpoint: source.endpoint, accessKey, secretKey, source: from };
  }
  registerSecret(resolved.secretKey);
  return { ...resolved, caPem: source.caPem };
}
