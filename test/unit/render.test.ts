import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { renderAuthnConfig } from '../../src/render/authn-config.js';
import { renderLitestream, replicaPathFor } from '../../src/render/litestream.js';
import { MINIO_ENV_FORMATS, renderMinioEnv, type MinioEnvSettings } from '../../src/render/minio-env.js';
import { renderPod } from '../../src/render/pod.js';
import { policyNameFor, renderPolicy } from '../../src/render/policy.js';
import { samePolicy } from '../../src/minio/policy.js';
import { renderRbac } from '../../src/render/rbac.js';
import type { WorkloadSettings } from '../../src/render/workload.js';
import { matchSnapshot } from '../helpers/snapshot.js';

const workload: WorkloadSettings = {
  endpoint: 'https://minio.lan:9000',
  region: undefined,
  clientId: 'sts.amazonaws.com',
  roleArn: undefined,
  namespace: 'apps',
  serviceAccount: 'web',
  tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  tokenExpiration: 3600,
  isolation: 'prefix',
};
const provider: MinioEnvSettings = {
  configUrl: 'https://192.0.2.10:6443/.well-known/openid-configuration',
  clientId: 'sts.amazonaws.com',
  rolePolicy: ['minio-irsa'],
  displayName: 'k8s',
  provider: '_',
  isolation: 'prefix',
};
const FIXED_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function yamlDocs(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text as string).map((doc) => {
    assert.equal(doc.errors.length, 0, String(doc.errors[0]));
    return doc.toJS() as Record<string, unknown>;
  });
}

describe('render pod', () => {
  it('has the env, the projected token and a read-only mount', async () => {
    const text = await renderPod(workload, { name: 'test', image: 'amazon/aws-cli:2.22.0' });
    matchSnapshot('pod', text);
    const [sa, pod] = yamlDocs(text) as [{ kind: string }, { spec: { containers: { env: { name: string; value: string }[]; volumeMounts: unknown[] }[]; volumes: unknown[] } }];
    assert.equal(sa.kind, 'ServiceAccount');
    const env = Object.fromEntries(pod.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.deepEqual(env, {
      AWS_ROLE_ARN: 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      AWS_ENDPOINT_URL_STS: 'https://minio.lan:9000',
      AWS_ENDPOINT_URL_S3: 'https://minio.lan:9000',
      AWS_REGION: 'us-east-1',
    });
    assert.deepEqual(pod.spec.containers[0]!.volumeMounts, [{ name: 'minio-irsa-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true }]);
    assert.deepEqual(pod.spec.volumes, [
      { name: 'minio-irsa-token', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 3600, path: 'token' } }] } },
    ]);
  });
  it('uses the server region in the ARN and for clients, and an explicit ARN as given', async () => {
    const text = await renderPod({ ...workload, region: 'eu-west-1', clientId: 'minio-k8s', tokenPath: '/tokens/minio' }, { name: 'test', image: 'x' });
    matchSnapshot('pod-region', text);
    assert.match(text, /arn:minio:iam:eu-west-1::role\//);
    assert.match(text, /AWS_REGION\n\s+value: eu-west-1/);
    const explicit = await renderPod({ ...workload, roleArn: 'arn:minio:iam:::role/given' }, { name: 'test', image: 'x' });
    assert.match(explicit, /value: arn:minio:iam:::role\/given/);
  });
  it('quotes values YAML would misread', async () => {
    const text = await renderPod({ ...workload, namespace: 'true', serviceAccount: '0123' }, { name: 'null', image: 'x' });
    const [sa, pod] = yamlDocs(text) as [{ metadata: { name: unknown; namespace: unknown } }, { metadata: { name: unknown } }];
    assert.equal(sa.metadata.name, '0123');
    assert.equal(sa.metadata.namespace, 'true');
    assert.equal(pod.metadata.name, 'null');
  });
});

describe('render litestream', () => {
  for (const version of ['0.3', '0.5'] as const) {
    it(`${version}: config, restore init container and sidecar share token and env`, async () => {
      const text = await renderLitestream(
        { ...workload, bucket: 'apps', prefix: 'sqlite/' },
        { name: 'app', appImage: 'ghcr.io/me/app:1', dbPath: '/db/app.db', litestreamVersion: version, litestreamImage: `litestream/litestream:${version}` },
      );
      matchSnapshot(`litestream-${version}`, text);
      const [, configMap, sts] = yamlDocs(text) as [unknown, { data: { 'litestream.yml': string } }, { spec: { template: { spec: Record<string, { name: string; args?: string[]; env?: { name: string }[] }[]> } } }];
      const config = yamlDocs(configMap.data['litestream.yml'])[0] as { dbs: Record<string, unknown>[] };
      const replica = (version === '0.3' ? (config.dbs[0]!['replicas'] as unknown[])[0] : config.dbs[0]!['replica']) as Record<string, unknown>;
      assert.deepEqual(replica, { type: 's3', endpoint: 'https://minio.lan:9000', bucket: 'apps', path: 'sqlite/system:serviceaccount:apps:web/app.db', region: 'us-east-1', 'force-path-style': true });
      const spec = sts.spec.template.spec;
      const restore = spec['initContainers']![0]!;
      const sidecar = spec['containers']!.find((c) => c.name === 'litestream')!;
      assert.deepEqual(restore.args, ['restore', '-if-db-not-exists', '-if-replica-exists', '-config', '/etc/litestream/litestream.yml', '/db/app.db']);
      assert.deepEqual(restore.env, sidecar.env);
      const names = restore.env!.map((e) => e.name);
      // 0.5 needs AWS_ENDPOINT_URL_STS; 0.3 is given the same five (the inject core's), which it honours too.
      assert.deepEqual(names, ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION']);
      assert.equal(spec['containers']!.find((c) => c.name === 'app')!.env, undefined, 'the app container never talks to MinIO');
      assert.ok(!names.some((n) => /ACCESS_KEY|SECRET/.test(n)), 'no static key may reach litestream');
    });
  }
  it('a multi-line value after "- key:" is indented under the key (past the validators: the encoder alone holds)', async () => {
    const text = await renderLitestream(
      { ...workload, bucket: 'apps', prefix: '' },
      { name: 'app', appImage: 'nginx', dbPath: '/db/line one\nline two', litestreamVersion: '0.5', litestreamImage: 'litestream/litestream:0.5' },
    );
    const [, configMap] = yamlDocs(text) as [unknown, { data: { 'litestream.yml': string } }];
    const config = yamlDocs(configMap.data['litestream.yml'])[0] as { dbs: { path: string }[] };
    assert.equal(config.dbs[0]?.path, '/db/line one\nline two');
  });
  it("keeps the replica under the workload's own sub in a shared bucket, at the top of its own bucket", () => {
    assert.equal(replicaPathFor({ prefix: '', namespace: 'ns', serviceAccount: 'sa', isolation: 'prefix' }, '/data/x.db'), 'system:serviceaccount:ns:sa/x.db');
    assert.equal(replicaPathFor({ prefix: 'db/', namespace: 'ns', serviceAccount: 'sa', isolation: 'prefix' }, '/data/x.db'), 'db/system:serviceaccount:ns:sa/x.db');
    assert.equal(replicaPathFor({ prefix: '', namespace: 'ns', serviceAccount: 'sa', isolation: 'bucket' }, '/data/x.db'), 'x.db');
    assert.equal(replicaPathFor({ prefix: 'db/', namespace: 'ns', serviceAccount: 'sa', isolation: 'bucket' }, '/data/x.db'), 'db/x.db');
  });
  it('bucket mode: the pod sends the claim-based placeholder ARN, which no MinIO role has', async () => {
    const text = await renderPod({ ...workload, isolation: 'bucket' }, { name: 'p', image: 'amazon/aws-cli:2' });
    assert.match(text, /value: arn:minio:iam:::role\/minio-irsa-claim-based/);
    const explicit = await renderPod({ ...workload, isolation: 'bucket', roleArn: 'arn:minio:iam:::role/x' }, { name: 'p', image: 'amazon/aws-cli:2' });
    assert.match(explicit, /value: arn:minio:iam:::role\/x/);
  });
});

describe('render rbac and authn-config', () => {
  it('binds the discovery role to the anonymous user or group', async () => {
    const user = await renderRbac('user');
    matchSnapshot('rbac-user', user);
    const [binding] = yamlDocs(await renderRbac('group')) as [{ roleRef: { name: string }; subjects: { kind: string; name: string }[] }];
    assert.equal(binding.roleRef.name, 'system:service-account-issuer-discovery');
    assert.deepEqual(binding.subjects.map((s) => [s.kind, s.name]), [['Group', 'system:unauthenticated']]);
  });
  it('allows anonymous only on the two discovery paths', async () => {
    for (const version of ['v1beta1', 'v1'] as const) {
      const text = await renderAuthnConfig(version);
      matchSnapshot(`authn-config-${version}`, text);
      const [config] = yamlDocs(text) as [{ apiVersion: string; anonymous: unknown }];
      assert.equal(config.apiVersion, `apiserver.config.k8s.io/${version}`);
      assert.deepEqual(config.anonymous, { enabled: true, conditions: [{ path: '/.well-known/openid-configuration' }, { path: '/openid/v1/jwks' }] });
    }
  });
});

describe('render minio-env', () => {
  for (const format of MINIO_ENV_FORMATS) {
    it(`${format}: every setting, the secret once, role policy mode`, async () => {
      const text = await renderMinioEnv(format, provider, FIXED_SECRET, { name: 'minio-irsa-openid', namespace: 'minio' });
      matchSnapshot(`minio-env-${format}`, text);
      assert.equal(text.split(FIXED_SECRET).length - 1, 1);
      for (const key of ['CONFIG_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'ROLE_POLICY', 'DISPLAY_NAME']) assert.match(text, new RegExp(`MINIO_IDENTITY_OPENID_${key}\\b`));
      assert.doesNotMatch(text, /CLAIM_NAME/);
      if (format === 'compose' || format === 'kubernetes') yamlDocs(text);
    });
  }
  it('bucket isolation: a claim-based provider (CLAIM_NAME=sub), no role policy', async () => {
    const text = await renderMinioEnv('env', { ...provider, isolation: 'bucket' }, FIXED_SECRET, { name: 'x', namespace: 'minio' });
    matchSnapshot('minio-env-bucket', text);
    assert.match(text, /^MINIO_IDENTITY_OPENID_CLAIM_NAME='sub'$/m);
    assert.doesNotMatch(text, /ROLE_POLICY/);
  });
  it('suffixes a named provider with its name verbatim (MinIO keeps the case)', async () => {
    const text = await renderMinioEnv('env', { ...provider, provider: 'home_k3s' }, FIXED_SECRET, { name: 'x', namespace: 'minio' });
    matchSnapshot('minio-env-named', text);
    assert.match(text, /^MINIO_IDENTITY_OPENID_CONFIG_URL_home_k3s='https:/m);
  });
});

describe('render policy', () => {
  type Statement = { Action: string[]; Resource: string[]; Condition?: unknown };
  const statements = (text: string) => (JSON.parse(text) as { Statement: Statement[] }).Statement;
  it('no mode relies on a Condition', async () => {
    for (const isolation of ['bucket', 'prefix', 'prefix-nolist'] as const) {
      for (const statement of statements(await renderPolicy({ bucket: 'apps', prefix: 'sqlite/', isolation }))) assert.equal(statement.Condition, undefined, isolation);
    }
  });
  it('prefix: reads and writes by ${jwt:sub} in Resource, listing of the shared bucket', async () => {
    const text = await renderPolicy({ bucket: 'apps', prefix: 'sqlite/', isolation: 'prefix' });
    matchSnapshot('policy', text);
    const [list, objects] = statements(text);
    assert.deepEqual(list, { Sid: 'ListSharedBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::apps'] });
    assert.deepEqual(objects?.Resource, ['arn:aws:s3:::apps/sqlite/${jwt:sub}/*']);
    assert.deepEqual(objects?.Action, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']);
  });
  it('prefix without a prefix setting', async () => {
    const text = await renderPolicy({ bucket: 'apps', prefix: '', isolation: 'prefix' });
    matchSnapshot('policy-no-prefix', text);
    assert.deepEqual(statements(text)[1]?.Resource, ['arn:aws:s3:::apps/${jwt:sub}/*']);
  });
  it('prefix-nolist: no listing action at all', async () => {
    const text = await renderPolicy({ bucket: 'apps', prefix: '', isolation: 'prefix-nolist' });
    matchSnapshot('policy-nolist', text);
    assert.ok(!statements(text).some((s) => s.Action.some((a) => a.startsWith('s3:List') && a !== 's3:ListMultipartUploadParts')), text);
    assert.deepEqual(statements(text)[1]?.Resource, ['arn:aws:s3:::apps/${jwt:sub}/*']);
  });
  it('bucket: everything in its own bucket, nothing else, no variable', async () => {
    const text = await renderPolicy({ bucket: 'apps-web', prefix: '', isolation: 'bucket' });
    matchSnapshot('policy-bucket', text);
    const [bucket, objects] = statements(text);
    assert.deepEqual(bucket?.Resource, ['arn:aws:s3:::apps-web']);
    assert.deepEqual(bucket?.Action, ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads']);
    assert.deepEqual(objects?.Resource, ['arn:aws:s3:::apps-web/*']);
    assert.doesNotMatch(text, /\$\{/);
    assert.deepEqual(statements(await renderPolicy({ bucket: 'apps-web', prefix: 'db/', isolation: 'bucket' }))[1]?.Resource, ['arn:aws:s3:::apps-web/db/*']);
  });
  it('the policy name: the workload\'s sub in bucket mode, the role policy otherwise', () => {
    assert.equal(policyNameFor({ isolation: 'bucket', namespace: 'apps', serviceAccount: 'web', rolePolicy: ['x'] }), 'system:serviceaccount:apps:web');
    assert.equal(policyNameFor({ isolation: 'prefix', namespace: 'apps', serviceAccount: 'web', rolePolicy: ['x', 'y'] }), 'x');
  });
  it('MinIO\'s form of a policy (sorted sets, a single action as a string) counts as the same', () => {
    const rendered = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: ['arn:aws:s3:::b/*'] }] });
    assert.equal(samePolicy({ Statement: [{ Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: 'arn:aws:s3:::b/*', Sid: 'A' }], Version: '2012-10-17' }, rendered), true);
    assert.equal(samePolicy({ Statement: [{ Action: ['s3:GetObject'], Effect: 'Allow', Resource: 'arn:aws:s3:::b/*', Sid: 'A' }], Version: '2012-10-17' }, rendered), false);
  });
});
