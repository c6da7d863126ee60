import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';
import { runInPty } from '../helpers/pty.js';
import { scratchDir } from '../helpers/scratch.js';

// The built CLI, offline commands: what a user without a cluster sees.

const workloadFlags = ['--endpoint', 'https://minio.lan:9000', '--service-account', 'web'];
const configUrl = ['--config-url', 'https://192.0.2.10:6443/.well-known/openid-configuration'];

function assertUsageError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, '', 'nothing may reach stdout on bad input');
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('minio-irsa offline', () => {
  it('init without a terminal stops at the first missing answer, naming its flag, and writes nothing', async () => {
    const dir = scratchDir('irsa-init-');
    const result = await runCli(['init', '--kubeconfig', '/nonexistent/kubeconfig'], { cwd: dir, env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' } });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Where things are \[failed\] missing where MinIO runs[\s\S]*fix: pass --minio-location <where>, or --yes to accept the suggestion/);
    const next = await runCli(['init', '--minio-location', 'host'], { cwd: dir, env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' } });
    assert.equal(next.code, 2, next.stderr);
    assert.match(next.stderr, /missing MinIO's S3 API endpoint[\s\S]*fix: pass --endpoint <url>/, 'the recorded kubeconfig and location are not asked again');
    assert.doesNotMatch(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    assert.deepEqual(readdirSync(dir).sort(), ['minio-irsa.yaml'], 'only the answers given so far (the kubeconfig flag) are recorded');
  });

  it('init with a bad --isolation is bad input (exit 2)', async () => {
    const bad = await runCli(['init', '--yes', '--isolation', 'none', '--endpoint', 'https://minio.lan:9000', '--kubeconfig', '/nonexistent'], { cwd: scratchDir('irsa-init-') });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--isolation "none" is not an isolation mode/);
  });

  it('a large output through a pipe arrives whole (stdout drains before the exit)', async () => {
    const deployment = (i: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n---\n`;
    const input = Array.from({ length: 400 }, (_, i) => deployment(i)).join('');
    const result = await runCli(['inject', '--endpoint', 'https://minio.lan:9000'], { input });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.length > 256 * 1024, `only ${result.stdout.length} bytes arrived`);
    assert.equal(result.stdout.match(/^kind: Deployment$/gm)?.length, 400);
    assert.equal(result.stdout.match(/name: AWS_ROLE_ARN/g)?.length, 400);
    assert.match(result.stderr, /injected 400 \(Deployment web-0, Deployment web-1, Deployment web-2, Deployment web-3, Deployment web-4, and 395 more\)/);
  });

  it('--help and --version work', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /render/);
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('--help and render load neither @kubernetes/client-node nor minio', async () => {
    const pod = join(scratchDir('irsa-'), 'pod.yaml');
    writeFileSync(pod, 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: nginx}]\n');
    for (const args of [['--help'], ['render', 'pod', ...workloadFlags], ['role-arn'], ['inject', '--endpoint', 'https://minio.lan:9000', pod], ['render', 'webhook', '--endpoint', 'https://minio.lan:9000', '--image', 'img:1']]) {
      const trace = join(scratchDir('irsa-'), 'imports');
      writeFileSync(trace, '');
      const result = await runCli(args, { nodeArgs: ['--import', join(ROOT, 'test/helpers/trace-imports.mjs')], env: { TRACE_IMPORTS_FILE: trace } });
      assert.equal(result.code, 0, result.stderr);
      const imported = readFileSync(trace, 'utf8');
      assert.match(imported, /dist\/cli\.js/, 'the trace must see imports at all');
      assert.doesNotMatch(imported, /@kubernetes\/client-node|^minio$|@inquirer|^ora$|prom-client/m, args.join(' '));
    }
  });

  it('inject loads its general path (the yaml library, ~10 ms of a start) only for a document the fast path leaves', async () => {
    const traced = async (manifest: string): Promise<string> => {
      const trace = join(scratchDir('irsa-'), 'imports');
      writeFileSync(trace, '');
      const result = await runCli(['inject', '--endpoint', 'https://minio.lan:9000'], { input: manifest, nodeArgs: ['--import', join(ROOT, 'test/helpers/trace-imports.mjs')], env: { TRACE_IMPORTS_FILE: trace } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^injected 1 /m);
      return readFileSync(trace, 'utf8');
    };
    // The built files that hold the yaml library (one of its error messages is in them).
    const yamlFiles = readdirSync(join(ROOT, 'dist')).filter((file) => file.endsWith('.js') && readFileSync(join(ROOT, 'dist', file), 'utf8').includes('Map keys must be unique'));
    assert.ok(yamlFiles.length > 0, 'the yaml library is in dist/');
    const loadsYaml = (trace: string): boolean => yamlFiles.some((file) => trace.includes(file));
    const block = await traced('kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: nginx\n');
    assert.match(block, /dist\/cli\.js/, 'the trace must see imports at all');
    assert.equal(loadsYaml(block), false, 'block style: the fast path alone');
    assert.equal(loadsYaml(await traced('kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: nginx}]\n')), true, 'flow style where lines go: the general path');
  });

  it('inject over a directory follows no symbolic link to a directory (a link to a parent would loop), and reads linked files', async () => {
    const base = scratchDir('irsa-links-');
    const dir = join(base, 'k8s');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    mkdirSync(join(base, 'outside'));
    const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;
    writeFileSync(join(dir, 'a.yaml'), configMap('a'));
    writeFileSync(join(dir, 'sub', 'b.yml'), configMap('b'));
    writeFileSync(join(base, 'outside', 'o.yaml'), configMap('o'));
    symlinkSync('..', join(dir, 'sub', 'loop'));
    symlinkSync(join(base, 'outside'), join(dir, 'sub', 'out'));
    symlinkSync('../a.yaml', join(dir, 'sub', 'linked.yaml'));
    const result = await runCli(['inject', '--endpoint', 'https://minio.lan:9000', dir]);
    assert.equal(result.code, 0, result.stderr);
    const names = parseAllDocuments(result.stdout).map((doc) => (doc.toJS() as { metadata: { name: string } }).metadata.name);
    assert.deepEqual(names, ['a', 'b', 'a'], 'a.yaml, sub/b.yml, sub/linked.yaml: in path order, the loop and the outside directory not entered');
  });

  it('role-arn derives the known vector and reads it from logs on stdin', async () => {
    assert.equal((await runCli(['role-arn', '--isolation', 'prefix'])).stdout, 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n');
    assert.equal((await runCli(['role-arn'])).stdout, 'arn:minio:iam:::role/minio-irsa-claim-based\n', 'bucket isolation: the claim-based placeholder');
    const logs = 'INFO: IAM Roles: arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n';
    const result = await runCli(['role-arn', '--from-logs', '-'], { input: logs });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n');
    assert.match(result.stderr, /region "eu-west-1".*--region eu-west-1/);
    const json = await runCli(['role-arn', '--from-logs', '-', '--region', 'eu-west-1', '-o', 'json'], { input: logs });
    const parsed = JSON.parse(json.stdout) as { source: string; roleArns: string[]; agree: boolean; explanations: string[] };
    assert.equal(parsed.source, 'logs');
    assert.deepEqual(parsed.roleArns, ['arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA']);
    assert.equal(parsed.agree, true);
    assert.deepEqual(parsed.explanations, []);
    assert.equal(json.stderr, '');
  });

  it('role-arn says what to look for when the log has no ARN', async () => {
    const result = await runCli(['role-arn', '--from-logs', '-'], { input: 'API: http://127.0.0.1:9000\n' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no "IAM Roles:" line.*\n.*ROLE_POLICY/);
  });

  it('role-arn with another client id says MinIO uses another one', async () => {
    const single = await runCli(['role-arn', '--from-logs', '-', '--client-id', 'other'], { input: 'IAM Roles: arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA\n' });
    assert.equal(single.code, 0);
    assert.equal(single.stdout.trim(), 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA', "MinIO's own ARN");
    assert.match(single.stderr, /is not derived from client id "other"[^\n]*pass the one in MINIO_IDENTITY_OPENID_CLIENT_ID as --client-id/);
    const several = await runCli(['role-arn', '--from-logs', '-', '--client-id', 'other'], { input: 'IAM Roles: arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA arn:minio:iam:::role/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA\n' });
    assert.equal(several.code, 1);
    assert.match(several.stderr, /belongs to client id "other"/);
  });

  it('every render target prints valid YAML or JSON on stdout', async () => {
    const targets: string[][] = [
      ['pod', ...workloadFlags],
      ['litestream', ...workloadFlags, '--bucket', 'apps', '--app-image', 'nginx:1.27'],
      ['litestream', ...workloadFlags, '--bucket', 'apps', '--app-image', 'nginx:1.27', '--litestream-version', '0.3'],
      ['rbac'],
      ['authn-config'],
      ['minio-env', ...configUrl, '-o', 'compose'],
      ['minio-env', ...configUrl, '-o', 'kubernetes'],
    ];
    for (const target of targets) {
      const result = await runCli(['render', ...target]);
      assert.equal(result.code, 0, `${target.join(' ')}: ${result.stderr}`);
      for (const doc of parseAllDocuments(result.stdout)) assert.equal(doc.errors.length, 0, target.join(' '));
    }
    for (const isolation of ['prefix', 'prefix-nolist']) {
      const policy = await runCli(['render', 'policy', '--bucket', 'apps', '--isolation', isolation]);
      assert.equal(policy.code, 0, policy.stderr);
      const statements = (JSON.parse(policy.stdout) as { Statement: { Resource: string[] }[] }).Statement;
      assert.deepEqual(statements.at(-1)?.Resource, ['arn:aws:s3:::apps/${jwt:sub}/*']);
    }
    const missing = await runCli(['render', 'policy', '--bucket', 'apps-web']);
    assert.equal(missing.code, 2, 'bucket isolation names the policy by the workload: it needs the ServiceAccount');
    assert.match(missing.stderr, /pass --service-account/);
    const own = await runCli(['render', 'policy', '--bucket', 'apps-web', '--namespace', 'apps', '--service-account', 'web']);
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual((JSON.parse(own.stdout) as { Statement: { Resource: string[] }[] }).Statement.map((s) => s.Resource[0]), ['arn:aws:s3:::apps-web', 'arn:aws:s3:::apps-web/*']);
    assert.match(own.stderr, /under the name system:serviceaccount:apps:web/);
  });

  it('reads the profile file, and flags override it', async () => {
    const dir = scratchDir('irsa-');
    writeFileSync(join(dir, 'minio-irsa.yaml'), 'minio:\n  endpoint: https://minio.lan:9000\nworkload:\n  namespace: apps\n  serviceAccount: web\n');
    const fromFile = await runCli(['render', 'pod'], { cwd: dir });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stdout, /namespace: apps/);
    const overridden = await runCli(['render', 'pod', '--namespace', 'other'], { cwd: dir });
    assert.match(overridden.stdout, /namespace: other/);
    const explicit = await runCli(['--config', join(dir, 'minio-irsa.yaml'), 'render', 'pod']);
    assert.equal(explicit.code, 0, explicit.stderr);
  });

  it('bad input: one line, the fix, exit 2, nothing on stdout', async () => {
    assertUsageError(await runCli(['render', 'pod', ...workloadFlags, '--namespace', 'Bad_NS']), /--namespace "Bad_NS" is not a valid DNS-1123 label[^\n]*\n\s+fix: pass a valid value to --namespace/);
    assertUsageError(await runCli(['render', 'pod', '--endpoint', 'https://minio.lan:9000', '--service-account', 'UPPER']), /--service-account "UPPER"/);
    assertUsageError(await runCli(['render', 'minio-env', '--config-url', 'http://192.0.2.10:6443/.well-known/openid-configuration']), /--config-url .* is not https/);
    assertUsageError(await runCli(['render', 'pod', ...workloadFlags, '--token-expiration', '300']), /--token-expiration "300" must be from 600 to/);
    assertUsageError(await runCli(['render', 'nonsense']), /unknown command 'nonsense'/);
    assertUsageError(await runCli(['render', 'minio-env', ...configUrl, '-o', 'toml']), /--output <format>' argument 'toml' is invalid. Allowed choices are env, docker, systemd, compose, kubernetes/);
    assertUsageError(await runCli(['render', 'pod', '--service-account', 'web']), /missing .*S3 API endpoint[^\n]*\n\s+fix: pass --endpoint <url>/);
    assertUsageError(await runCli(['render', 'litestream', ...workloadFlags, '--bucket', 'apps']), /--app-image/);
    assertUsageError(await runCli(['--config', '/nonexistent/minio-irsa.yaml', 'render', 'policy', '--bucket', 'apps']), /cannot read the profile \/nonexistent\/minio-irsa.yaml/);
  });

  it('a bad profile names the file, line and key', async () => {
    const dir = scratchDir('irsa-');
    writeFileSync(join(dir, 'minio-irsa.yaml'), 'minio:\n  endpoint: https://minio.lan:9000\nworkload:\n  serviceAccount: web\n  tokenExpiration: 60\n');
    assertUsageError(await runCli(['render', 'pod'], { cwd: dir }), /minio-irsa\.yaml:5 workload\.tokenExpiration: "60" must be/);
  });

  it('minio-env --out writes a 0600 file and prints no secret; never clobbers a file', async () => {
    const dir = scratchDir('irsa-');
    const file = join(dir, 'minio.env');
    const result = await runCli(['render', 'minio-env', ...configUrl, '--out', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const secret = /CLIENT_SECRET='(.+)'/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'the secret must not be printed');
    const again = await runCli(['render', 'minio-env', ...configUrl, '--out', file]);
    assertUsageError(again, /already exists/);
    assert.ok(readFileSync(file, 'utf8').includes(secret), 'the existing file must be untouched');
    assert.deepEqual(readdirSync(dir), ['minio.env'], 'no temporary files left behind');
    const reused = await runCli(['render', 'minio-env', ...configUrl, '--client-secret-file', file, '-o', 'systemd']);
    assert.equal(reused.code, 2, 'the file starts with a comment line, not a secret');
  });

  it('--out - is stdout, as for inject\'s inputs: no file named "-", and still no secret on a terminal', async () => {
    const dir = scratchDir('irsa-');
    const result = await runCli(['render', 'minio-env', ...configUrl, '--out', '-'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^MINIO_IDENTITY_OPENID_CLIENT_SECRET='[A-Za-z0-9_-]{43}'$/m);
    assert.deepEqual(readdirSync(dir), []);
    const onTerminal = await runInPty(['render', 'minio-env', ...configUrl, '--out', '-'], []);
    assert.equal(onTerminal.code, 2, onTerminal.screen);
    assert.match(onTerminal.screen, /prints the client secret and stdout is a terminal/);
    assert.doesNotMatch(onTerminal.screen, /CLIENT_SECRET/);
  });

  it('two renders generate two different secrets', async () => {
    const a = await runCli(['render', 'minio-env', ...configUrl]);
    const b = await runCli(['render', 'minio-env', ...configUrl]);
    assert.notEqual(/CLIENT_SECRET=(.+)/.exec(a.stdout)?.[1], /CLIENT_SECRET=(.+)/.exec(b.stdout)?.[1]);
  });
});

describe('minio-irsa against servers that do not answer', () => {
  function kubeconfigFor(server: string): string {
    const dir = scratchDir('irsa-kc-');
    const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=ca'], { stdio: 'ignore' });
    assert.equal(result.status, 0);
    const ca = readFileSync(join(dir, 'c')).toString('base64');
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    return file;
  }

  it('a server that accepts but never answers: bounded by --timeout, clear error, exit 1', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const result = await runCli(['--timeout', '2', 'cluster', 'apply', '--yes', '--kubeconfig', kubeconfigFor(`https://127.0.0.1:${port}`)]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`no answer from 127\\.0\\.0\\.1:${port} within 2 s`));
      assert.ok(Date.now() - started < 12_000, 'the time bound holds');
    } finally {
      silent.close();
    }
  });

  it('an unresolvable host: says so, exit 1', async () => {
    const result = await runCli(['--timeout', '5', 'cluster', 'apply', '--yes', '--kubeconfig', kubeconfigFor('https://apiserver.invalid:6443')]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /cannot resolve apiserver\.invalid/);
  });

  it('a bad --timeout is bad usage', async () => {
    const result = await runCli(['--timeout', '0', 'cluster', 'check']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--timeout "0" must be from 1 to 600 seconds/);
  });
});
