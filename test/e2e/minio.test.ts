import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { run, runCli, type CliResult } from '../helpers/cli.js';
import { runAws } from '../helpers/aws.js';
import { mcFor } from '../helpers/mc.js';
import { Rig } from '../rig/index.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { serviceAccountClaims, signRs256 } from '../rig/tokens.js';
import { scratchDir } from '../helpers/scratch.js';

// The MinIO side against the real MinIO: admin API (encrypted bodies), the three role ARN
// sources, provider configuration, the token exchange, the S3 probe and MinIO's errors.

const DERIVED = 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';

describe('MinIO side against the real MinIO', () => {
  let rig: Rig;
  let adminEnv: Record<string, string>;
  let kube: string[];
  let mc: ReturnType<typeof mcFor>;
  const work = scratchDir('irsa-minio-');
  // This suite exercises the role-policy provider (a shared bucket): a profile in the working
  // directory says so, as a user's would. Bucket isolation is covered by isolation.test.ts.
  writeFileSync(join(work, 'minio-irsa.yaml'), 'workload:\n  isolation: prefix\n');
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: work, env: { ...adminEnv, ...env } });

  function assertNoSecret(result: CliResult): void {
    const text = result.stdout + result.stderr;
    assert.ok(!text.includes(rig.s3.rootPassword), 'the admin secret key must never be printed');
    assert.doesNotMatch(text, /eyJ[\w-]+\.eyJ[\w-]+\./, 'no token may be printed');
  }

  before(async () => {
    rig = await Rig.start();
    adminEnv = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
    kube = ['--kubeconfig', rig.cluster.kubeconfig];
    mc = mcFor(rig.binaries.mc, rig.s3);
    assert.equal((await runCli(['cluster', 'apply', ...kube, '--yes'])).code, 0);
    const ca = join(work, 'kubernetes-ca.crt');
    assert.equal((await runCli(['ca', 'export', ...kube, '--out', ca])).code, 0);
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    await rig.s3.restart({});
    await rig.cluster.createServiceAccount('apps', 'web');
    await mc(['mb', 'rig/apps']);
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('admin credentials from the environment, MC_HOST_<alias> and mc\'s config file; never printed', async () => {
    const info = await cli(['minio', 'info', '--endpoint', rig.s3.endpoint, '-o', 'json']);
    assert.equal(info.code, 0, info.stderr);
    const parsed = JSON.parse(info.stdout) as { version: string; region?: string; openIdProviders: unknown[] };
    assert.equal(parsed.version, '2026-02-12T20:18:48Z');
    assertNoSecret(info);
    const mcHost = `http://${rig.s3.rootUser}:${rig.s3.rootPassword}@127.0.0.1:${rig.s3.port}`;
    const viaEnvAlias = await runCli(['minio', 'info', '--alias', 'home'], { env: { MC_HOST_home: mcHost } });
    assert.equal(viaEnvAlias.code, 0, viaEnvAlias.stderr);
    assertNoSecret(viaEnvAlias);
    const configDir = scratchDir('irsa-mcconf-');
    const set = await run(rig.binaries.mc, ['alias', 'set', 'nas', rig.s3.endpoint, rig.s3.rootUser, rig.s3.rootPassword], { env: { MC_CONFIG_DIR: configDir } });
    assert.equal(set.code, 0, set.stderr);
    const viaConfig = await runCli(['minio', 'info', '--alias', 'nas'], { env: { MC_CONFIG_DIR: configDir } });
    assert.equal(viaConfig.code, 0, viaConfig.stderr);
    assert.match(viaConfig.stdout, /version\s+2026-02-12T20:18:48Z/);
    const unknown = await runCli(['minio', 'info', '--alias', 'nope'], { env: { MC_CONFIG_DIR: configDir } });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /mc alias "nope" not found .*\(aliases: .*nas/);
    const secretFile = join(work, 'admin-secret');
    writeFileSync(secretFile, `${rig.s3.rootPassword}\n`, { mode: 0o600 });
    const viaFlags = await runCli(['minio', 'info', '--endpoint', rig.s3.endpoint, '--admin-user', rig.s3.rootUser, '--admin-secret-file', secretFile], { env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' } });
    assert.equal(viaFlags.code, 0, viaFlags.stderr);
    assertNoSecret(viaFlags);
    const none = await runCli(['minio', 'info', '--endpoint', rig.s3.endpoint], { env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /admin credentials are needed[\s\S]*--alias/);
    const wrong = await runCli(['minio', 'info', '--endpoint', rig.s3.endpoint], { env: { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: 'not-the-password' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /SignatureDoesNotMatch[\s\S]*access key or secret key is wrong/);
    assert.ok(!wrong.stderr.includes('not-the-password'));
  });

  it('the least-privilege policy is created through the admin API, as mc sees it; built-ins are refused', async () => {
    const created = await cli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--bucket', 'apps']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /created policy minio-irsa/);
    const shown = await mc(['admin', 'policy', 'info', 'rig', 'minio-irsa']);
    assert.match(shown.stdout, /arn:aws:s3:::apps\/\$\{jwt:sub\}\/\*/);
    const again = await cli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--bucket', 'apps']);
    assert.match(again.stderr, /policy minio-irsa in MinIO is already up to date; nothing to change/, 'a re-run changes nothing');
    const changed = await cli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--bucket', 'apps', '--isolation', 'prefix-nolist']);
    assert.match(changed.stderr, /updated policy minio-irsa/);
    assert.doesNotMatch((await mc(['admin', 'policy', 'info', 'rig', 'minio-irsa'])).stdout, /s3:ListBucket"/);
    await cli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--bucket', 'apps']);
    const builtin = await cli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--bucket', 'apps', '--name', 'readwrite']);
    assert.equal(builtin.code, 2);
    assert.match(builtin.stderr, /refusing to overwrite the built-in policy "readwrite"/);
  });

  it('configure refuses to touch MinIO when discovery fails the way MinIO would see it', async () => {
    const wrongCa = join(work, 'wrong.crt');
    writeFileSync(wrongCa, generateSelfSigned());
    const refused = await cli(['minio', 'configure', '--apply', '--endpoint', rig.s3.endpoint, '--config-url', rig.cluster.configUrl, '--ca-file', wrongCa]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not configuring MinIO: a provider that fails at startup stalls MinIO's IAM/);
    const list = JSON.parse((await cli(['minio', 'info', '--endpoint', rig.s3.endpoint, '-o', 'json'])).stdout) as { openIdProviders: { name: string; enabled: boolean }[] };
    assert.ok(list.openIdProviders.every((p) => !p.enabled), 'nothing was configured');
  });

  it('a provider added through the admin API works after a restart; the three ARN sources agree', async () => {
    const broad = await cli(['minio', 'configure', ...kube, '--config-url', rig.cluster.configUrl, '--role-policy', 'readwrite', '--out', join(work, 'broad.env')]);
    assert.equal(broad.code, 0, broad.stderr);
    assert.match(broad.stderr, /readwrite is a broad built-in/);
    const missing = await cli(['minio', 'configure', '--apply', ...kube, '--endpoint', rig.s3.endpoint, '--config-url', rig.cluster.configUrl, '--role-policy', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /role policy "nosuch" does not exist in MinIO/);
    const applied = await cli(['minio', 'configure', '--apply', ...kube, '--endpoint', rig.s3.endpoint, '--config-url', rig.cluster.configUrl]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /added OpenID provider "_"[\s\S]*restart it now/);
    assertNoSecret(applied);
    const before = await cli(['role-arn', '--from-admin', '--endpoint', rig.s3.endpoint]);
    assert.equal(before.code, 1, 'not loaded until MinIO restarts');
    await rig.s3.restart({});
    await rig.s3.process.waitForLog(/IAM Roles:/);
    const all = await cli(['role-arn', '--from-admin', '--from-logs', rig.s3.process.logFile, '--endpoint', rig.s3.endpoint, '-o', 'json']);
    assert.equal(all.code, 0, all.stderr);
    const result = JSON.parse(all.stdout) as { roleArns: string[]; agree: boolean; findings: { source: string; arn: string }[] };
    assert.deepEqual(result.roleArns, [DERIVED]);
    assert.equal(result.agree, true);
    assert.deepEqual(result.findings.map((f) => [f.source, f.arn]), [['derived', DERIVED], ['logs', DERIVED], ['admin', DERIVED]]);
    const fromCommand = await cli(['role-arn', '--from-command', `cat ${rig.s3.process.logFile}`]);
    assert.equal(fromCommand.stdout.trim(), DERIVED);
    const ls = await mc(['idp', 'openid', 'ls', 'rig']);
    assert.match(ls.stdout, /oxnUw3DAuQF1uggjXGxI2AmW8IA/, 'mc sees the provider and its role');
    // Once MinIO has loaded it, adding it again is refused, and configure takes the update path.
    const reapplied = await cli(['minio', 'configure', '--apply', ...kube, '--endpoint', rig.s3.endpoint, '--config-url', rig.cluster.configUrl]);
    assert.equal(reapplied.code, 0, reapplied.stderr);
    assert.match(reapplied.stderr, /updated OpenID provider "_"/, 'the update path (POST) of an existing provider');
    await rig.s3.restart({});
    await rig.s3.process.waitForLog(/IAM Roles:/);
  });

  it('a real token exchange and S3 probe succeed; writing outside the workload\'s prefix is denied', async () => {
    const probed = await cli(['exchange', ...kube, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--bucket', 'apps', '--probe', '-o', 'json']);
    assert.equal(probed.code, 0, probed.stderr);
    const result = JSON.parse(probed.stdout) as { subject: string; probe: { step: string; status: string; message: string }[] };
    assert.equal(result.subject, 'system:serviceaccount:apps:web');
    const byStep = (prefix: string) => result.probe.find((s) => s.step.startsWith(prefix));
    // MinIO lists the buckets a session has any right on: here only apps.
    assert.equal(byStep('list buckets')?.message, '1 bucket(s) visible');
    assert.equal(byStep('put apps/system:serviceaccount:apps:web/')?.status, 'ok');
    assert.equal(byStep('get ')?.status, 'ok');
    assert.equal(byStep('delete ')?.status, 'ok');
    assert.equal(byStep('put outside')?.status, 'ok');
    assert.match(byStep('put outside')?.message ?? '', /AccessDenied, as it must be/);
    assertNoSecret(probed);
    assert.doesNotMatch(probed.stdout, /AWS_SECRET_ACCESS_KEY|secretAccessKey|sessionToken/);
    const exported = await cli(['exchange', ...kube, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--export']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout.trim(), /^export AWS_ACCESS_KEY_ID='[A-Z0-9]+'\nexport AWS_SECRET_ACCESS_KEY='.+'\nexport AWS_SESSION_TOKEN='.+'\nexport AWS_REGION='us-east-1'\nexport AWS_ENDPOINT_URL_S3='http:\/\/127\.0\.0\.1:\d+'$/);
    const env = Object.fromEntries(exported.stdout.trim().split('\n').map((line) => /^export (\w+)='(.*)'$/.exec(line)!.slice(1, 3) as [string, string]));
    const body = join(work, 'hello.txt');
    writeFileSync(body, 'hello');
    const put = await runAws(rig.binaries.aws, ['s3api', 'put-object', '--bucket', 'apps', '--key', 'system:serviceaccount:apps:web/hello.txt', '--body', body], env);
    assert.equal(put.code, 0, `the exported credentials work with the real aws CLI: ${put.stderr}`);
    const ls = await runAws(rig.binaries.aws, ['s3', 'ls', 's3://apps/system:serviceaccount:apps:web/'], env);
    assert.match(ls.stdout, /hello\.txt/);
  });

  it('MinIO\'s errors become typed, diagnosed errors', async () => {
    const now = Math.floor(Date.now() / 1000);
    const key = rig.cluster.serviceAccountKey.privatePem;
    const tokens: [string, string, RegExp][] = [
      ['wrong audience', await rig.cluster.requestToken('apps', 'web', 'not-minio', 600), /audience differs from MinIO's client id/],
      ['expired', signRs256(serviceAccountClaims(rig.cluster.issuer, 'apps', 'web', 'sts.amazonaws.com', 60, now - 3600), key), /has expired/],
      // An apiserver whose clock is 5 minutes ahead of MinIO's: MinIO allows no skew on iat/nbf.
      ['from the future', signRs256(serviceAccountClaims(rig.cluster.issuer, 'apps', 'web', 'sts.amazonaws.com', 3600, now + 300), key), /not valid yet: MinIO's clock is behind the cluster's/],
      ['unknown key', signRs256(serviceAccountClaims(rig.cluster.issuer, 'apps', 'web', 'sts.amazonaws.com'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), /signed by this cluster's service-account key/],
    ];
    for (const [label, token, diagnosis] of tokens) {
      const file = join(work, `token-${label.replace(/\W/g, '')}`);
      writeFileSync(file, token);
      const result = await cli(['exchange', '--token-file', file, '--endpoint', rig.s3.endpoint]);
      assert.equal(result.code, 1, label);
      assert.match(result.stderr, /^error: STS /m, label);
      assert.match(result.stderr, diagnosis, `${label}: ${result.stderr}`);
      assertNoSecret(result);
    }
    const good = join(work, 'token-good');
    writeFileSync(good, await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600));
    const unknownRole = await cli(['exchange', '--token-file', good, '--endpoint', rig.s3.endpoint, '--role-arn', 'arn:minio:iam:::role/doesnotexist']);
    assert.equal(unknownRole.code, 1);
    assert.match(unknownRole.stderr, /MinIO has no such role/);
  });

  it('JWKS unreachable, and a provider that failed at startup: diagnosed, and MinIO recovers by itself', async () => {
    await rig.cluster.stopApiserver();
    const stranger = join(work, 'token-stranger');
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(stranger, signRs256(serviceAccountClaims(rig.cluster.issuer, 'apps', 'web', 'sts.amazonaws.com'), foreignKey));
    // An unknown kid makes MinIO re-fetch the JWKS, which now fails.
    const unreachable = await cli(['exchange', '--token-file', stranger, '--endpoint', rig.s3.endpoint]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /Get "https:\/\/127\.0\.0\.1:\d+\/openid\/v1\/jwks": dial tcp[\s\S]*cannot fetch the issuer's keys/);
    await rig.s3.restart({});
    await rig.s3.process.waitForLog(/Unable to initialize OpenID/);
    const stalled = await cli(['exchange', '--token-file', join(work, 'token-good'), '--endpoint', rig.s3.endpoint]);
    assert.equal(stalled.code, 1);
    assert.match(stalled.stderr, /is not defined[\s\S]*OpenID provider failed at startup/);
    await rig.cluster.restartApiserver();
    await rig.s3.process.waitForLog(/IAM Roles:/, 60_000);
    const fresh = join(work, 'token-fresh');
    writeFileSync(fresh, await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600));
    const recovered = await cli(['exchange', '--token-file', fresh, '--endpoint', rig.s3.endpoint]);
    assert.equal(recovered.code, 0, recovered.stderr);
  });

  it('with MINIO_REGION set, the sources disagree and say why', async () => {
    await rig.s3.restart({ MINIO_REGION: 'eu-west-1' });
    await rig.s3.process.waitForLog(/IAM Roles:/);
    const regional = 'arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';
    const checked = await cli(['role-arn', '--from-admin', '--from-logs', rig.s3.process.logFile, '--endpoint', rig.s3.endpoint]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(checked.stdout.trim(), regional, "MinIO's own ARN wins");
    assert.match(checked.stderr, /region "eu-west-1" differs from ""[^\n]*set --region eu-west-1/);
    const agreed = await cli(['role-arn', '--from-admin', '--from-logs', rig.s3.process.logFile, '--endpoint', rig.s3.endpoint, '--region', 'eu-west-1']);
    assert.match(agreed.stderr, /derived, logs, admin agree/);
    const info = JSON.parse((await cli(['minio', 'info', '--endpoint', rig.s3.endpoint, '-o', 'json'])).stdout) as { region?: string };
    assert.equal(info.region, 'eu-west-1');
    await rig.s3.restart({});
    await rig.s3.process.waitForLog(/IAM Roles:/);
  });

  it('MinIO down: a clear error and exit 1', async () => {
    await rig.s3.stop();
    const good = join(work, 'token-good');
    const exchange = await cli(['exchange', '--token-file', good, '--endpoint', rig.s3.endpoint]);
    assert.equal(exchange.code, 1);
    assert.match(exchange.stderr, /cannot reach MinIO's STS at http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+ refused the connection/);
    const info = await cli(['minio', 'info', '--endpoint', rig.s3.endpoint]);
    assert.equal(info.code, 1);
    assert.match(info.stderr, /cannot read server info: .*refused the connection/);
    await rig.s3.start();
  });
});

function generateSelfSigned(): string {
  const dir = scratchDir('irsa-wrong-');
  const out = join(dir, 'ca.crt');
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', out, '-days', '1', '-subj', '/CN=wrong-ca'], { stdio: 'ignore' });
  assert.equal(result.status, 0);
  return readFileSync(out, 'utf8');
}
