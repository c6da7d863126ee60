import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { looseModeWarning, readBoundedFile } from '../fs-safe.js';
import { registerSecret } from '../secrets.js';

// MinIO registers the OpenID client secret as an HMAC key under kid = client id
// (CVE-2026-33322): a guessable secret lets anyone forge tokens. Always >= 32 random bytes.

const SECRET_BYTES = 32;
const MIN_SECRET_LENGTH = 32;
/** What a reused secret must at least be worth, estimated conservatively (see secretStrengthBits). */
export const MIN_SECRET_BITS = 128;
const SECRET_FILE_MAX_BYTES = 64 * 1024;
/** Values seen in write-ups and defaults: never acceptable, and what doctor tries to forge tokens with. */
export const WEAK_SECRETS = ['', 'dummy', 'secret', 'changeme', 'password', 'minio', 'sts.amazonaws.com'];

export function generateClientSecret(): string {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  registerSecret(secret);
  return secret;
}

/**
 * A conservative estimate of a secret's entropy in bits: the characters' empirical entropy
 * times the number of characters that are not predictable from the one before (a repeat, or
 * the next or previous in sequence, as in "aaaa" or "abcd"). Random base64 of 32 bytes scores
 * about 200; "a" x 32 scores 0; a word repeated scores little.
 */
export function secretStrengthBits(secret: string): number {
  const chars = [...secret];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  let surprising = 0;
  const seen = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    const code = chars[i]?.codePointAt(0) ?? 0;
    const previous = chars[i - 1]?.codePointAt(0) ?? -9;
    // A run of 4+ characters already seen in the same order is a repetition of a word.
    const fourGram = chars.slice(i, i + 4).join('');
    const repeated = fourGram.length === 4 && seen.has(fourGram);
    if (i >= 3) seen.add(chars.slice(i - 3, i + 1).join(''));
    if (Math.abs(code - previous) > 1 && !repeated) surprising++;
  }
  return Math.round(perChar * surprising);
}

export interface ReusedSecret {
  secret: string;
  /** A warning about the file (loose permissions), if any. */
  warning: string | undefined;
}

/** Reuse a secret kept in a file (so re-rendering does not rotate it), if it is strong. */
export async function readClientSecretFile(path: string): Promise<ReusedSecret> {
  const { text, mode } = await readBoundedFile(path, SECRET_FILE_MAX_BYTES, '--client-secret-file', 'pass a readable file holding the secret on its first line');
  const secret = (text.split(/\r?\n/)[0] ?? '').trim();
  registerSecret(secret);
  const bits = secretStrengthBits(secret);
  // Every known weak secret (WEAK_SECRETS) is shorter than the minimum: a unit test keeps it so.
  if (secret.length < MIN_SECRET_LENGTH || bits < MIN_SECRET_BITS) {
    throw new UsageError(
      `the client secret in --client-secret-file is too weak (${secret.length} characters, about ${bits} bits of entropy; at least ${MIN_SECRET_LENGTH} characters and ${MIN_SECRET_BITS} bits are needed, since MinIO accepts tokens signed with it)`,
      'drop --client-secret-file to generate a strong one, or create one with: openssl rand -base64 32',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(secret) || /["'\\$#`]/.test(secret)) {
    throw new UsageError("the client secret in --client-secret-file has characters that break env files (quotes, '$', '#', '\\', spaces or non-ASCII)", 'drop --client-secret-file to generate one');
  }
  return { secret, warning: looseModeWarning(path, mode, '--client-secret-file') };
}
