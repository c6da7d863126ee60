import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { looseModeWarning, readBoundedFile, readBoundedStdin, UnreadableFile, writeFileSafely, writeIfChanged } from '../../src/fs-safe.js';
import { generateClientSecret, MIN_SECRET_BITS, readClientSecretFile, secretStrengthBits, WEAK_SECRETS } from '../../src/minio/client-secret.js';
import { redact, registerSecret } from '../../src/secrets.js';
import { logger } from '../../src/ui/logger.js';
import { scratchDir } from '../helpers/scratch.js';

function captureStderr(run: () => void): string {
  const original = process.stderr.write.bind(process.stderr);
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stderr.write = original;
  }
  return out;
}

describe('client secret', () => {
  it('is 32 random bytes, base64url, never the same twice', () => {
    const a = generateClientSecret();
    const b = generateClientSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
  });
  it('is scrubbed everywhere it occurs, by the redactor and by the logger itself', () => {
    const secret = generateClientSecret();
    assert.equal(redact(`failed with ${secret}! and again ${secret}`), 'failed with [redacted]! and again [redacted]');
    const written = captureStderr(() => {
      logger.info(`info ${secret} ${secret}`);
      logger.warn(`warn ${secret}`);
      logger.error(`error ${secret}`, `hint ${secret}`);
      logger.step(`step ${secret}`);
      logger.success(`ok ${secret}`);
    });
    assert.ok(!written.includes(secret), written);
    assert.equal(written.split('[redacted]').length - 1, 7);
  });
  it('the logger keeps a hostile message on one printable line', () => {
    const written = captureStderr(() => logger.error('bad value "\x1b[2J\x1b[31mX\nfake: line"', 'fix\u2028it'));
    assert.equal(written.split('\n').length, 3, written); // two lines + final newline
    assert.ok(!written.includes('\x1b'), 'no raw escape sequence');
    assert.match(written, /\\x1b\[2J/);
  });
  it('judges strength by entropy, not by length', () => {
    const weak = ['a'.repeat(32), 'abcdefghijklmnopqrstuvwxyz012345', 'Password1234Password1234Password', 'qwertyuiopasdfghjklzxcvbnm123456', 'Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3', '0123456789012345678901234567890123456789'];
    for (const secret of weak) assert.ok(secretStrengthBits(secret) < MIN_SECRET_BITS, `${secret}: ${secretStrengthBits(secret)}`);
    for (let i = 0; i < 20; i++) assert.ok(secretStrengthBits(generateClientSecret()) >= MIN_SECRET_BITS);
    const openssl = execFileSync('openssl', ['rand', '-base64', '32'], { encoding: 'utf8' }).trim();
    assert.ok(secretStrengthBits(openssl) >= MIN_SECRET_BITS, openssl);
  });
  it('every known weak secret is refused by its length alone', () => {
    for (const weak of WEAK_SECRETS) assert.ok(weak.length < 32, weak);
  });
  it('refuses weak secrets from a file, of every length', async () => {
    const dir = scratchDir('irsa-');
    const file = join(dir, 's');
    for (const weak of ['dummy', 'sts.amazonaws.com', 'short-but-not-empty', '', 'x'.repeat(20), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', 'a'.repeat(32), 'abcdefghijklmnopqrstuvwxyzABCDEFGH', 'minio-irsa-minio-irsa-minio-irsa-minio-irsa']) {
      writeFileSync(file, `${weak}\n`, { mode: 0o600 });
      await assert.rejects(readClientSecretFile(file), /too weak/, weak);
    }
    const strong = generateClientSecret();
    writeFileSync(file, `${strong}\n`);
    chmodSync(file, 0o600);
    assert.deepEqual(await readClientSecretFile(file), { secret: strong, warning: undefined });
    // Exactly at both limits: 32 characters worth 128 bits is enough; one character fewer is not.
    const atLimit = 'acegikmoqsuwyACEaeimquyCcgkoswAE';
    assert.equal(secretStrengthBits(atLimit), MIN_SECRET_BITS);
    writeFileSync(file, `${atLimit}\n`);
    assert.equal((await readClientSecretFile(file)).secret, atLimit);
    writeFileSync(file, `${atLimit.slice(0, 31)}\n`);
    await assert.rejects(readClientSecretFile(file), /too weak \(31 characters/);
    assert.equal(secretStrengthBits('ab'), 1, 'the first character counts as surprising; a neighbour in sequence does not');
    assert.equal(secretStrengthBits('ac'), 2);
  });
  it('warns when a secret file is readable by others', async () => {
    const dir = scratchDir('irsa-');
    const file = join(dir, 's');
    writeFileSync(file, `${generateClientSecret()}\n`);
    chmodSync(file, 0o644);
    const { warning } = await readClientSecretFile(file);
    assert.match(warning ?? '', /readable by others \(mode 0644\): chmod 600/);
    assert.equal(looseModeWarning(file, 0o600, 'x'), undefined);
    assert.match(looseModeWarning(file, 0o640, 'x') ?? '', /mode 0640/);
  });
  it('a registered secret of six characters or more is scrubbed; shorter words are not', () => {
    registerSecret('abc');
    registerSecret('s3cr3t-value');
    assert.equal(redact('abc s3cr3t-value'), 'abc [redacted]');
  });
});

describe('the one file writer', () => {
  const fresh = () => scratchDir('irsa-w-');
  const options = { mode: 0o600, force: false, flag: '--out' };

  it('writes with the given mode and never replaces a file unless forced', async () => {
    const dir = fresh();
    const file = join(dir, 'minio.env');
    await writeFileSafely(file, 'one\n', options);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(writeFileSafely(file, 'two\n', options), /already exists; not overwriting it/);
    assert.equal(readFileSync(file, 'utf8'), 'one\n');
    await writeFileSafely(file, 'three\n', { ...options, force: true });
    assert.equal(readFileSync(file, 'utf8'), 'three\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await writeFileSafely(join(dir, 'ca.crt'), 'pem\n', { ...options, mode: 0o644 });
    assert.equal(statSync(join(dir, 'ca.crt')).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir).sort(), ['ca.crt', 'minio.env'], 'no temporary file left behind');
  });
  it('never writes through a symlink, with or without --force', async () => {
    const dir = fresh();
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep me\n');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    for (const force of [false, true]) {
      await assert.rejects(writeFileSafely(link, 'secret\n', { ...options, force }), /is a symbolic link; refusing to write there/);
      assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
      assert.ok(lstatSync(link).isSymbolicLink());
    }
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'nowhere'), dangling);
    await assert.rejects(writeFileSafely(dangling, 'secret\n', { ...options, force: true }), /symbolic link/);
    assert.deepEqual(readdirSync(dir).sort(), ['dangling', 'link', 'precious']);
  });
  it('refuses devices, pipes and directories even with --force', async () => {
    const dir = fresh();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'sub'));
    for (const [path, what] of [['/dev/null', 'a device'], [join(dir, 'fifo'), 'a named pipe'], [join(dir, 'sub'), 'a directory']] as const) {
      await assert.rejects(writeFileSafely(path, 'secret\n', { ...options, force: true }), new RegExp(`is ${what}; refusing`), path);
    }
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
  });
  it('a failure leaves nothing behind and says which flag to change', async () => {
    await assert.rejects(writeFileSafely('/nonexistent-dir/x', 'y', options), /cannot write \/nonexistent-dir\/x: ENOENT[^]*/);
    await assert.rejects(writeFileSafely('/nonexistent-dir/x', 'y', options), (error: Error & { hint?: string }) => /--out/.test(error.hint ?? ''));
  });
  it('names the errno when the path cannot even be inspected', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(writeFileSafely(join(dir, 'file', 'below'), 'y', { ...options, force: true }), /^UsageError: cannot inspect .*file\/below: ENOTDIR$/m);
    assert.deepEqual(readdirSync(dir), ['file']);
  });
  it('a re-run leaves equal content alone, replaces different content only when forced', async () => {
    const dir = fresh();
    const file = join(dir, 'policy.json');
    assert.equal(await writeIfChanged(file, 'a\n', options), 'created');
    assert.equal(await writeIfChanged(file, 'a\n', options), 'unchanged');
    await assert.rejects(writeIfChanged(file, 'b\n', options), /already exists; not overwriting it/);
    assert.equal(readFileSync(file, 'utf8'), 'a\n');
    assert.equal(await writeIfChanged(file, 'b\n', { ...options, force: true }), 'replaced');
    assert.equal(readFileSync(file, 'utf8'), 'b\n');
    assert.equal(await writeIfChanged(file, 'b\n', { ...options, force: true }), 'unchanged');
    assert.deepEqual(readdirSync(dir), ['policy.json']);
  });
});

describe('the bounded reader', () => {
  it('refuses an endless file at once instead of filling memory', async () => {
    const started = Date.now();
    await assert.rejects(readBoundedFile('/dev/zero', 1 << 20, 'the profile', 'hint'), (error: unknown) => error instanceof UnreadableFile && error.code === 'ETOOBIG' && /larger than 1 MiB/.test(error.message));
    assert.ok(Date.now() - started < 2000);
  });
  it('refuses a file over the limit, reads one under it with its mode', async () => {
    const dir = scratchDir('irsa-r-');
    writeFileSync(join(dir, 'big'), 'x'.repeat(2048));
    await assert.rejects(readBoundedFile(join(dir, 'big'), 1024, 'the token', 'hint'), /the token .*big is larger than 1 KiB/);
    writeFileSync(join(dir, 'ok'), 'hello', { mode: 0o640 });
    chmodSync(join(dir, 'ok'), 0o640);
    assert.deepEqual(await readBoundedFile(join(dir, 'ok'), 1024, 'x', 'hint'), { text: 'hello', mode: 0o640 });
  });
  it('says why a file cannot be read, in words, with a code', async () => {
    await assert.rejects(readBoundedFile('/nonexistent/file', 10, '--ca-file', 'hint'), (error: unknown) => error instanceof UnreadableFile && error.code === 'ENOENT' && error.message === 'cannot read --ca-file /nonexistent/file: no such file');
    await assert.rejects(readBoundedFile(tmpdir(), 10, '--ca-file', 'hint'), /it is a directory/);
    const dir = scratchDir('irsa-r-');
    writeFileSync(join(dir, 'file'), 'x');
    // An errno without words of its own is shown as it is.
    await assert.rejects(readBoundedFile(join(dir, 'file', 'below'), 10, '--ca-file', 'hint'), (error: unknown) => error instanceof UnreadableFile && error.code === 'ENOTDIR' && error.message.endsWith('file/below: ENOTDIR'));
    symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
    await assert.rejects(readBoundedFile(join(dir, 'loop'), 10, '--ca-file', 'hint'), (error: unknown) => error instanceof UnreadableFile && error.code === 'ELOOP' && error.message.endsWith('loop: ELOOP'));
  });
  it('a read that fails after the open says so with its errno', async () => {
    // Reading the own address space from offset 0 fails with EIO: page 0 is never mapped.
    await assert.rejects(readBoundedFile('/proc/self/mem', 10, 'the token', 'hint'), (error: unknown) => error instanceof UnreadableFile && error.code === 'EIO' && error.message === 'cannot read the token /proc/self/mem: EIO');
  });
  it('reads standard input up to the limit and refuses one byte more', async () => {
    const chunks = (...sizes: number[]) => (async function* () {
      for (const size of sizes) yield Buffer.alloc(size, 'a');
    })();
    assert.equal((await readBoundedStdin(1024, 'manifests', chunks(1000, 24))).length, 1024);
    await assert.rejects(readBoundedStdin(1024, 'manifests', chunks(1000, 25)), (error: unknown) => error instanceof UnreadableFile && error.code === 'ETOOBIG' && error.message === 'manifests on stdin is larger than 1 KiB');
    assert.equal(await readBoundedStdin(10, 'manifests', ['héllo']), 'héllo');
  });
});
