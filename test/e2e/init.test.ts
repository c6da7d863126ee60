import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { AdminClient } from '../../src/minio/admin.js';
import { samePolicy } from '../../src/minio/policy.js';
import { runAws } from '../helpers/aws.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { parseEnvFile } from '../helpers/env-file.js';
import { mcFor } from '../helpers/mc.js';
import { runInPty } from '../helpers/pty.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { Rig } from '../rig/index.js';

// init against the real apiserver and MinIO, as a user runs it: unattended with --yes, with
// no admin credentials (files and instructions, then a second run after the user did them),
// a dry run, a re-run that must change nothing, and answering the questions on a terminal.

interface InitJson {
  complete: boolean;
  changed: string[];
  steps: { id: string; status: string; message: string; commands?: string[] }[];
}

const BINDING = 'minio-irsa-issuer-discovery';

describe('init against the real rig, with admin credentials', () => {
  let rig: Rig;
  let work: string;
  let adminEnv: Record<string, string>;
  let admin: AdminClient;
  const init = (args: string[] = [], env = adminEnv): Promise<CliResult> =>
    runCli(['init', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--minio-certs-dir', rig.s3.certsDir, '--create-service-account', ...args], { cwd: work, env, timeoutMs: 240_000 });
  const binding = async () => JSON.parse((await rig.kubectl(['get', 'clusterrolebinding', BINDING, '-o', 'json'], '')).stdout || 'null') as { metadata: { resourceVersion: string } } | null;

  before(async () => {
    rig = await Rig.start();
    work = mkdtempSync(join(rig.dir, 'init-'));
    adminEnv = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
    admin = new AdminClient({ endpoint: rig.s3.endpoint, accessKey: rig.s3.rootUser, secretKey: rig.s3.rootPassword });
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('a dry run on a fresh setup shows the plan and changes nothing', async () => {
    const result = await init(['--dry-run', '--yes', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const report = JSON.parse(result.stdout) as InitJson;
    assert.equal(report.complete, false);
    assert.deepEqual(report.changed, []);
    assert.ok(report.steps.some((step) => step.id === 'rbac' && step.status === 'planned' && /\(plan\) would create ClusterRoleBinding/.test(step.message)), result.stdout);
    assert.equal(await binding(), null, 'no binding created');
    assert.equal(existsSync(join(work, 'minio-irsa.yaml')), false, 'no profile written');
    assert.equal(existsSync(join(work, 'minio-irsa-files')), false, 'no files written');
    assert.deepEqual((await admin.listOpenIdProviders()).filter((p) => p.enabled), []);
  });

  it('--yes goes from nothing to a proven exchange, restarting MinIO through its admin API, then doctor passes', async () => {
    const result = await init(['--yes']);
    assert.equal(result.code, 0, result.stderr);
    for (const line of [/Discovery RBAC \[done\] applied ClusterRoleBinding/, /Cluster CA for MinIO \[done\] CA written to .*CAs\/kubernetes-ca\.crt; MinIO restarted \(admin API\)/, /\[done\] created bucket apps-web and created policy system:serviceaccount:apps:web/, /\[done\] added provider "_"/, /MinIO restart \[done\].*provider "_" is loaded/, /Proof: token → STS → S3 \[ok\] system:serviceaccount:apps:web got temporary credentials/, /all checks passed/]) {
      assert.match(result.stderr, line);
    }
    const secretFile = join(work, 'minio-irsa-files', 'client-secret');
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret), 'the client secret is never printed');
    const profile = parse(readFileSync(join(work, 'minio-irsa.yaml'), 'utf8')) as Record<string, Record<string, string>>;
    assert.equal(profile['workload']?.['bucket'], 'apps-web');
    assert.equal(profile['minio']?.['clientSecretFile'], secretFile);
    assert.deepEqual(Object.keys(profile), ['version', 'kube', 'issuer', 'minio', 'workload'], 'sections in the documented order');
  });

  it('the real aws CLI, configured only from the pod.yaml init wrote, writes its bucket and is denied elsewhere', async () => {
    const pod = (readFileSync(join(work, 'minio-irsa-files', 'pod.yaml'), 'utf8').split(/^---$/m).map((doc) => parse(doc) as { kind?: string; spec?: { containers: { env: { name: string; value: string }[] }[] } })).find((doc) => doc?.kind === 'Pod');
    const env = Object.fromEntries((pod?.spec?.containers[0]?.env ?? []).map((item) => [item.name, item.value]));
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600), { mode: 0o600 });
    const vars = { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile } as Record<string, string>;
    assert.deepEqual(Object.keys(env).sort(), ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']);
    const file = join(work, 'hello.txt');
    writeFileSync(file, 'hello\n');
    const own = await runAws(rig.binaries.aws, ['s3', 'cp', file, 's3://apps-web/hello.txt'], vars);
    assert.equal(own.code, 0, own.stderr);
    await mcFor(rig.binaries.mc, rig.s3)(['mb', '--ignore-existing', 'rig/someone-else']);
    const elsewhere = await runAws(rig.binaries.aws, ['s3', 'cp', file, 's3://someone-else/hello.txt'], vars);
    assert.notEqual(elsewhere.code, 0);
    assert.match(elsewhere.stderr, /AccessDenied/);
  });

  it('a second run changes nothing: RBAC, policy, provider and secret read back untouched', async () => {
    const before = {
      binding: (await binding())?.metadata.resourceVersion,
      policy: await admin.getPolicy('system:serviceaccount:apps:web'),
      provider: JSON.stringify(await admin.getOpenIdProvider('_')),
      secret: readFileSync(join(work, 'minio-irsa-files', 'client-secret'), 'utf8'),
      secretMtime: statSync(join(work, 'minio-irsa-files', 'client-secret')).mtimeMs,
      profile: readFileSync(join(work, 'minio-irsa.yaml'), 'utf8'),
      uptime: (await admin.serverInfo()).uptime ?? 0,
    };
    const result = await init(['--yes', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as InitJson;
    assert.equal(report.complete, true);
    assert.deepEqual(report.changed, [], result.stdout);
    assert.equal((await binding())?.metadata.resourceVersion, before.binding);
    // MinIO answers a policy's actions as a set, in any order: compared by meaning.
    assert.ok(samePolicy(await admin.getPolicy('system:serviceaccount:apps:web'), JSON.stringify(before.policy)), 'policy unchanged');
    assert.equal(JSON.stringify(await admin.getOpenIdProvider('_')), before.provider);
    assert.equal(readFileSync(join(work, 'minio-irsa-files', 'client-secret'), 'utf8'), before.secret);
    assert.equal(statSync(join(work, 'minio-irsa-files', 'client-secret')).mtimeMs, before.secretMtime);
    assert.equal(readFileSync(join(work, 'minio-irsa.yaml'), 'utf8'), before.profile);
    assert.ok(((await admin.serverInfo()).uptime ?? 0) >= before.uptime, 'MinIO was not restarted');
  });

  it('--rotate-secret gives the provider a new secret (and only then)', async () => {
    const secretFile = join(work, 'minio-irsa-files', 'client-secret');
    const old = readFileSync(secretFile, 'utf8');
    const result = await init(['--yes', '--rotate-secret', '--skip-doctor']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\[done\] updated provider "_"/);
    assert.notEqual(readFileSync(secretFile, 'utf8'), old);
    assert.match(result.stderr, /Proof: token → STS → S3 \[ok\]/);
  });

  it('a file in the output folder that would change is not clobbered without --force', async () => {
    const pod = join(work, 'minio-irsa-files', 'pod.yaml');
    writeFileSync(pod, '# edited by hand\n');
    const result = await init(['--yes', '--skip-doctor']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Workload manifests \[failed\] .*pod\.yaml already exists; not overwriting it/);
    assert.equal(readFileSync(pod, 'utf8'), '# edited by hand\n');
    assert.equal((await init(['--yes', '--skip-doctor', '--force'])).code, 0);
    assert.match(readFileSync(pod, 'utf8'), /kind: Pod/);
  });
});

describe('init when MinIO cannot load the provider after the restart', () => {
  let rig: Rig;
  before(async () => (rig = await Rig.start()));
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('says so and rolls the provider back, so MinIO\'s IAM is not left stalled', async () => {
    const work = mkdtempSync(join(rig.dir, 'init-rollback-'));
    const env = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword, MC_HOST_rig: `http://${rig.s3.rootUser}:${rig.s3.rootPassword}@127.0.0.1:${rig.s3.port}`, MC_CONFIG_DIR: mkdtempSync(join(rig.dir, 'mc-')) };
    const args = ['init', '--yes', '--skip-doctor', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--minio-certs-dir', rig.s3.certsDir];
    // The first restart (to load the CA) goes as usual; the second loses the CA on the way, as a
    // wrong certs directory on the real machine would: MinIO cannot fetch discovery at startup.
    const ca = join(rig.s3.certsDir, 'CAs', 'kubernetes-ca.crt');
    const restart = `if [ -e ${work}/restarted-once ]; then rm -f ${ca}; fi; touch ${work}/restarted-once; ${rig.binaries.mc} admin service restart rig --json >/dev/null`;
    const result = await runCli([...args, '--minio-restart-cmd', restart], { cwd: work, env, timeoutMs: 240_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /MinIO restart \[failed\] MinIO restarted but did not load provider "_": rolled back/);
    const admin = new AdminClient({ endpoint: rig.s3.endpoint, accessKey: rig.s3.rootUser, secretKey: rig.s3.rootPassword });
    // Gone from MinIO's config, not just unloaded: with the CA back, a restart loads no provider.
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    await rig.s3.restart({});
    assert.deepEqual((await admin.listOpenIdProviders()).filter((p) => p.enabled), [], 'the provider was removed');
  });
});

describe('init without admin credentials: files and instructions, then a second run after the user did them', () => {
  let rig: Rig;
  let work: string;
  const init = (args: string[] = []): Promise<CliResult> =>
    runCli(['init', '--yes', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--create-service-account', '--minio-env-format', 'env', ...args], {
      cwd: work,
      env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' },
      timeoutMs: 240_000,
    });

  before(async () => {
    rig = await Rig.start();
    work = mkdtempSync(join(rig.dir, 'init-files-'));
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('stops at the CA with the exact copy step, exit 3, having applied the RBAC', async () => {
    const result = await init();
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Cluster CA for MinIO \[manual\] copy .*kubernetes-ca\.crt into MinIO's certs\/CAs\/ and restart MinIO, then run init again with --ca-delivered/);
    assert.match(result.stderr, /cp .*kubernetes-ca\.crt ~\/\.minio\/certs\/CAs\//);
    assert.equal(readFileSync(join(work, 'minio-irsa-files', 'kubernetes-ca.crt'), 'utf8').trim(), rig.cluster.ca.certPem.trim());
  });

  it('with the CA delivered: policy and settings as files, the proof says what is left; after the user loads them, the next run completes', async () => {
    rig.s3.installCa('kubernetes-ca.crt', readFileSync(join(work, 'minio-irsa-files', 'kubernetes-ca.crt'), 'utf8'));
    const first = await init(['--ca-delivered']);
    assert.equal(first.code, 3, first.stderr);
    assert.match(first.stderr, /Least-privilege policy \[manual\][\s\S]*mc mb --ignore-existing ALIAS\/apps-web[\s\S]*mc admin policy create ALIAS 'system:serviceaccount:apps:web' .*policy\.json/);
    assert.match(first.stderr, /MinIO's OpenID provider \[manual\] no admin credentials: MinIO's provider settings written to .*minio-openid\.env/);
    assert.match(first.stderr, /MinIO restart \[manual\] restart MinIO/);
    const envFile = join(work, 'minio-irsa-files', 'minio-openid.env');
    assert.equal(statSync(envFile).mode & 0o777, 0o600);

    // The user does what init said, with MinIO's own tools and a real shell.
    const mc = mcFor(rig.binaries.mc, rig.s3);
    await mc(['mb', '--ignore-existing', 'rig/apps-web']);
    await mc(['admin', 'policy', 'create', 'rig', 'system:serviceaccount:apps:web', join(work, 'minio-irsa-files', 'policy.json')]);
    await rig.s3.restart(parseEnvFile(readFileSync(envFile, 'utf8')));

    const second = await init(['--ca-delivered']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /Proof: token → STS → S3 \[ok\] system:serviceaccount:apps:web got temporary credentials/);
    assert.match(second.stderr, /minio-openid\.env unchanged/, 'the secret was not rotated');
  });
});

describe('init on a k3s cluster with anonymous auth off', () => {
  let rig: Rig;
  before(async () => (rig = await Rig.start({ minio: false, anonymous: 'off', k3s: true })));
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('stops at the cluster step with the k3s fix and applies nothing', async () => {
    const work = mkdtempSync(join(rig.dir, 'init-'));
    const result = await runCli(['init', '--yes', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', 'http://127.0.0.1:9', '--namespace', 'apps', '--service-account', 'web'], { cwd: work, env: { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' } });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Distribution and anonymous auth \[failed\] .*k3s v1\.\d+\.\d+\+k3s1; anonymous requests are refused \(401\).*nothing applied/);
    assert.match(result.stderr, /\/etc\/rancher\/k3s\/config\.yaml/);
    assert.match(result.stderr, /then run minio-irsa init again/);
    assert.doesNotMatch(result.stderr, /Discovery RBAC/);
    const bindings = await rig.kubectl(['get', 'clusterrolebinding', BINDING], '');
    assert.notEqual(bindings.code, 0, 'no binding created');
  });
});

describe('init on a terminal', () => {
  let rig: Rig;
  let work: string;
  before(async () => {
    rig = await Rig.start();
    work = mkdtempSync(join(rig.dir, 'init-pty-'));
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('answers typed at the prompts are kept when Ctrl-C interrupts, and the next run asks only what is left', async () => {
    const args = ['--config', join(work, 'minio-irsa.yaml'), 'init', '--kubeconfig', rig.cluster.kubeconfig, '--out-dir', join(work, 'out')];
    const first = await runInPty(args, [
      { waitFor: /where MinIO runs/, type: '\x1b[B' }, // arrow down: container
      { waitFor: /❯ container/, type: '\r' },
      { waitFor: /S3 API endpoint/, type: `${rig.s3.endpoint}\r` },
      { waitFor: /how workloads are kept apart/, type: '\r' },
      { waitFor: /workload's namespace/, type: 'apps\r' },
      { waitFor: /ServiceAccount:/, type: 'web\r' },
      { waitFor: /workload's bucket/, type: '\x03' },
    ]);
    assert.equal(first.code, 130, first.screen);
    const saved = parse(readFileSync(join(work, 'minio-irsa.yaml'), 'utf8')) as Record<string, Record<string, string>>;
    assert.equal(saved['minio']?.['endpoint'], rig.s3.endpoint);
    assert.equal(saved['workload']?.['serviceAccount'], 'web');
    assert.equal(saved['workload']?.['namespace'], 'apps');
    assert.equal(saved['minio']?.['location'], 'container', 'chosen with the arrow keys');

    const second = await runInPty([...args, '--ca-delivered', '--skip-proof', '--skip-doctor', '--minio-restart', 'manual'], [
      { waitFor: /workload's bucket/, type: '\r' }, // the suggested apps-web
      { waitFor: /apply ClusterRoleBinding/, type: 'y\r' },
      { waitFor: /issuer discovery URL/, type: '\r' },
    ]);
    assert.equal(second.code, 3, second.screen);
    assert.match(second.screen, /MinIO restart \[manual\] restart MinIO/);
    assert.doesNotMatch(second.screen, /S3 API endpoint|ServiceAccount:/, 'answered questions are not asked again');
    assert.match(second.screen, /Discovery RBAC \[done\]/);
    const after = parse(readFileSync(join(work, 'minio-irsa.yaml'), 'utf8')) as Record<string, Record<string, string>>;
    assert.equal(after['workload']?.['bucket'], 'apps-web');
  });
});
