import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { DoctorJson } from '../../src/ui/doctor-report.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { configureHealthy } from '../helpers/healthy.js';
import { runInPty } from '../helpers/pty.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { Rig } from '../rig/index.js';
import { freePort } from '../rig/process.js';

// doctor against the real components: a healthy setup passes; then one link at a time is
// broken and exactly the expected check fails, with its hint, while the others pass or are
// skipped.

type Check = DoctorJson['categories'][number]['checks'][number];

describe('doctor against the real rig', () => {
  let rig: Rig;
  let work: string;
  let adminEnv: Record<string, string>;

  const doctor = async (args: string[] = [], env: Record<string, string> = adminEnv): Promise<{ result: CliResult; report: DoctorJson; checks: Record<string, Check> }> => {
    const result = await runCli(['doctor', '-o', 'json', ...args], { cwd: work, env });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const report = JSON.parse(result.stdout) as DoctorJson;
    const checks = Object.fromEntries(report.categories.flatMap((c) => c.checks).map((c) => [c.id, c]));
    return { result, report, checks };
  };
  const failing = (checks: Record<string, Check>) => Object.values(checks).filter((c) => c.result === 'fail').map((c) => c.id).sort();

  before(async () => {
    rig = await Rig.start();
    ({ work, adminEnv } = await configureHealthy(rig));
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('a healthy setup: every check passes (warnings allowed), the chain is whole, the JSON follows its schema', async () => {
    const { result, report, checks } = await doctor(['--probe']);
    assert.equal(result.code, 0, JSON.stringify(report, null, 1));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.success, true);
    assert.deepEqual(failing(checks), []);
    for (const id of ['kube.connect', 'kube.anonymous', 'kube.binding', 'kube.ca', 'minio.endpoint', 'minio.admin', 'minio.provider', 'minio.policy', 'minio.forgery', 'exchange.token', 'exchange.sts', 'exchange.probe']) {
      assert.equal(checks[id]?.result, 'ok', `${id}: ${checks[id]?.message}`);
    }
    assert.equal(checks['kube.anonymous-scope']?.result, 'warn', 'Kubernetes 1.34 could restrict anonymous access to the two paths');
    assert.equal(checks['tls.ca-expiry']?.result, 'warn', "the rig's CA lives two days: within the 30-day warning");
    assert.match(checks['tls.ca-expiry']?.message ?? '', /the cluster CA expires in [01] day\(s\)/);
    assert.deepEqual(report.chain.map((link) => link.link), ['workload', 'token', 'MinIO STS', 'provider', 'discovery/JWKS', 'apiserver (CA)', 'S3']);
    assert.ok(report.chain.every((link) => link.status !== 'fail'));
    for (const check of Object.values(checks)) {
      assert.match(check.docs, /^docs\/checks\.md#[a-z-]+$/);
      assert.equal(typeof check.durationMs, 'number');
    }
    assert.match(checks['minio.forgery']?.message ?? '', /all rejected/);
    const text = await runCli(['doctor'], { cwd: work, env: adminEnv });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr.split('\n')[0] ?? '', /^- workload → √ token → √ MinIO STS → (√|‼) provider → ‼ discovery\/JWKS → ‼ apiserver \(CA\) → √ S3$/);
  });

  it('without admin credentials the admin checks are skipped, saying how to enable them', async () => {
    const { result, checks } = await doctor([], { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' });
    assert.equal(result.code, 0);
    assert.equal(checks['minio.admin']?.result, 'skip');
    assert.match(checks['minio.admin']?.message ?? '', /no admin credentials: pass --alias/);
    assert.equal(checks['minio.provider']?.result, 'skip');
    assert.equal(checks['exchange.sts']?.result, 'ok', 'the exchange needs no admin');
  });

  it('a workload asking another audience than the provider\'s client id: the provider check names it', async () => {
    const { result, checks } = await doctor(['--client-id', 'not-the-client-id']);
    assert.equal(result.code, 1);
    assert.match(checks['minio.provider']?.message ?? '', /client id is "sts\.amazonaws\.com", but workloads ask for audience "not-the-client-id"/);
    assert.match(checks['exchange.sts']?.message ?? '', /azp/);
  });

  it('the discovery binding removed: anonymous discovery and the binding fail, the discovery check is skipped', async () => {
    assert.equal((await rig.kubectl(['delete', 'clusterrolebinding', 'minio-irsa-issuer-discovery'])).code, 0);
    try {
      await rig.cluster.waitForAnonymousStatus('/.well-known/openid-configuration', 403);
      const { result, checks, report } = await doctor(['--category', 'Kubernetes,TLS and CA']);
      assert.equal(result.code, 1);
      assert.deepEqual(failing(checks), ['kube.anonymous', 'kube.binding']);
      assert.match(checks['kube.anonymous']?.message ?? '', /403/);
      assert.deepEqual(checks['kube.binding']?.fix, ['minio-irsa cluster apply']);
      assert.equal(checks['kube.discovery']?.result, 'skip');
      assert.equal(report.chain.find((link) => link.link === 'discovery/JWKS')?.status, 'fail');
      assert.equal(checks['minio.endpoint'], undefined, '--category leaves the others out');
    } finally {
      const applied = await runCli(['cluster', 'apply', '--yes'], { cwd: work });
      assert.equal(applied.code, 0, applied.stderr);
    }
  });

  it('MinIO without the cluster CA: the provider is not loaded, and its log names why', async () => {
    rmSync(join(rig.s3.certsDir, 'CAs', 'kubernetes-ca.crt'));
    await rig.s3.restart({});
    try {
      await rig.s3.process.waitForLog(/Unable to initialize OpenID/);
      const { result, checks } = await doctor(['--minio-log', rig.s3.process.logFile]);
      assert.equal(result.code, 1);
      assert.ok(failing(checks).includes('minio.provider'), JSON.stringify(checks['minio.provider']));
      assert.match(checks['minio.provider']?.message ?? '', /configured but not loaded/);
      assert.match(checks['minio.provider']?.hint ?? '', /MinIO's log says: .*Unable to initialize OpenID.*(x509|certificate)/);
      assert.equal(checks['kube.ca']?.result, 'ok', 'this machine trusts the CA: the problem is on MinIO');
    } finally {
      rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
      await rig.s3.restart({});
    }
  });

  it('discovery RBAC missing when MinIO starts: the provider check names that cause, from the log and from upstream', async () => {
    assert.equal((await rig.kubectl(['delete', 'clusterrolebinding', 'minio-irsa-issuer-discovery'])).code, 0);
    await rig.cluster.waitForAnonymousStatus('/.well-known/openid-configuration', 403);
    await rig.s3.restart({});
    try {
      await rig.s3.process.waitForLog(/Unable to initialize OpenID/);
      const { checks } = await doctor(['--minio-log', rig.s3.process.logFile]);
      assert.match(checks['minio.provider']?.message ?? '', /configured but not loaded/);
      assert.match(checks['minio.provider']?.hint ?? '', /MinIO's log says: .*Unable to initialize OpenID.*403/);
      assert.match(checks['minio.provider']?.details?.join('\n') ?? '', /issuer discovery is not readable anonymously: .*\(403\)/);
    } finally {
      assert.equal((await runCli(['cluster', 'apply', '--yes'], { cwd: work })).code, 0);
      await rig.s3.restart({});
    }
  });

  it('the config URL unreachable from MinIO: the provider check quotes MinIO\'s log and names the URL it has', async () => {
    const dead = `https://127.0.0.1:${await freePort()}/.well-known/openid-configuration`;
    await rig.s3.restart({ MINIO_IDENTITY_OPENID_CONFIG_URL: dead });
    try {
      await rig.s3.process.waitForLog(/Unable to initialize OpenID/);
      const { result, checks } = await doctor(['--minio-log', rig.s3.process.logFile]);
      assert.equal(result.code, 1);
      assert.match(checks['minio.provider']?.message ?? '', /configured but not loaded/);
      assert.match(checks['minio.provider']?.hint ?? '', /MinIO's log says: .*Unable to initialize OpenID.*connection refused/);
      assert.match(checks['minio.provider']?.details?.join('\n') ?? '', new RegExp(`its config URL is ${dead.replaceAll('.', '\\.')}, not `));
      assert.notEqual(checks['kube.discovery']?.result, 'fail', 'the profile\'s config URL works: only MinIO has the wrong one');
    } finally {
      await rig.s3.restart({});
    }
  });

  it('the jwks_uri unreachable (the discovery document names a dead one): discovery fails here, and MinIO\'s log says the same', async () => {
    const dead = `https://127.0.0.1:${await freePort()}/openid/v1/jwks`;
    await rig.cluster.restartApiserver(['--service-account-jwks-uri', dead]);
    await rig.s3.restart({});
    try {
      await rig.s3.process.waitForLog(/Unable to initialize OpenID/);
      const { result, checks } = await doctor(['--minio-log', rig.s3.process.logFile]);
      assert.equal(result.code, 1);
      assert.equal(checks['kube.discovery']?.result, 'fail');
      assert.match(`${checks['kube.discovery']?.message ?? ''} ${checks['kube.discovery']?.hint ?? ''}`, /jwks/i);
      assert.match(checks['minio.provider']?.hint ?? '', /MinIO's log says: .*Unable to initialize OpenID/);
      assert.match(checks['minio.provider']?.details?.join('\n') ?? '', /the discovery document or JWKS cannot be fetched as MinIO will/);
    } finally {
      await rig.cluster.restartApiserver();
      await rig.s3.restart({});
    }
  });

  it('on a terminal the checks appear as they finish, in order, and the picture comes last, above the summary', async () => {
    const { screen, code } = await runInPty(['-c', join(work, 'minio-irsa.yaml'), 'doctor'], []);
    assert.ok(code === 0 || code === 1, screen);
    const at = (pattern: RegExp) => screen.search(pattern);
    assert.ok(at(/^Kubernetes\r?$/m) >= 0, screen);
    assert.ok(at(/^Kubernetes\r?$/m) < at(/^TLS and CA\r?$/m) && at(/^TLS and CA\r?$/m) < at(/^MinIO\r?$/m), screen);
    assert.ok(at(/^MinIO\r?$/m) < at(/workload → .*S3/), 'the picture follows the checks');
    assert.ok(at(/workload → .*S3/) < at(/all checks passed|check\(s\) failed/), screen);
    assert.equal(screen.match(/workload → /g)?.length, 1, 'the picture once');
  });

  it('a second Kubernetes provider in MinIO: the shared-identity warning', async () => {
    await rig.s3.restart({
      MINIO_IDENTITY_OPENID_CONFIG_URL_second: rig.cluster.configUrl,
      MINIO_IDENTITY_OPENID_CLIENT_ID_second: 'second-cluster',
      MINIO_IDENTITY_OPENID_CLIENT_SECRET_second: 'k'.repeat(8) + Math.random().toString(36).slice(2) + 'Zq81xR4vTu90PwLm3nBc',
      MINIO_IDENTITY_OPENID_ROLE_POLICY_second: 'readonly',
    });
    try {
      await rig.s3.process.waitForLog(/IAM Roles:/);
      const { checks } = await doctor([]);
      assert.equal(checks['kube.issuer-unique']?.result, 'warn');
      assert.match(checks['kube.issuer-unique']?.message ?? '', /trusts 1 other provider\(s\) \(second\).*same MinIO identity/);
    } finally {
      await rig.s3.restart({});
    }
  });

  it('CLIENT_SECRET=dummy: critical, and the chain shows where', async () => {
    await rig.s3.restart({ MINIO_IDENTITY_OPENID_CLIENT_SECRET: 'dummy' });
    try {
      const { result, checks, report } = await doctor([]);
      assert.equal(result.code, 1);
      assert.equal(checks['minio.forgery']?.result, 'fail');
      assert.equal(checks['minio.forgery']?.critical, true);
      assert.match(checks['minio.forgery']?.message ?? '', /accepts tokens forged with the client secret "dummy"/);
      assert.equal(report.chain.find((link) => link.link === 'MinIO STS')?.status, 'fail');
      const text = await runCli(['doctor'], { cwd: work, env: adminEnv });
      assert.match(text.stderr, /CRITICAL: MinIO accepts tokens forged/);
    } finally {
      await rig.s3.restart({});
    }
  });

  it('MinIO stopped: its endpoint fails, everything that needs it is skipped, not failed twice', async () => {
    await rig.s3.stop();
    try {
      const { result, checks } = await doctor([]);
      assert.equal(result.code, 1);
      assert.deepEqual(failing(checks), ['minio.endpoint']);
      assert.match(checks['minio.endpoint']?.message ?? '', /refused the connection/);
      for (const id of ['minio.admin', 'minio.provider', 'minio.forgery', 'exchange.sts']) assert.equal(checks[id]?.result, 'skip', id);
      assert.equal(checks['kube.anonymous']?.result, 'ok');
    } finally {
      await rig.s3.start();
    }
  });

  it('the apiserver stopped: kube.connect fails, the cluster side is skipped', async () => {
    await rig.cluster.stopApiserver();
    try {
      const { result, checks } = await doctor(['--timeout', '3']);
      assert.equal(result.code, 1);
      assert.deepEqual(failing(checks), ['kube.connect']);
      for (const id of ['kube.anonymous', 'kube.ca', 'kube.binding', 'exchange.token']) assert.equal(checks[id]?.result, 'skip', id);
      assert.equal(checks['minio.provider']?.result, 'ok', 'MinIO keeps its loaded provider');
    } finally {
      await rig.cluster.restartApiserver();
    }
  });

  it('live workloads: the rendered pod passes; static keys or another audience are named', async () => {
    const rendered = await runCli(['render', 'pod'], { cwd: work });
    assert.equal(rendered.code, 0, rendered.stderr);
    const variants: [string, string, RegExp | undefined][] = [
      ['minio-irsa-test', rendered.stdout, undefined],
      ['with-keys', rendered.stdout.replace('name: minio-irsa-test', 'name: with-keys').replace('        - name: AWS_REGION', '        - name: AWS_ACCESS_KEY_ID\n          value: AKIAEXAMPLE\n        - name: AWS_REGION'), /AWS_ACCESS_KEY_ID is set: static keys silently win/],
      ['other-audience', rendered.stdout.replace('name: minio-irsa-test', 'name: other-audience').replace('audience: sts.amazonaws.com', 'audience: something-else'), /audience is "something-else", but MinIO's client id is "sts\.amazonaws\.com"/],
    ];
    for (const [name, manifest, problem] of variants) {
      const applied = await rig.kubectl(['apply', '-f', '-'], manifest);
      assert.equal(applied.code, 0, applied.stderr);
      const { result, checks } = await doctor(['--category', 'Workloads', '--pod', `apps/${name}`]);
      if (!problem) {
        assert.equal(result.code, 0, checks['workload.spec']?.message);
        assert.equal(checks['workload.spec']?.result, 'ok');
      } else {
        assert.equal(result.code, 1);
        assert.match(checks['workload.spec']?.message ?? '', problem);
      }
    }
    const unknownRole = await doctor(['--category', 'Workloads', '--pod', 'apps/minio-irsa-test', '--isolation', 'prefix']);
    assert.match(unknownRole.checks['workload.spec']?.message ?? '', /AWS_ROLE_ARN is arn:minio:iam:::role\/minio-irsa-claim-based, but MinIO's role is arn:minio:iam:::role\/oxnUw3DAuQF1uggjXGxI2AmW8IA/);
    const absent = await doctor(['--category', 'Workloads']);
    assert.match(absent.checks['workload.spec']?.message ?? '', /skipped: pass --pod NS\/NAME/);
  });

  it('--all-workloads finds every wired workload of the namespace (an injected Deployment, a bare pod), and names the broken one', async () => {
    const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: apps}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      serviceAccountName: web\n      containers: [{name: app, image: nginx}]\n`;
    const injected = await runCli(['inject'], { cwd: work, input: deployment('injected-web') });
    assert.equal(injected.code, 0, injected.stderr);
    const rendered = await runCli(['render', 'pod', '--name', 'bare-broken'], { cwd: work });
    const broken = rendered.stdout.replace('        - name: AWS_REGION', '        - name: AWS_ACCESS_KEY_ID\n          value: AKIAEXAMPLE\n        - name: AWS_REGION');
    for (const manifest of [injected.stdout, deployment('not-wired'), broken]) assert.equal((await rig.kubectl(['apply', '-f', '-'], manifest)).code, 0);
    const found = await doctor(['--category', 'Workloads', '--all-workloads', '--namespace', 'apps']);
    const all = [found.checks['workload.spec']?.message, ...(found.checks['workload.spec']?.details ?? [])].join('\n');
    assert.match(all, /deployment\/apps\/injected-web/);
    assert.doesNotMatch(all, /not-wired/, 'a workload without web identity is not judged');
    assert.match(all, /pod\/apps\/bare-broken: container aws: AWS_ACCESS_KEY_ID is set/, 'the broken bare pod is named');
    assert.equal(found.result.code, 1);
    const empty = await doctor(['--category', 'Workloads', '--all-workloads', '--namespace', 'default']);
    assert.equal(empty.checks['workload.spec']?.result, 'warn');
    assert.match(empty.checks['workload.spec']?.message ?? '', /no workload in namespace default uses web identity/);
  });

  it('a k3s cluster with anonymous auth off: the anonymous check fails with the k3s fix', async () => {
    const k3s = await Rig.start({ k3s: true, anonymous: 'off', minio: false });
    try {
      const result = await runCli(['doctor', '-o', 'json', '--kubeconfig', k3s.cluster.kubeconfig, '--config-url', k3s.cluster.configUrl, '--category', 'Kubernetes'], { cwd: rig.dir });
      assert.equal(result.code, 1, result.stderr);
      const checks = Object.fromEntries((JSON.parse(result.stdout) as DoctorJson).categories.flatMap((c) => c.checks).map((c) => [c.id, c]));
      assert.equal(checks['kube.distribution']?.message, 'k3s');
      assert.equal(checks['kube.anonymous']?.result, 'fail');
      assert.match(checks['kube.anonymous']?.message ?? '', /401/);
      assert.match([checks['kube.anonymous']?.hint, ...(checks['kube.anonymous']?.details ?? [])].join('\n'), /k3s|config\.yaml|authentication-config/);
    } finally {
      await k3s.stop();
    }
  });

  it('bad usage: exit 2', async () => {
    const bad = await runCli(['doctor', '--category', 'nope'], { cwd: work });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--category "nope" is not a category/);
    const skip = await runCli(['doctor', '--skip', 'no.such'], { cwd: work });
    assert.equal(skip.code, 2);
  });
});
