import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { runAws } from '../helpers/aws.js';
import { run, runCli } from '../helpers/cli.js';
import { parseEnvFile } from '../helpers/env-file.js';
import { mcFor } from '../helpers/mc.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { Rig } from '../rig/index.js';
import { scratchDir } from '../helpers/scratch.js';

// Real clients, configured only from what minio-irsa renders, keep working under the
// generated policies: the aws CLI, boto3, and litestream 0.3 and 0.5 (replicate and restore).

interface EnvVar {
  name: string;
  value?: string;
}
interface Container {
  name: string;
  env?: EnvVar[];
}
interface Manifest {
  kind: string;
  data?: Record<string, string>;
  spec?: { containers?: Container[]; template?: { spec: { containers: Container[]; initContainers?: Container[] } } };
}

const manifests = (text: string): Manifest[] => parseAllDocuments(text).map((doc) => doc.toJS() as Manifest).filter(Boolean);

/** The container's AWS_* variables, with the token file moved to where this test keeps it. */
function envOf(container: Container | undefined, tokenFile: string): Record<string, string> {
  assert.ok(container);
  const env = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value ?? '']));
  assert.ok(env['AWS_ROLE_ARN'] && env['AWS_WEB_IDENTITY_TOKEN_FILE'], JSON.stringify(env));
  return { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile };
}

const PYTHON = ['/root/.pyenv/shims/python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0);

const MODES = [
  { isolation: 'bucket', clientId: 'sts.amazonaws.com', provider: '_', bucket: 'apps-web', otherBucket: 'apps-other' },
  { isolation: 'prefix', clientId: 'irsa-shared', provider: 'shared', bucket: 'shared', otherBucket: 'apps-other' },
] as const;

describe('real clients under the generated policies', () => {
  let rig: Rig;
  const work = scratchDir('irsa-clients-');
  const tokenFiles = new Map<string, string>();
  const flagsFor = (mode: (typeof MODES)[number]) => ['--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--isolation', mode.isolation, '--client-id', mode.clientId];

  before(async () => {
    rig = await Rig.start();
    const applied = await runCli(['cluster', 'apply', '--yes', '--kubeconfig', rig.cluster.kubeconfig]);
    assert.equal(applied.code, 0, applied.stderr);
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    const adminEnv = { env: { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword } };
    const mc = mcFor(rig.binaries.mc, rig.s3);
    await mc(['mb', 'rig/shared', 'rig/apps-other']);
    let env: Record<string, string> = {};
    for (const mode of MODES) {
      const rendered = await runCli(['render', 'minio-env', '--config-url', rig.cluster.configUrl, '--provider', mode.provider, '--client-id', mode.clientId, '--isolation', mode.isolation, '--role-policy', 'minio-irsa-shared']);
      env = { ...env, ...parseEnvFile(rendered.stdout) };
    }
    for (const args of [
      ['--isolation', 'bucket', '--bucket', 'apps-web', '--namespace', 'apps', '--service-account', 'web'],
      ['--isolation', 'prefix', '--bucket', 'shared', '--name', 'minio-irsa-shared'],
    ]) {
      const policy = await runCli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, ...args], adminEnv);
      assert.equal(policy.code, 0, policy.stderr);
    }
    await rig.s3.restart(env);
    await rig.s3.process.waitForLog(/IAM Roles:/);
    await rig.cluster.createServiceAccount('apps', 'web');
    for (const mode of MODES) {
      const file = join(work, `token-${mode.isolation}`);
      writeFileSync(file, await rig.cluster.requestToken('apps', 'web', mode.clientId), { mode: 0o600 });
      tokenFiles.set(mode.isolation, file);
    }
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  for (const mode of MODES) {
    describe(`--isolation ${mode.isolation}`, () => {
      const own = () => (mode.isolation === 'bucket' ? `s3://${mode.bucket}/` : `s3://${mode.bucket}/system:serviceaccount:apps:web/`);
      const podEnv = async () => {
        const pod = await runCli(['render', 'pod', ...flagsFor(mode)]);
        assert.equal(pod.code, 0, pod.stderr);
        return envOf(manifests(pod.stdout).find((m) => m.kind === 'Pod')?.spec?.containers?.[0], tokenFiles.get(mode.isolation) ?? '');
      };

      it('the aws CLI, with only the rendered pod variables, writes and lists its own place and is denied elsewhere', async () => {
        const env = await podEnv();
        const file = join(work, 'hello.txt');
        writeFileSync(file, 'hello');
        const put = await runAws(rig.binaries.aws, ['s3', 'cp', file, `${own()}hello.txt`], env);
        assert.equal(put.code, 0, put.stderr);
        const list = await runAws(rig.binaries.aws, ['s3', 'ls', own()], env);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /hello\.txt/);
        const denied = await runAws(rig.binaries.aws, ['s3', 'cp', file, `s3://${mode.otherBucket}/hello.txt`], env);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /AccessDenied/);
      });

      it('boto3, with only the rendered pod variables', { skip: PYTHON ? false : 'no python with boto3 here' }, async () => {
        const env = await podEnv();
        const [bucket, ...rest] = own().slice('s3://'.length).split('/');
        const prefix = rest.join('/');
        const script = [
          'import boto3, sys',
          's3 = boto3.client("s3")',
          `s3.put_object(Bucket="${bucket}", Key="${prefix}boto3.txt", Body=b"hi")`,
          `print(",".join(o["Key"] for o in s3.list_objects_v2(Bucket="${bucket}", Prefix="${prefix}").get("Contents", [])))`,
          'try:',
          `    s3.put_object(Bucket="${mode.otherBucket}", Key="boto3.txt", Body=b"x"); print("WROTE-ELSEWHERE")`,
          'except Exception as e:',
          '    print("denied:", type(e).__name__, getattr(e, "response", {}).get("Error", {}).get("Code"))',
        ].join('\n');
        const result = await run(PYTHON ?? 'python3', ['-c', script], { cleanEnv: true, env: { ...env, HOME: work, PATH: process.env['PATH'] ?? '', PYENV_ROOT: process.env['PYENV_ROOT'] ?? '' } });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /boto3\.txt/);
        assert.match(result.stdout, /denied: \w+ AccessDenied/);
      });

      it('litestream 0.3 enforces retention (deletes old snapshots) under the policy', async () => {
        const dir = mkdtempSync(join(work, 'retention-'));
        const dbPath = join(dir, 'app.db');
        const rendered = await runCli(['render', 'litestream', ...flagsFor(mode), '--bucket', mode.bucket, '--app-image', 'app:1', '--db-path', dbPath, '--litestream-version', '0.3']);
        assert.equal(rendered.code, 0, rendered.stderr);
        const docs = manifests(rendered.stdout);
        // The rendered config, with retention made fast enough to watch.
        // (Frequent checkpoints advance the WAL index, so older snapshots become deletable.)
        const config = parse(docs.find((m) => m.kind === 'ConfigMap')?.data?.['litestream.yml'] ?? '') as { dbs: ({ replicas: Record<string, unknown>[] } & Record<string, unknown>)[] };
        Object.assign(config.dbs[0] ?? {}, { 'min-checkpoint-page-count': 1, 'checkpoint-interval': '1s' });
        Object.assign(config.dbs[0]?.replicas[0] ?? {}, { retention: '2s', 'retention-check-interval': '1s', 'snapshot-interval': '1s' });
        const configFile = join(dir, 'litestream.yml');
        writeFileSync(configFile, stringify(config));
        const sidecar = docs.find((m) => m.kind === 'StatefulSet')?.spec?.template?.spec.containers.find((c) => c.name === 'litestream');
        const env = { ...envOf(sidecar, tokenFiles.get(mode.isolation) ?? ''), HOME: dir, PATH: process.env['PATH'] ?? '' };
        spawnSync(PYTHON ?? 'python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL"); c.execute("CREATE TABLE t (x)"); c.commit()', dbPath]);
        const replicate = spawn(rig.binaries.litestream03, ['replicate', '-config', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let log = '';
        replicate.stdout.on('data', (c: Buffer) => (log += c.toString()));
        replicate.stderr.on('data', (c: Buffer) => (log += c.toString()));
        try {
          const deadline = Date.now() + 30_000;
          while (Date.now() < deadline && !/snapshot deleted/.test(log)) {
            spawnSync(PYTHON ?? 'python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("INSERT INTO t VALUES (1)"); c.commit()', dbPath]);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } finally {
          replicate.kill('SIGTERM');
          await new Promise((resolve) => replicate.on('close', resolve));
        }
        assert.match(log, /snapshot deleted/, log);
        assert.doesNotMatch(log, /retainer error|AccessDenied/, log);
      });

      it('litestream 0.5 enforces snapshot retention (old snapshot files disappear) under the policy', async () => {
        const dir = mkdtempSync(join(work, 'retention05-'));
        const dbPath = join(dir, 'ret05.db');
        const rendered = await runCli(['render', 'litestream', ...flagsFor(mode), '--bucket', mode.bucket, '--app-image', 'app:1', '--db-path', dbPath, '--litestream-version', '0.5']);
        assert.equal(rendered.code, 0, rendered.stderr);
        const docs = manifests(rendered.stdout);
        const config = parse(docs.find((m) => m.kind === 'ConfigMap')?.data?.['litestream.yml'] ?? '') as Record<string, unknown>;
        Object.assign(config, { snapshot: { interval: '1s', retention: '2s' }, 'l0-retention': '2s', 'l0-retention-check-interval': '1s' });
        const configFile = join(dir, 'litestream.yml');
        writeFileSync(configFile, stringify(config));
        const sidecar = docs.find((m) => m.kind === 'StatefulSet')?.spec?.template?.spec.containers.find((c) => c.name === 'litestream');
        const env = { ...envOf(sidecar, tokenFiles.get(mode.isolation) ?? ''), HOME: dir, PATH: process.env['PATH'] ?? '' };
        const write = () => spawnSync(PYTHON ?? 'python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL"); c.execute("CREATE TABLE IF NOT EXISTS t (x)"); c.execute("INSERT INTO t VALUES (1)"); c.commit()', dbPath]);
        write();
        const replicate = spawn(rig.binaries.litestream05, ['replicate', '-config', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let log = '';
        replicate.stdout.on('data', (c: Buffer) => (log += c.toString()));
        replicate.stderr.on('data', (c: Buffer) => (log += c.toString()));
        const snapshots = async () => {
          // litestream 0.5 keeps snapshots at compaction level 9: <replica path>/0009/<txids>.ltx
          const listed = await runAws(rig.binaries.aws, ['s3', 'ls', '--recursive', `${own()}ret05.db/0009/`], await podEnv());
          return new Set(listed.stdout.split('\n').map((line) => line.trim().split(/\s+/).pop() ?? '').filter((key) => key.endsWith('.ltx')));
        };
        let early = new Set<string>();
        let late = new Set<string>();
        try {
          const deadline = Date.now() + 40_000;
          while (Date.now() < deadline) {
            write();
            await new Promise((resolve) => setTimeout(resolve, 1000));
            const now = await snapshots();
            if (early.size === 0) early = now;
            late = now;
            if (early.size > 0 && [...early].some((key) => !late.has(key))) break;
          }
        } finally {
          replicate.kill('SIGTERM');
          await new Promise((resolve) => replicate.on('close', resolve));
        }
        assert.ok(early.size > 0, `no snapshot was written:\n${log}`);
        assert.ok([...early].some((key) => !late.has(key)), `no old snapshot was deleted (${[...early].join(', ')} -> ${[...late].join(', ')}):\n${log}`);
        assert.doesNotMatch(log, /AccessDenied|remove ltx files/, log);
      });

      for (const version of ['0.3', '0.5'] as const) {
        it(`litestream ${version} replicates and restores with the rendered config and env`, async () => {
          const dir = mkdtempSync(join(work, `ls${version.replace('.', '')}-`));
          const dbPath = join(dir, 'app.db');
          const rendered = await runCli(['render', 'litestream', ...flagsFor(mode), '--bucket', mode.bucket, '--app-image', 'app:1', '--db-path', dbPath, '--litestream-version', version]);
          assert.equal(rendered.code, 0, rendered.stderr);
          const docs = manifests(rendered.stdout);
          const config = docs.find((m) => m.kind === 'ConfigMap')?.data?.['litestream.yml'] ?? '';
          const configFile = join(dir, 'litestream.yml');
          writeFileSync(configFile, config);
          const sidecar = docs.find((m) => m.kind === 'StatefulSet')?.spec?.template?.spec.containers.find((c) => c.name === 'litestream');
          const env = { ...envOf(sidecar, tokenFiles.get(mode.isolation) ?? ''), HOME: dir, PATH: process.env['PATH'] ?? '' };
          const binary = version === '0.3' ? rig.binaries.litestream03 : rig.binaries.litestream05;
          const sql = (statement: string) => {
            const result = spawnSync(PYTHON ?? 'python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print(r)`, dbPath, statement], { encoding: 'utf8' });
            assert.equal(result.status, 0, result.stderr);
            return result.stdout.trim();
          };
          sql('PRAGMA journal_mode=WAL');
          sql('CREATE TABLE t (x INTEGER)');
          for (let i = 0; i < 5; i++) sql(`INSERT INTO t VALUES (${i})`);
          const replicate = spawn(binary, ['replicate', '-config', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
          let log = '';
          replicate.stdout.on('data', (c: Buffer) => (log += c.toString()));
          replicate.stderr.on('data', (c: Buffer) => (log += c.toString()));
          try {
            const deadline = Date.now() + 30_000;
            let listed = '';
            while (Date.now() < deadline) {
              await new Promise((resolve) => setTimeout(resolve, 1000));
              sql(`INSERT INTO t VALUES (${Date.now() % 1000})`);
              const ls = await runAws(rig.binaries.aws, ['s3', 'ls', '--recursive', own()], await podEnv());
              listed = ls.stdout;
              if (/app\.db\//.test(listed) && /(\.ltx|\.lz4|snapshots|wal)/.test(listed)) break;
            }
            assert.match(listed, /app\.db\//, `nothing replicated under ${own()}:\n${log}`);
          } finally {
            replicate.kill('SIGTERM');
            await new Promise((resolve) => replicate.on('close', resolve));
          }
          assert.doesNotMatch(log, /AccessDenied|WebIdentityErr|InvalidIdentityToken/, log);
          const restored = join(dir, 'restored.db');
          const restore = await run(binary, ['restore', '-config', configFile, '-o', restored, dbPath], { cleanEnv: true, env });
          assert.equal(restore.code, 0, `${restore.stderr}\n${log}`);
          const count = spawnSync(PYTHON ?? 'python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from t").fetchone()[0])', restored], { encoding: 'utf8' });
          assert.ok(Number(count.stdout.trim()) >= 5, `restored ${count.stdout} rows: ${count.stderr}`);
        });
      }
    });
  }
});
