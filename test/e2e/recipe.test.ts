import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { runAws } from '../helpers/aws.js';
import { runCli } from '../helpers/cli.js';
import { parseEnvFile } from '../helpers/env-file.js';
import { Rig } from '../rig/index.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { scratchDir } from '../helpers/scratch.js';

// The original recipe, end to end, against the real kube-apiserver, the real MinIO and the
// real aws CLI, with the configuration our CLI generates. No key anywhere.

describe('the IRSA recipe against the real components', () => {
  let rig: Rig;
  let work: string;
  let env: Record<string, string>;
  const kubectl = (args: string[], input?: string) => rig.kubectl(args, input);

  before(async () => {
    rig = await Rig.start();
    work = scratchDir('irsa-recipe-');
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('1. the rendered RBAC, applied with kubectl, makes discovery and JWKS public', async () => {
    const before = await rig.cluster.anonymous('/.well-known/openid-configuration');
    assert.equal(before.status, 403, 'anonymous on, RBAC missing');
    const rbac = await runCli(['render', 'rbac']);
    assert.equal(rbac.code, 0, rbac.stderr);
    const applied = await kubectl(['apply', '-f', '-'], rbac.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    const discovery = await rig.cluster.waitForAnonymousStatus('/.well-known/openid-configuration', 200);
    assert.equal(discovery.status, 200, discovery.body);
    const document = JSON.parse(discovery.body) as { issuer: string; jwks_uri: string };
    assert.equal(document.issuer, rig.cluster.issuer);
    const jwks = await rig.cluster.anonymous(new URL(document.jwks_uri).pathname);
    assert.equal(jwks.status, 200);
    assert.ok((JSON.parse(jwks.body) as { keys: unknown[] }).keys.length > 0);
  });

  it('2. MinIO restarted with the generated settings and the cluster CA shows the derived role ARN', async () => {
    const file = join(work, 'minio.env');
    const rendered = await runCli(['render', 'minio-env', '--config-url', rig.cluster.configUrl, '--isolation', 'prefix', '--role-policy', 'readwrite', '--out', file]);
    assert.equal(rendered.code, 0, rendered.stderr);
    env = parseEnvFile(readFileSync(file, 'utf8'));
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    await rig.s3.restart(env);
    await rig.s3.process.waitForLog(/IAM Roles:/);
    const fromLogs = await runCli(['role-arn', '--from-logs', rig.s3.process.logFile]);
    assert.equal(fromLogs.code, 0, fromLogs.stderr);
    const derived = await runCli(['role-arn', '--isolation', 'prefix']);
    assert.equal(fromLogs.stdout, derived.stdout);
    assert.equal(derived.stdout.trim(), 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA');
  });

  it('3-4. a TokenRequest token and the real aws CLI: create-bucket and ls with no key anywhere', async () => {
    await rig.cluster.createServiceAccount('apps', 'web');
    const token = await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600);
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, token, { mode: 0o600 });
    const awsVars = {
      AWS_ROLE_ARN: 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA',
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ENDPOINT_URL_STS: rig.s3.endpoint,
      AWS_ENDPOINT_URL_S3: rig.s3.endpoint,
      AWS_REGION: 'us-east-1',
    };
    const created = await runAws(rig.binaries.aws, ['s3api', 'create-bucket', '--bucket', 'test'], awsVars);
    assert.equal(created.code, 0, created.stderr);
    const listed = await runAws(rig.binaries.aws, ['s3', 'ls'], awsVars);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\btest\b/);
    const noRole = await runAws(rig.binaries.aws, ['s3', 'ls'], { ...awsVars, AWS_ROLE_ARN: '' });
    assert.notEqual(noRole.code, 0, 'without the role the CLI must have no credentials at all');
  });

  it('5. the rendered pod and litestream manifests are accepted by the real apiserver', async () => {
    const common = ['--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--isolation', 'prefix'];
    const pod = await runCli(['render', 'pod', ...common]);
    assert.equal(pod.code, 0, pod.stderr);
    const podApplied = await kubectl(['apply', '-f', '-'], pod.stdout);
    assert.equal(podApplied.code, 0, podApplied.stderr);
    for (const version of ['0.3', '0.5']) {
      const litestream = await runCli(['render', 'litestream', ...common, '--bucket', 'test', '--app-image', 'nginx:1.27', '--name', `db${version.replace('.', '')}`, '--litestream-version', version]);
      assert.equal(litestream.code, 0, litestream.stderr);
      const applied = await kubectl(['apply', '--validate=strict', '-f', '-'], litestream.stdout);
      assert.equal(applied.code, 0, applied.stderr);
    }
    const got = await kubectl(['get', 'pod', '-n', 'apps', 'minio-irsa-test', '-o', 'json']);
    const spec = (JSON.parse(got.stdout) as { spec: { volumes: { name: string; projected?: { sources: { serviceAccountToken?: { audience: string } }[] } }[] } }).spec;
    const token = spec.volumes.find((v) => v.name === 'minio-irsa-token');
    assert.equal(token?.projected?.sources[0]?.serviceAccountToken?.audience, 'sts.amazonaws.com');
    const again = await kubectl(['apply', '-f', '-'], pod.stdout);
    assert.match(again.stdout, /unchanged/);
  });
});
