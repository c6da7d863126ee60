import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { registerSecret } from '../secrets.js';

// MinIO registers the OpenID client secret as an HMAC key under kid = client id
// (CVE-2026-33322): a guessable secret lets anyone forge tokens. Always >= 32 random bytes.

const SECRET_BYTES = 32;
const MIN_SECRET_LENGTH = 32;
/** Values seen in write-ups and defaults; never acceptable. */
export const WEAK_SECRETS = ['', 'dummy', 'secret', 'changeme', 'password', 'minio', 'sts.amazonaws.com'];

export function generateClientSecret(): string {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  registerSecret(secret);
  return secret;
}

/** Reuse a secret kept in a file (so re-rendering does not rotate it), if it is strong. */
export async function readClientSecretFile(path: string): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --client-secret-file ${path}: ${(error as Error).message}`, 'pass a readable file holding the secret on its first line');
  }
  const secret = (content.split(/\r?\n/)[0] ?? '').trim();
  registerSecret(secret);
  if (WEAK_SECRETS.includes(secret.toLowerCase()) || secret.length < MIN_SECRET_LENGTH) {
    throw new UsageError(
      `the client secret in ${path} is too weak (${secret.length} characters; at least ${MIN_SECRET_LENGTH} random ones are needed, since MinIO accepts tokens signed with it)`,
      'drop --client-secret-file to generate a strong one',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(secret) || /["'\\$#`]/.test(secret)) {
    throw new UsageError(`the client secret in ${path} has characters that break env files (quotes, '$', '#', '\\' or spaces)`, 'drop --client-secret-file to generate one');
  }
  return secret;
}
