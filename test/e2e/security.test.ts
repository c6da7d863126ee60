import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { assumeRoleWithWebIdentity, StsError } from '../../src/minio/sts.js';
import { runCli } from '../helpers/cli.js';
import { parseEnvFile } from '../helpers/env-file.js';
import { mcFor, writeTemp } from '../helpers/mc.js';
import { s3Request } from '../helpers/s3.js';
import { Rig } from '../rig/index.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { serviceAccountClaims, signHs256 } from '../rig/tokens.js';
import { scratchDir } from '../helpers/scratch.js';

// The security questions of docs/security.md, settled by experiment on the real MinIO, and
// the guarantees of what we generate. These assert what MinIO really does: if a MinIO
// release changes the behaviour, they fail and the design must be revisited.

const ROLE_ARN = 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';
const VICTIM = 'system:serviceaccount:other:sa';

describe('security, settled on the real MinIO', () => {
  let rig: Rig;
  let generated: Record<string, string>;
  let mc: ReturnType<typeof mcFor>;

  const forge = (secret: string) =>
    signHs256(serviceAccountClaims('https://attacker.example', 'attacker', 'forged', 'sts.amazonaws.com'), secret, 'sts.amazonaws.com');
  const exchange = (token: string) => assumeRoleWithWebIdentity({ endpoint: rig.s3.endpoint, token, roleArn: ROLE_ARN });
  const restartWith = async (env: Record<string, string>) => {
    await rig.s3.restart(env);
    await rig.s3.process.waitForLog(/IAM Roles:/);
  };

  before(async () => {
    rig = await Rig.start();
    const rbac = await runCli(['render', 'rbac']);
    const applied = await rig.kubectl(['apply', '-f', '-'], rbac.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal((await rig.cluster.waitForAnonymousStatus('/.well-known/openid-configuration', 200)).status, 200);
    rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
    const file = join(scratchDir('irsa-sec-'), 'minio.env');
    const rendered = await runCli(['render', 'minio-env', '--config-url', rig.cluster.configUrl, '--isolation', 'prefix', '--role-policy', 'minio-irsa', '--out', file]);
    assert.equal(rendered.code, 0, rendered.stderr);
    generated = parseEnvFile(readFileSync(file, 'utf8'));
    mc = mcFor(rig.binaries.mc, rig.s3);
    const policy = await runCli(['render', 'policy', '--bucket', 'apps', '--isolation', 'prefix']);
    await mc(['admin', 'policy', 'create', 'rig', 'minio-irsa', writeTemp('policy.json', policy.stdout)]);
    await mc(['mb', 'rig/apps', 'rig/vault']);
    await mc(['cp', writeTemp('secret', 'B data'), `rig/apps/${VICTIM}/secret`]);
    await mc(['cp', writeTemp('secret', 'vault data'), 'rig/vault/secret']);
    await rig.cluster.createServiceAccount('apps', 'web');
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  for (const weak of ['dummy', '']) {
    it(`CVE-2026-33322: with CLIENT_SECRET=${JSON.stringify(weak)}, a token forged with that secret gets credentials`, async () => {
      await restartWith({ ...generated, MINIO_IDENTITY_OPENID_CLIENT_SECRET: weak });
      const credentials = await exchange(forge(weak));
      assert.ok(credentials.accessKeyId.length > 0, 'MinIO accepted the forged token');
    });
  }

  it('with our random secret every forged token is rejected', async () => {
    await restartWith(generated);
    assert.match(generated['MINIO_IDENTITY_OPENID_CLIENT_SECRET'] ?? '', /^[A-Za-z0-9_-]{43}$/);
    for (const guess of ['dummy', '', 'sts.amazonaws.com', 'secret']) {
      await assert.rejects(exchange(forge(guess)), (error: unknown) => error instanceof StsError && /signature is invalid/.test(error.minioMessage), guess);
    }
  });

  it('a Sub: request header, even unsigned, satisfies a Condition on jwt:sub (so we never generate one)', async () => {
    const conditioned = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::vault/*'], Condition: { StringEquals: { 'jwt:sub': VICTIM } } }],
    };
    await mc(['admin', 'policy', 'create', 'rig', 'conditioned', writeTemp('conditioned.json', JSON.stringify(conditioned))]);
    await restartWith({ ...generated, MINIO_IDENTITY_OPENID_ROLE_POLICY: 'conditioned' });
    const credentials = await exchange(await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com'));
    assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', '/vault/secret')).status, 403, 'apps/web is not the named subject');
    const spoofed = await s3Request(rig.s3.endpoint, credentials, 'GET', '/vault/secret', { unsignedHeaders: { Sub: VICTIM } });
    assert.equal(spoofed.status, 200, 'MinIO takes the condition value from the request header');
    assert.equal(spoofed.body, 'vault data');
  });

  it('under the generated prefix policy a workload reads and writes only its own prefix, and a spoofed header gains nothing', async () => {
    await restartWith(generated);
    const credentials = await exchange(await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com'));
    const own = 'system:serviceaccount:apps:web';
    assert.equal((await s3Request(rig.s3.endpoint, credentials, 'PUT', `/apps/${own}/mine`, { body: 'mine' })).status, 200);
    assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', `/apps/${own}/mine`)).body, 'mine');
    assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', `/apps?list-type=2&prefix=${own}/`)).status, 200);
    const spoofs: Record<string, string>[] = [{}, { Sub: VICTIM }, { sub: VICTIM }, { Username: VICTIM }, { Aud: VICTIM }];
    for (const headers of spoofs) {
      const label = JSON.stringify(headers);
      assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', `/apps/${VICTIM}/secret`, { unsignedHeaders: headers })).status, 403, `read ${label}`);
      // --isolation prefix lists the shared bucket: names are visible by design (isolation.test.ts).
      assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', `/apps?list-type=2&prefix=${VICTIM}/`, { unsignedHeaders: headers })).status, 200, `list ${label}`);
      assert.equal((await s3Request(rig.s3.endpoint, credentials, 'PUT', `/apps/${VICTIM}/evil`, { body: 'x', unsignedHeaders: headers })).status, 403, `write ${label}`);
    }
    assert.equal((await s3Request(rig.s3.endpoint, credentials, 'GET', '/vault/secret')).status, 403, 'other buckets are out of reach');
  });
});
