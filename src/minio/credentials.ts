import { homedir } from 'node:os';
import { join } from 'node:path';
import { printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { looseModeWarning, readBoundedFile, UnreadableFile } from '../fs-safe.js';
import { registerSecret } from '../secrets.js';
import { s3Endpoint } from '../validate.js';
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
  /** A warning about where they are kept (a secret file others can read), if any. */
  warning?: string | undefined;
}

const CONFIG_MAX_BYTES = 1 << 20;
const SECRET_FILE_MAX_BYTES = 64 * 1024;

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
  try {
    const secretKey = decodeURIComponent(url.password);
    registerSecret(secretKey);
    return { endpoint: s3Endpoint(url.origin), accessKey: decodeURIComponent(url.username), secretKey };
  } catch {
    throw new UsageError(`${origin} is not a usable MinIO URL`, 'use the form https://ACCESS_KEY:SECRET_KEY@host:port (percent-encode special characters)');
  }
}

async function mcConfig(): Promise<{ path: string; config: McConfig } | undefined> {
  const dir = process.env['MC_CONFIG_DIR'] ?? join(homedir(), '.mc');
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = (await readBoundedFile(path, CONFIG_MAX_BYTES, "mc's config", 'fix the file, or pass credentials another way')).text;
  } catch (error) {
    if (error instanceof UnreadableFile && error.code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const config: unknown = JSON.parse(text);
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error('not an object');
    return { path, config: config as McConfig };
  } catch {
    // The parser's message quotes the text around the error, which holds secret keys: never show it.
    throw new UsageError(`mc's config ${printable(path)} is not valid JSON`, 'fix the file (mc alias list shows whether mc can read it), or pass credentials another way');
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
  registerSecret(String(entry.secretKey));
  let endpoint: string;
  try {
    endpoint = s3Endpoint(String(entry.url));
  } catch {
    throw new UsageError(`mc alias "${alias}" in ${printable(mc?.path ?? '')} has no usable URL`, `fix it with: mc alias set ${alias} https://minio.example.com:9000 ACCESS_KEY`);
  }
  return { endpoint, accessKey: String(entry.accessKey), secretKey: String(entry.secretKey), source: `mc alias "${alias}" (${printable(mc?.path ?? '')})` };
}

/** None were given anywhere: commands that can do without them (doctor, init) go on without. */
export class NoAdminCredentials extends UsageError {}

export async function resolveAdmin(source: AdminSource): Promise<ResolvedAdmin> {
  let resolved: ResolvedAdmin;
  if (source.alias) {
    resolved = await fromAlias(source.alias);
  } else {
    const accessKey = source.accessKey ?? process.env['MINIO_ROOT_USER'];
    let secretKey = process.env['MINIO_ROOT_PASSWORD'];
    let from = 'MINIO_ROOT_USER/MINIO_ROOT_PASSWORD';
    let warning: string | undefined;
    if (source.secretKeyFile) {
      const { text, mode } = await readBoundedFile(source.secretKeyFile, SECRET_FILE_MAX_BYTES, '--admin-secret-file', 'pass a readable file holding the secret key on its first line');
      secretKey = text.split(/\r?\n/)[0]?.trim();
      warning = looseModeWarning(source.secretKeyFile, mode, '--admin-secret-file');
      from = `--admin-user and --admin-secret-file`;
    } else if (source.accessKey) {
      from = '--admin-user and MINIO_ROOT_PASSWORD';
    }
    if (!accessKey || !secretKey) {
      throw new NoAdminCredentials('MinIO admin credentials are needed', 'pass --alias NAME (an mc alias), or set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, or pass --admin-user with --admin-secret-file');
    }
    if (!source.endpoint) throw new UsageError("MinIO's endpoint is needed for the admin API", 'pass --endpoint https://minio.example.com:9000 (or use --alias)');
    resolved = { endpoint: source.endpoint, accessKey, secretKey, source: from, warning };
  }
  registerSecret(resolved.secretKey);
  return { ...resolved, caPem: source.caPem };
}
