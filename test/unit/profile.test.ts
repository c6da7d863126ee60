import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { EMPTY_PROFILE, resolveSettings } from '../../src/profile.js';
import { parseProfile } from '../../src/profile-file.js';

const example = `version: 1
kube:
  context: home
issuer:
  configUrl: https://192.0.2.10:6443/.well-known/openid-configuration
minio:
  endpoint: https://minio.lan:9000
  rolePolicy: [app-a, app-b]
workload:
  namespace: apps
  serviceAccount: web
  tokenExpiration: 7200
`;

describe('profile file', () => {
  it('loads the example and resolves defaults', async () => {
    const profile = parseProfile(example, 'minio-irsa.yaml');
    const settings = await resolveSettings(['context', 'configUrl', 'endpoint', 'rolePolicy', 'namespace', 'serviceAccount', 'tokenExpiration', 'clientId', 'region', 'tokenPath'], {}, profile);
    assert.deepEqual(settings, {
      context: 'home',
      configUrl: 'https://192.0.2.10:6443/.well-known/openid-configuration',
      endpoint: 'https://minio.lan:9000',
      rolePolicy: ['app-a', 'app-b'],
      namespace: 'apps',
      serviceAccount: 'web',
      tokenExpiration: 7200,
      clientId: 'sts.amazonaws.com',
      region: undefined,
      tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    });
  });
  it('lets flags override the file', async () => {
    const profile = parseProfile(example, 'minio-irsa.yaml');
    const settings = await resolveSettings(['namespace', 'tokenExpiration'], { namespace: 'other', tokenExpiration: '900' }, profile);
    assert.deepEqual(settings, { namespace: 'other', tokenExpiration: 900 });
  });
  it('points at the line and key of a bad value, and at the flag', async () => {
    const profile = parseProfile(example.replace('namespace: apps', 'namespace: Apps_1'), 'p.yaml');
    await assert.rejects(resolveSettings(['namespace'], {}, profile), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^p\.yaml:10 workload\.namespace: "Apps_1" is not a valid DNS-1123 label/);
      assert.match(error.hint ?? '', /--namespace/);
      return true;
    });
  });
  it('names the flag for a bad flag value', async () => {
    await assert.rejects(resolveSettings(['tokenExpiration'], { tokenExpiration: '60' }, EMPTY_PROFILE), /^UsageError: --token-expiration "60" must be from 600 to 4294967295 seconds/);
  });
  it('rejects unknown keys and sections with a line number', () => {
    assert.throws(() => parseProfile('workload:\n  namspace: x\n', 'p.yaml'), /p\.yaml:2 unknown key "workload\.namspace"/);
    assert.throws(() => parseProfile('workloads:\n  namespace: x\n', 'p.yaml'), /p\.yaml:1 unknown section "workloads"/);
    assert.throws(() => parseProfile('version: 2\n', 'p.yaml'), /only version 1/);
  });
  it('reports YAML syntax errors with the line', () => {
    assert.throws(() => parseProfile('minio:\n  endpoint: [unclosed\n', 'p.yaml'), /p\.yaml:\d+ is not valid YAML/);
    assert.throws(() => parseProfile('- a\n- b\n', 'p.yaml'), /must be a YAML mapping/);
  });
  it('without a terminal, a missing value names its flag and key', async () => {
    await assert.rejects(resolveSettings(['endpoint'], {}, EMPTY_PROFILE), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /missing .*S3 API endpoint/);
      assert.match(error.hint ?? '', /pass --endpoint <url>, or set minio\.endpoint in minio-irsa\.yaml/);
      return true;
    });
  });
  it('an empty file is an empty profile', () => {
    assert.deepEqual(parseProfile('', 'p.yaml').values, {});
  });
});
