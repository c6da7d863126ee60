import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { deriveRoleArn } from '../../src/minio/arn.js';
import { assumeRoleWithWebIdentity, StsError, type TemporaryCredentials } from '../../src/minio/sts.js';
import { CLAIM_BASED_ROLE_ARN } from '../../src/render/workload.js';
import { runCli } from '../helpers/cli.js';
import { parseEnvFile } from '../helpers/env-file.js';
import { mcFor, writeTemp } from '../helpers/mc.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { listedNames, s3Request } from '../helpers/s3.js';
import { Cluster, Rig } from '../rig/index.js';

// What one workload (or one cluster) can see of another's data, settled by attack against the
// real MinIO: each attack runs against a naive policy (the control: it must work there, so
// the test can fail) and against what minio-irsa generates (it must not).

const WEB = 'system:serviceaccount:apps:web';
const OTHER = 'system:serviceaccount:apps:other';

// The listing statement minio-irsa used to generate: isolation resting on a Condition.
const conditionedList = (condition: Record<string, unknown>, effect: 'Allow' | 'Deny' = 'Allow') => ({
  Version: '2012-10-17',
  Statement: [
    effect === 'Allow'
      ? { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::apps'], Condition: condition }
      : { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::apps'] },
    ...(effect === 'Deny' ? [{ Effect: 'Deny', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::apps'], Condition: condition }] : []),
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::apps/${jwt:sub}/*'] },
  ],
});
const OWN_PREFIX = ['${jwt:sub}/*', '${jwt:sub}'];

interface ProviderSpec {
  name: string;
  clientId: string;
  args: string[];
}

// One MinIO, one provider per policy under test (a role each), so no restart between attacks.
const PROVIDERS: ProviderSpec[] = [
  { name: '_', clientId: 'sts.amazonaws.com', args: ['--isolation', 'prefix', '--role-policy', 'naive'] },
  { name: 'forall', clientId: 'irsa-forall', args: ['--isolation', 'prefix', '--role-policy', 'naive-forall'] },
  { name: 'deny', clientId: 'irsa-deny', args: ['--isolation', 'prefix', '--role-policy', 'naive-deny'] },
  { name: 'keys', clientId: 'irsa-keys', args: ['--isolation', 'prefix', '--role-policy', 'header-keys'] },
  { name: 'prefix', clientId: 'irsa-prefix', args: ['--isolation', 'prefix', '--role-policy', 'minio-irsa-prefix'] },
  { name: 'nolist', clientId: 'irsa-nolist', args: ['--isolation', 'prefix-nolist', '--role-policy', 'minio-irsa-nolist'] },
  { name: 'claims', clientId: 'irsa-claims', args: ['--isolation', 'bucket'] },
  { name: 'iss', clientId: 'irsa-iss', args: ['--isolation', 'prefix', '--role-policy', 'iss-scoped'] },
];

async function providerEnv(configUrl: string, spec: ProviderSpec): Promise<Record<string, string>> {
  const rendered = await runCli(['render', 'minio-env', '--config-url', configUrl, '--provider', spec.name, '--client-id', spec.clientId, ...spec.args]);
  assert.equal(rendered.code, 0, rendered.stderr);
  return parseEnvFile(rendered.stdout);
}

const SPOOFS: Record<string, string>[] = [{}, { Prefix: `${WEB}/` }, { Sub: OTHER }, { Username: OTHER }, { Iss: 'https://elsewhere' }, { Delimiter: '/' }];

describe('isolation, settled by attack on the real MinIO', () => {
  let rig: Rig;
  let mc: ReturnType<typeof mcFor>;
  let env: Record<string, string> = {};
  const creds = new Map<string, TemporaryCredentials>();

  const exchange = async (namespace: string, serviceAccount: string, clientId: string, roleArn = deriveRoleArn(clientId)) =>
    assumeRoleWithWebIdentity({ endpoint: rig.s3.endpoint, token: await rig.cluster.requestToken(namespace, serviceAccount, clientId), roleArn });
  const as = (provider: string): TemporaryCredentials => {
    const found = creds.get(provider);
    assert.ok(found, provider);
    return found;
  };
  const get = (provider: string, path: string, headers: Record<string, string> = {}) => s3Request(rig.s3.endpoint, as(provider), 'GET', path, { unsignedHeaders: headers });
  const put = (provider: string, path: string, headers: Record<string, string> = {}) => s3Request(rig.s3.endpoint, as(provider), 'PUT', path, { body: 'x', unsignedHeaders: headers });

  before(async () => {
    rig = await Rig.start();
    const rbac = await runCli(['render', 'rbac']);
    assert.equal((await rig.kubectl(['apply', '-f', '-'], rbac.stdout)).code, 0);
    await rig.cluster.waitForAnonymousStatus('/.well-known/openid-configuration', 200);
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    mc = mcFor(rig.binaries.mc, rig.s3);
    await mc(['mb', 'rig/apps', 'rig/vault']);
    await mc(['cp', writeTemp('secret', 'other data'), `rig/apps/${OTHER}/secret.db`]);
    await mc(['cp', writeTemp('secret', 'vault data'), 'rig/vault/secret']);
    const policies: Record<string, unknown> = {
      naive: conditionedList({ StringLike: { 's3:prefix': OWN_PREFIX } }),
      'naive-forall': conditionedList({ 'ForAllValues:StringLike': { 's3:prefix': OWN_PREFIX }, Null: { 's3:prefix': 'false' } }),
      'naive-deny': conditionedList({ StringNotLike: { 's3:prefix': OWN_PREFIX } }, 'Deny'),
      'iss-scoped': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::apps/${jwt:iss}/${jwt:sub}/*'] }] },
      'header-keys': {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::vault/secret'], Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::vault'], Condition: { StringEquals: { 'jwt:iss': 'https://trusted.example' } } },
        ],
      },
    };
    for (const [name, document] of Object.entries(policies)) await mc(['admin', 'policy', 'create', 'rig', name, writeTemp(`${name}.json`, JSON.stringify(document))]);
    // The generated policies, through the product itself.
    const admin = ['--endpoint', rig.s3.endpoint];
    const adminEnv = { env: { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword } };
    for (const [isolation, name] of [['prefix', 'minio-irsa-prefix'], ['prefix-nolist', 'minio-irsa-nolist']] as const) {
      const applied = await runCli(['minio', 'policy', '--apply', ...admin, '--bucket', 'apps', '--isolation', isolation, '--name', name], adminEnv);
      assert.equal(applied.code, 0, applied.stderr);
    }
    for (const [sa, bucket] of [['web', 'apps-web'], ['other', 'apps-other']] as const) {
      const applied = await runCli(['minio', 'policy', '--apply', ...admin, '--isolation', 'bucket', '--bucket', bucket, '--namespace', 'apps', '--service-account', sa], adminEnv);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stderr, new RegExp(`created bucket ${bucket}`));
    }
    await mc(['cp', writeTemp('secret', 'other bucket data'), 'rig/apps-other/secret.db']);
    for (const spec of PROVIDERS) env = { ...env, ...(await providerEnv(rig.cluster.configUrl, spec)) };
    await rig.s3.restart(env);
    await rig.s3.process.waitForLog(/IAM Roles:/);
    for (const sa of ['web', 'other', 'nobody']) await rig.cluster.createServiceAccount('apps', sa);
    for (const spec of PROVIDERS) {
      creds.set(spec.name, await exchange('apps', 'web', spec.clientId, spec.name === 'claims' ? CLAIM_BASED_ROLE_ARN : deriveRoleArn(spec.clientId)));
    }
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  describe('the control: listing that rests on an s3:prefix Condition', () => {
    it('without a spoofed header, another prefix cannot be listed', async () => {
      assert.equal((await get('_', `/apps?list-type=2&prefix=${OTHER}/`)).status, 403);
      assert.equal((await get('_', '/apps?list-type=2')).status, 403);
    });
    it('a Prefix header naming its own prefix lists another workload or the root: names leak', async () => {
      for (const query of [`list-type=2&prefix=${OTHER}/`, 'list-type=2', `prefix=${OTHER}/`, '', 'list-type=2&delimiter=/', 'delimiter=/']) {
        const leaked = await get('_', `/apps?${query}`, { Prefix: `${WEB}/` });
        assert.equal(leaked.status, 200, query);
        assert.ok(listedNames(leaked.body).some((name) => name.startsWith(OTHER)), `${query}: ${leaked.body}`);
      }
    });
    it('the header works signed as well as unsigned', async () => {
      const signed = await s3Request(rig.s3.endpoint, as('_'), 'GET', `/apps?list-type=2&prefix=${OTHER}/`, { signedHeaders: { prefix: `${WEB}/` } });
      assert.equal(signed.status, 200);
      assert.ok(listedNames(signed.body).includes(`${OTHER}/secret.db`));
    });
    it('ForAllValues with Null, and a Deny with StringNotLike, leak the same way (the header shadows the query)', async () => {
      for (const provider of ['forall', 'deny']) {
        assert.equal((await get(provider, `/apps?list-type=2&prefix=${OTHER}/`)).status, 403, `${provider}: the control must deny`);
        const leaked = await get(provider, `/apps?list-type=2&prefix=${OTHER}/`, { Prefix: `${WEB}/` });
        assert.equal(leaked.status, 200, provider);
        assert.ok(listedNames(leaked.body).includes(`${OTHER}/secret.db`), provider);
      }
    });
    it('ListObjectVersions is authorised as ListBucket: it leaks the same way; multipart uploads need a permission the role lacks', async () => {
      assert.equal((await get('_', `/apps?versions&prefix=${OTHER}/`)).status, 403);
      const versions = await get('_', `/apps?versions&prefix=${OTHER}/`, { Prefix: `${WEB}/` });
      assert.equal(versions.status, 200);
      assert.ok(listedNames(versions.body).includes(`${OTHER}/secret.db`), versions.body);
      for (const query of ['uploads', `uploads&prefix=${OTHER}/`]) {
        assert.equal((await get('_', `/apps?${query}`, { Prefix: `${WEB}/` })).status, 403, query);
      }
    });
  });

  it('every condition key is looked up as a header first: aws:SourceIp and jwt:iss are spoofable too', async () => {
    assert.equal((await get('keys', '/vault/secret')).status, 403, 'from 127.0.0.1 the IP condition fails');
    const ip = await get('keys', '/vault/secret', { SourceIp: '10.1.2.3' });
    assert.equal(ip.status, 200, 'a SourceIp header satisfies aws:SourceIp');
    assert.equal(ip.body, 'vault data');
    assert.equal((await get('keys', '/vault?list-type=2')).status, 403);
    assert.equal((await get('keys', '/vault?list-type=2', { Iss: 'https://trusted.example' })).status, 200, 'an Iss header satisfies jwt:iss');
  });

  describe('generated, --isolation prefix (a shared bucket)', () => {
    it('has no Condition at all', async () => {
      const rendered = await runCli(['render', 'policy', '--bucket', 'apps', '--isolation', 'prefix']);
      assert.doesNotMatch(rendered.stdout, /Condition/);
    });
    it('reads and writes only its own prefix, whatever the headers', async () => {
      assert.equal((await put('prefix', `/apps/${WEB}/mine`)).status, 200);
      assert.equal((await get('prefix', `/apps/${WEB}/mine`)).body, 'x');
      for (const headers of SPOOFS) {
        assert.equal((await get('prefix', `/apps/${OTHER}/secret.db`, headers)).status, 403, JSON.stringify(headers));
        assert.equal((await put('prefix', `/apps/${OTHER}/evil`, headers)).status, 403, JSON.stringify(headers));
        assert.equal((await get('prefix', '/vault/secret', headers)).status, 403, JSON.stringify(headers));
      }
    });
    it('sees the names in the shared bucket, as documented (the trade-off of this mode)', async () => {
      const listed = await get('prefix', '/apps?list-type=2');
      assert.equal(listed.status, 200);
      assert.ok(listedNames(listed.body).includes(`${OTHER}/secret.db`));
    });
  });

  describe('generated, --isolation prefix-nolist', () => {
    it('lists nothing, whatever the headers; reads and writes its own prefix', async () => {
      for (const headers of SPOOFS) {
        for (const query of ['list-type=2', `list-type=2&prefix=${WEB}/`, `list-type=2&prefix=${OTHER}/`, 'delimiter=/']) {
          assert.equal((await get('nolist', `/apps?${query}`, headers)).status, 403, `${query} ${JSON.stringify(headers)}`);
        }
        assert.equal((await get('nolist', `/apps/${OTHER}/secret.db`, headers)).status, 403);
      }
      assert.equal((await put('nolist', `/apps/${WEB}/mine`)).status, 200);
    });
  });

  describe('generated, --isolation bucket (claim-based: the token\'s sub names the policy)', () => {
    it('the AWS SDKs\' obligatory role ARN is ignored: any ARN MinIO does not know works', async () => {
      const again = await exchange('apps', 'web', 'irsa-claims', 'arn:minio:iam:::role/anything-at-all');
      assert.ok(again.accessKeyId);
    });
    it('lists, reads and writes its own bucket', async () => {
      assert.equal((await put('claims', '/apps-web/app.db')).status, 200);
      const listed = await get('claims', '/apps-web?list-type=2');
      assert.equal(listed.status, 200);
      assert.deepEqual(listedNames(listed.body), ['app.db']);
    });
    it("reaches nothing of another workload's, whatever the headers: listing included", async () => {
      for (const headers of [...SPOOFS, { Prefix: '' }, { Sub: WEB }]) {
        const label = JSON.stringify(headers);
        assert.equal((await get('claims', '/apps-other?list-type=2', headers)).status, 403, `list ${label}`);
        assert.equal((await get('claims', '/apps-other/secret.db', headers)).status, 403, `read ${label}`);
        assert.equal((await put('claims', '/apps-other/evil', headers)).status, 403, `write ${label}`);
        assert.equal((await get('claims', '/apps?list-type=2', headers)).status, 403, `shared bucket ${label}`);
      }
    });
    it('a ServiceAccount without a policy of its name gets no credentials at all', async () => {
      await assert.rejects(exchange('apps', 'nobody', 'irsa-claims', CLAIM_BASED_ROLE_ARN), (error: unknown) => error instanceof StsError && /None of the given policies \(`system:serviceaccount:apps:nobody`\) are defined/.test(error.minioMessage));
    });
    it('minio policy --apply is idempotent: a second run changes nothing', async () => {
      const again = await runCli(['minio', 'policy', '--apply', '--endpoint', rig.s3.endpoint, '--isolation', 'bucket', '--bucket', 'apps-web', '--namespace', 'apps', '--service-account', 'web'], {
        env: { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword },
      });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /policy system:serviceaccount:apps:web in MinIO is already up to date; nothing to change/);
      assert.doesNotMatch(again.stderr, /created bucket/);
    });
  });

  describe('several clusters on one MinIO', () => {
    let second: Cluster;
    before(async () => {
      second = new Cluster(mkdtempSync(join(rig.dir, 'cluster-b-')), rig.binaries);
      await second.start();
      const applied = await runCli(['cluster', 'apply', '--yes', '--kubeconfig', second.kubeconfig]);
      assert.equal(applied.code, 0, applied.stderr);
      rig.s3.installCa('cluster-b-ca.crt', second.ca.certPem);
      const secondEnv = await providerEnv(second.configUrl, { name: 'clusterb', clientId: 'cluster-b', args: ['--isolation', 'prefix', '--role-policy', 'minio-irsa-prefix'] });
      await rig.s3.restart({ ...env, ...secondEnv });
      await rig.s3.process.waitForLog(/IAM Roles:/);
      await second.createNamespace('apps');
      await second.createServiceAccount('apps', 'web');
    });
    after(async () => second?.stop());

    it("one key map for all providers: cluster B's token, asking cluster A's audience, assumes cluster A's role", async () => {
      const token = await second.requestToken('apps', 'web', 'irsa-prefix');
      const stolen = await assumeRoleWithWebIdentity({ endpoint: rig.s3.endpoint, token, roleArn: deriveRoleArn('irsa-prefix') });
      assert.ok(stolen.accessKeyId, "B's key validated a token for A's role");
      const read = await s3Request(rig.s3.endpoint, stolen, 'GET', `/apps/${WEB}/mine`);
      assert.equal(read.status, 200, "the same namespace/ServiceAccount in B is A's workload to MinIO");
    });
    it("even through cluster B's own role, the same sub reaches cluster A's data: identities collide", async () => {
      const own = await assumeRoleWithWebIdentity({ endpoint: rig.s3.endpoint, token: await second.requestToken('apps', 'web', 'cluster-b'), roleArn: deriveRoleArn('cluster-b') });
      assert.equal((await s3Request(rig.s3.endpoint, own, 'GET', `/apps/${WEB}/mine`)).status, 200);
    });
    it('${jwt:iss} in a Resource cannot separate clusters: an https issuer makes the key contain "//", which MinIO refuses', async () => {
      const key = `${rig.cluster.issuer}/${WEB}/data`;
      assert.match(key, /^https:\/\/127\.0\.0\.1:\d+\/system:serviceaccount:apps:web\/data$/);
      const refused = await s3Request(rig.s3.endpoint, as('iss'), 'PUT', `/apps/${key}`, { body: 'x' });
      assert.equal(refused.status, 400);
      assert.match(refused.body, /XMinioInvalidObjectName/);
      const squashed = await s3Request(rig.s3.endpoint, as('iss'), 'PUT', `/apps/${key.replace('https://', 'https:/')}`, { body: 'x' });
      assert.equal(squashed.status, 403, 'a key without the "//" is not the one ${jwt:iss} names');
    });
    it("with claim-based bucket isolation, B's apps/web is A's apps/web too (same sub, same policy)", async () => {
      const token = await second.requestToken('apps', 'web', 'irsa-claims');
      const stolen = await assumeRoleWithWebIdentity({ endpoint: rig.s3.endpoint, token, roleArn: CLAIM_BASED_ROLE_ARN });
      assert.equal((await s3Request(rig.s3.endpoint, stolen, 'GET', '/apps-web/app.db')).status, 200);
    });
  });
});
