import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writePrivateFile } from '../../src/fs-safe.js';
import { generateClientSecret, readClientSecretFile } from '../../src/minio/client-secret.js';
import { redact } from '../../src/secrets.js';

describe('client secret', () => {
  it('is 32 random bytes, base64url, never the same twice', () => {
    const a = generateClientSecret();
    const b = generateClientSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
  });
  it('is scrubbed from anything the logger writes', () => {
    const secret = generateClientSecret();
    assert.equal(redact(`failed with ${secret}!`), 'failed with [redacted]!');
  });
  it('refuses weak secrets from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-'));
    for (const weak of ['dummy', 'sts.amazonaws.com', 'short-but-not-empty', '']) {
      writeFileSync(join(dir, 's'), `${weak}\n`);
      await assert.rejects(readClientSecretFile(join(dir, 's')), /too weak/, weak);
    }
    const strong = generateClientSecret();
    writeFileSync(join(dir, 's'), `${strong}\n`);
    assert.equal(await readClientSecretFile(join(dir, 's')), strong);
  });
});

describe('private file writing', () => {
  it('writes mode 0600 and never replaces a file unless forced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-'));
    const file = join(dir, 'minio.env');
    await writePrivateFile(file, 'one\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(writePrivateFile(file, 'two\n'), /already exists/);
    assert.equal(readFileSync(file, 'utf8'), 'one\n');
    await writePrivateFile(file, 'three\n', true);
    assert.equal(readFileSync(file, 'utf8'), 'three\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
