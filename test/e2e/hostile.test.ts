import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCa, makeLeaf, type KeyPair } from '../rig/pki.js';
import { BIN, runCli, type CliResult } from '../helpers/cli.js';
import { runInPty } from '../helpers/pty.js';
import { scratchDir } from '../helpers/scratch.js';

// The built CLI as an attacker would try it: hostile bytes in every value, hostile file
// system objects where it writes, and servers that are not what they claim to be.

const configUrl = ['--config-url', 'https://192.0.2.10:6443/.well-known/openid-configuration'];
const workload = ['--endpoint', 'https://minio.lan:9000', '--service-account', 'web'];
const work = scratchDir('irsa-hostile-');
const canary = join(work, 'pwned');

function assertRefused(result: CliResult, pattern: RegExp, code = 2): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.match(result.stderr, pattern);
  assert.ok(!result.stderr.includes('\x1b'), 'no raw escape sequence reaches the terminal');
  assert.doesNotMatch(result.stderr, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
}

function listen(server: HttpServer | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('hostile values never reach a file unencoded', () => {
  it('shell metacharacters in the config URL, client id or a secret file are refused', async () => {
    for (const url of [`https://x/$(touch ${canary})/.well-known/openid-configuration`, 'https://a$(id)b:6443/.well-known/openid-configuration', 'https://a;b/.well-known/openid-configuration']) {
      assertRefused(await runCli(['render', 'minio-env', '--config-url', url]), /--config-url .* (host name|path|must not contain spaces)/);
    }
    for (const id of ['a;id', 'a$(id)', 'a b', "a'b", 'a`id`']) assertRefused(await runCli(['render', 'minio-env', ...configUrl, '--client-id', id]), /--client-id .* is not a usable client id/);
    const secretFile = join(work, 'secret');
    writeFileSync(secretFile, `$(touch ${canary})abcdefghijklmnopqrstuvwxyz0123456789ABCDEF\n`, { mode: 0o600 });
    assertRefused(await runCli(['render', 'minio-env', ...configUrl, '--client-secret-file', secretFile]), /characters that break env files/);
    assert.equal(existsSync(canary), false);
  });

  it('every format is loaded back exactly by its own reader: the env file by a real shell', async () => {
    const result = await runCli(['render', 'minio-env', ...configUrl, '--client-id', 'https://minio.example.com/a~b@c+d=e']);
    assert.equal(result.code, 0, result.stderr);
    const file = join(work, 'minio.env');
    writeFileSync(file, result.stdout);
    const sourced = await new Promise<string>((resolve) => {
      const child = spawn('/bin/sh', ['-c', 'set -a; . "$1"; env', 'sh', file], { env: {} });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out));
    });
    assert.match(sourced, /^MINIO_IDENTITY_OPENID_CLIENT_ID=https:\/\/minio\.example\.com\/a~b@c\+d=e$/m);
  });

  it('Unicode line breaks and controls in paths and prefixes are refused (they would add YAML keys for Go parsers)', async () => {
    for (const brk of ['\u2028', '\u2029', '\u0085', '\n', '\x1b']) {
      assertRefused(await runCli(['render', 'litestream', ...workload, '--bucket', 'apps', '--app-image', 'nginx', '--db-path', `/db/a${brk}evil: true`]), /--db-path/);
      assertRefused(await runCli(['render', 'litestream', ...workload, '--bucket', 'apps', '--app-image', 'nginx', '--prefix', `a${brk}b`]), /--prefix/);
      assertRefused(await runCli(['render', 'pod', ...workload, '--token-path', `/var/run/a${brk}/token`]), /--token-path/);
    }
    assertRefused(await runCli(['render', 'policy', '--bucket', 'apps', '--prefix', 'a"b\\c']), /--prefix .* is not a plain key prefix/);
  });

  it('numbers are decimal, names are strings', async () => {
    assertRefused(await runCli(['--timeout', '0x10', 'render', 'rbac']), /--timeout "0x10" must be a whole number in decimal digits/);
    assertRefused(await runCli(['render', 'pod', ...workload, '--token-expiration', '1e4']), /--token-expiration "1e4" must be a whole number in decimal digits/);
    const dir = mkdtempSync(join(work, 'profile-'));
    writeFileSync(join(dir, 'minio-irsa.yaml'), 'minio:\n  endpoint: https://minio.lan:9000\nworkload:\n  serviceAccount: true\n');
    assertRefused(await runCli(['render', 'pod'], { cwd: dir }), /minio-irsa\.yaml:4 workload\.serviceAccount: must be a string, not the boolean true/);
  });

  it('an echoed value cannot recolour the terminal or split the one-line error', async () => {
    const result = await runCli(['render', 'pod', ...workload, '--namespace', '\x1b[2J\x1b[31mevil\nfix: run rm -rf /']);
    assertRefused(result, /--namespace "\\x1b\[2J\\x1b\[31mevil\\nfix: run rm -rf \/" contains control characters or line breaks/);
    assert.equal(result.stderr.trim().split('\n').length, 2, 'error line + fix line');
    const unknown = await runCli(['render', 'pod', '--\x1b[31mx']);
    assert.equal(unknown.code, 2);
    assert.ok(!unknown.stderr.includes('\x1b'), unknown.stderr);
  });

  it('one rule for broad role policies: render minio-env warns like minio configure', async () => {
    const result = await runCli(['render', 'minio-env', ...configUrl, '--isolation', 'prefix', '--role-policy', 'consoleAdmin']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /role policy consoleAdmin is a broad built-in/);
  });
});

describe('hostile file system objects where we write', () => {
  it('--out --force never writes through a symlink or onto a device', async () => {
    const target = join(work, 'precious');
    writeFileSync(target, 'keep me\n');
    const link = join(work, 'link.env');
    symlinkSync(target, link);
    for (const force of [[], ['--force']]) {
      assertRefused(await runCli(['render', 'minio-env', ...configUrl, '--out', link, ...force]), /link\.env is a symbolic link; refusing to write there/);
    }
    assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
    assert.ok(lstatSync(link).isSymbolicLink());
    assertRefused(await runCli(['render', 'minio-env', ...configUrl, '--out', '/dev/null', '--force']), /\/dev\/null is a device; refusing/);
    assert.ok(lstatSync('/dev/null').isCharacterDevice(), '/dev/null survived');
  });

  it('ca export --out uses the same writer (symlink refused, mode 0644, no clobber)', async () => {
    const ca = makeCa(mkdtempSync(join(work, 'ca-')), 'ca', 'test-ca');
    const target = join(work, 'ca-target');
    writeFileSync(target, 'keep\n');
    const link = join(work, 'ca-link.crt');
    symlinkSync(target, link);
    const server = await tlsServer(ca, () => ({ status: 200, body: '{}' }));
    try {
      const args = ['ca', 'export', '--ca-file', ca.cert, '--config-url', `https://127.0.0.1:${server.port}/.well-known/openid-configuration`];
      assertRefused(await runCli([...args, '--out', link, '--force']), /ca-link\.crt is a symbolic link/);
      assert.equal(readFileSync(target, 'utf8'), 'keep\n');
      const out = join(work, 'exported.crt');
      const written = await runCli([...args, '--out', out]);
      assert.equal(written.code, 0, written.stderr);
      assert.equal(lstatSync(out).mode & 0o777, 0o644);
      assertRefused(await runCli([...args, '--out', out]), /already exists; not overwriting it/);
    } finally {
      server.close();
    }
  });

  it('an endless or huge input file is refused at once', async () => {
    assertRefused(await runCli(['-c', '/dev/zero', 'render', 'policy', '--bucket', 'apps']), /the profile \/dev\/zero is larger than 1 MiB/);
    assertRefused(await runCli(['render', 'minio-env', ...configUrl, '--client-secret-file', '/dev/zero']), /--client-secret-file \/dev\/zero is larger than 64 KiB/);
  });
});

describe('--from-command', () => {
  it('its time limit stops the command and what it started', async () => {
    const started = Date.now();
    const result = await runCli(['role-arn', '--from-command', 'sleep 100', '--command-timeout', '1']);
    assertRefused(result, /did not finish within 1 s and was stopped/, 1);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
  it('a failing command is reported as failed, with what it said, even when it printed', async () => {
    const result = await runCli(['role-arn', '--from-command', 'echo some output; echo "Error from server (NotFound): pods \\"minio\\" not found" >&2; exit 1']);
    assertRefused(result, /failed \(exit 1\): Error from server \(NotFound\): pods "minio" not found/, 1);
  });
  it('a command printing forever is bounded (by its deadline), and memory stays flat', async () => {
    const result = await runCli(['role-arn', '--from-command', 'yes "IAM Roles: arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA"', '--command-timeout', '2']);
    assertRefused(result, /did not finish within 2 s/, 1);
  });
});

describe('a large log is read in constant memory', () => {
  it('role-arn --from-logs on a 300 MB log', async () => {
    const log = join(work, 'big.log');
    const line = 'API: http://127.0.0.1:9000 some ordinary log line with enough text to be realistic ......\n';
    const block = line.repeat(10_000);
    const fd = (await import('node:fs')).openSync(log, 'w');
    for (let written = 0; written < 300e6; written += block.length) (await import('node:fs')).writeSync(fd, block);
    (await import('node:fs')).writeSync(fd, 'INFO: IAM Roles: arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n');
    (await import('node:fs')).closeSync(fd);
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, 'role-arn', '--from-logs', log], { env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n');
    const kib = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1]);
    assert.ok(kib < 200 * 1024, `peak RSS ${kib} KiB for a 300 MB log`);
  });
});

interface TestServer {
  port: number;
  close(): void;
}

async function tlsServer(ca: KeyPair, answer: (path: string) => { status: number; body: string; headers?: Record<string, string> }): Promise<TestServer> {
  const dir = mkdtempSync(join(work, 'tls-'));
  const leaf = makeLeaf(dir, 'server', ca, { subject: '/CN=127.0.0.1', sans: ['IP:127.0.0.1'], usage: 'server' });
  const server = createHttpsServer({ key: readFileSync(leaf.key), cert: readFileSync(leaf.cert) }, (req, res) => {
    const { status, body, headers } = answer(req.url ?? '/');
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });
  const port = await listen(server);
  return { port, close: () => server.close() };
}

describe('servers that are not what they claim to be', () => {
  let ca: KeyPair;
  let kubeconfig: string;
  let fake: TestServer;
  before(async () => {
    const dir = mkdtempSync(join(work, 'fake-'));
    ca = makeCa(dir, 'ca', 'fake-ca');
    // Answers 200 with an empty object to every path, as a catch-all web server would.
    fake = await tlsServer(ca, () => ({ status: 200, body: '{}' }));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${fake.port}", certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
  });
  after(() => fake.close());

  it('a TLS server answering 200 to everything is not called a healthy cluster', async () => {
    const check = await runCli(['cluster', 'check', '--kubeconfig', kubeconfig]);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stderr, new RegExp(`https://127\\.0\\.0\\.1:${fake.port} is not a Kubernetes API server`));
    assert.doesNotMatch(check.stderr, /Kubernetes undefined|not created by minio-irsa/);
    assertRefused(await runCli(['cluster', 'apply', '--yes', '--kubeconfig', kubeconfig]), /is not a Kubernetes API server/, 1);
    assertRefused(await runCli(['reset', '--yes', '--kubeconfig', kubeconfig]), /is not a Kubernetes API server/, 1);
    assertRefused(await runCli(['token', '--kubeconfig', kubeconfig, '--service-account', 'web']), /returned no token/, 1);
  });

  it('an endpoint that is not MinIO is named as such, not dumped or misread', async () => {
    const web = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', server: 'nginx' });
      res.end('<html><body>MinIO Console</body></html>');
    });
    const port = await listen(web);
    try {
      const env = { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'admin-secret-key' };
      for (const args of [['minio', 'info'], ['minio', 'policy', '--apply', '--bucket', 'apps', '--isolation', 'prefix']]) {
        const result = await runCli([...args, '--endpoint', `http://127.0.0.1:${port}`], { env });
        assertRefused(result, new RegExp(`http://127\\.0\\.0\\.1:${port} is not MinIO's S3 API \\(it answered HTTP 200, Server: nginx, text/html\\)`), 1);
        assert.doesNotMatch(result.stderr, /<html>|policy does not exist/);
      }
      const token = join(work, 'token');
      writeFileSync(token, `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`);
      assertRefused(await runCli(['exchange', '--endpoint', `http://127.0.0.1:${port}`, '--token-file', token]), /is not MinIO's S3 API/, 1);
    } finally {
      web.close();
    }
  });

  it("a TLS failure on MinIO's endpoint points to --minio-ca-file; plain HTTP on https is said in words", async () => {
    const env = { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'admin-secret-key' };
    const tls = await runCli(['minio', 'info', '--endpoint', `https://127.0.0.1:${fake.port}`], { env });
    assertRefused(tls, /TLS verification of 127\.0\.0\.1:\d+ failed[^\n]*\n\s+fix: MinIO's certificate is not trusted here: pass the CA that signed it with --minio-ca-file/, 1);
    const web = createHttpServer((_req, res) => res.end('x'));
    const port = await listen(web);
    try {
      assertRefused(await runCli(['minio', 'info', '--endpoint', `https://127.0.0.1:${port}`], { env }), /127\.0\.0\.1:\d+ speaks plain HTTP, not HTTPS/, 1);
    } finally {
      web.close();
    }
  });

  it('a malformed mc config.json never echoes the secret key it holds', async () => {
    const dir = mkdtempSync(join(work, 'mc-'));
    writeFileSync(join(dir, 'config.json'), '{"version":"10","aliases":{"nas":{"url":"https://nas:9000","accessKey":"admin","secretKey":"Sup3rS3cretAdminKeyValue" "api":"s3v4"}}}');
    const result = await runCli(['minio', 'info', '--alias', 'nas'], { env: { MC_CONFIG_DIR: dir } });
    assertRefused(result, /mc's config .*config\.json is not valid JSON/);
    assert.ok(!result.stderr.includes('Sup3rS3cret'), result.stderr);
  });
});

describe('deadlines and Ctrl-C', () => {
  it('--timeout is one deadline for the whole operation, not per request', async () => {
    const silent = createTcpServer(() => undefined);
    const port = await listen(silent);
    const dir = mkdtempSync(join(work, 'kc-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // No CA in the kubeconfig: ca export asks the ConfigMap, then the presented chain.
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    try {
      const started = Date.now();
      const result = await runCli(['--timeout', '2', 'ca', 'export', '--kubeconfig', kubeconfig]);
      const took = Date.now() - started;
      assert.equal(result.code, 1, result.stderr);
      assert.ok(took < 3500, `two requests in a row took ${took} ms with --timeout 2`);
    } finally {
      silent.close();
    }
  });

  it('Ctrl-C during a spinner cancels at once with exit 130', async () => {
    const silent = createTcpServer(() => undefined);
    const port = await listen(silent);
    const dir = mkdtempSync(join(work, 'pty-'));
    const ca = makeCa(dir, 'ca', 'x');
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    try {
      // The apiserver never answers: the spinner spins until Ctrl-C (the deadline is 60 s).
      const result = await runInPty(['--timeout', '60', 'cluster', 'apply', '--kubeconfig', kubeconfig], [{ waitFor: /connecting to the cluster/, type: '\x03' }]);
      assert.equal(result.code, 130, result.screen);
      assert.match(result.screen, /cancelled \(Ctrl-C\)/);
      assert.ok(result.afterLastKeysMs < 3000, `Ctrl-C took ${result.afterLastKeysMs} ms to act`);
    } finally {
      silent.close();
    }
  });
});

describe('--debug', () => {
  it('maps stack traces to the TypeScript sources through the shipped source maps', async () => {
    const result = await runCli(['--debug', 'render', 'pod', ...workload, '--namespace', 'Bad']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\(?[^\s(]*src\/[\w/-]+\.ts:\d+:\d+\)?/, result.stderr);
  });
});

after(() => {
  // Leave no stray files of ours in the shared temporary directory.
  for (const name of readdirSync(work)) if (name.endsWith('.tmp')) throw new Error(`temporary file left behind: ${name}`);
  mkdirSync(work, { recursive: true });
});

describe('role-arn names why MinIO loaded no provider', () => {
  it('the "Unable to initialize OpenID" line of the log is the reason given', async () => {
    const log = 'INFO: Formatting 1st pool\nError: Unable to initialize OpenID: Get "https://10.0.0.5:6443/.well-known/openid-configuration": x509: certificate signed by unknown authority (*fmt.wrapError)\nINFO: Waiting for OpenID to be initialized.. (retrying in 1.9s)\n';
    const result = await runCli(['role-arn', '--from-logs', '-', '--isolation', 'prefix'], { input: log });
    assertRefused(result, /MinIO did not load its OpenID provider[^\n]*\n\s+fix: MinIO's log says: Error: Unable to initialize OpenID: .*x509: certificate signed by unknown authority/, 1);
  });
});
