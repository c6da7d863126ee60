import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_PROFILE, loadProfile, readProfileSource, resolveIfGiven, resolveSettings } from '../../src/profile.js';
import { parseProfile } from '../../src/profile-file.js';
import { scratchDir } from '../helpers/scratch.js';

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
  it('names the exact line and the parser\'s own words for a syntax error, a duplicate key, an alias bomb', () => {
    assert.throws(() => parseProfile('kube:\n  context: a\nminio:\n  endpoint: "unclosed\n', 'p.yaml'), /^UsageError: p\.yaml:5 is not valid YAML: Missing closing "quote at line 5/);
    assert.throws(() => parseProfile('kube:\n  context: a\n  context: b\n', 'p.yaml'), /^UsageError: p\.yaml:3 is not valid YAML: Map keys must be unique/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((name, i) => `${name}: &${name} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`), 'kube:\n  context: *g'].join('\n');
    assert.throws(() => parseProfile(bomb, 'p.yaml'), (error: unknown) => error instanceof UsageError && /^p\.yaml: Excessive alias count/.test(error.message) && /simplify the aliases/.test(error.hint ?? ''));
  });
  it('an empty section or value is absent; a section that is not a mapping is refused at its line', () => {
    assert.deepEqual(parseProfile('kube:\nminio:\n  endpoint: https://m.example:9000\n  region:\n', 'p.yaml').values, { endpoint: 'https://m.example:9000' });
    for (const bad of ['5', '[a, b]', 'text']) assert.throws(() => parseProfile(`version: 1\nkube: ${bad}\n`, 'p.yaml'), /^UsageError: p\.yaml:2 kube must be a mapping/, bad);
  });
  it('an unknown key is named at its line, also without a value, with the section\'s known keys', () => {
    assert.throws(() => parseProfile('kube:\n  context: a\n  nope:\n', 'p.yaml'), (error: unknown) => error instanceof UsageError && error.message === 'p.yaml:3 unknown key "kube.nope"' && error.hint === 'known keys in kube: kube.kubeconfig, kube.context');
  });
  it('a bad value is reported at the line of the value, also when it sits below its key', async () => {
    const profile = parseProfile('minio:\n  endpoint:\n    ftp://minio.example:9000\n', 'p.yaml');
    await assert.rejects(resolveSettings(['endpoint'], {}, profile), /^UsageError: p\.yaml:3 minio\.endpoint: /);
  });
  it('an empty file is an empty profile', () => {
    assert.deepEqual(parseProfile('', 'p.yaml').values, {});
  });

  it('the default profile may be absent; a profile named with --config may not', async () => {
    const dir = scratchDir('irsa-profile-');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(await loadProfile(undefined), EMPTY_PROFILE, 'no ./minio-irsa.yaml: the empty profile');
      await assert.rejects(loadProfile('missing.yaml'), (error: unknown) => error instanceof UsageError && /missing\.yaml/.test(error.message));
      await assert.rejects(readProfileSource(dir, true), (error: unknown) => error instanceof UsageError, 'a directory is no absent file: an error even when it may be absent');
      writeFileSync(join(dir, 'minio-irsa.yaml'), 'workload:\n  namespace: found\n');
      const found = await loadProfile(undefined);
      assert.equal(found.path, 'minio-irsa.yaml');
      assert.equal(found.values.namespace, 'found');
      assert.equal(found.lines.namespace, 2);
    } finally {
      process.chdir(cwd);
    }
  });
  it('resolveIfGiven: only what a flag or the file gives, validated; no default', async () => {
    const profile = parseProfile(example, 'p.yaml');
    assert.equal(await resolveIfGiven('clientId', {}, profile), undefined, 'a default is not "given"');
    assert.equal(await resolveIfGiven('namespace', {}, profile), 'apps');
    assert.equal(await resolveIfGiven('clientId', { clientId: 'mine' }, EMPTY_PROFILE), 'mine');
    assert.equal(await resolveIfGiven('namespace', { namespace: 'flag' }, profile), 'flag', 'the flag wins over the file');
    await assert.rejects(resolveIfGiven('namespace', { namespace: 'Bad_1' }, profile), /--namespace "Bad_1"/);
  });
  it('optional settings resolve to undefined without asking; a bad file value names the line, or 0 when unknown', async () => {
    const settings = await resolveSettings(['region', 'roleArn', 'caConfigMap'], {}, EMPTY_PROFILE);
    assert.deepEqual(settings, { region: undefined, roleArn: undefined, caConfigMap: undefined });
    const noLines = { path: 'x.yaml', values: { namespace: 'Bad_1' }, lines: {} };
    await assert.rejects(resolveSettings(['namespace'], {}, noLines), /^UsageError: x\.yaml:0 workload\.namespace:/);
    const named = { path: 'mine.yaml', values: {}, lines: {} };
    await assert.rejects(resolveSettings(['endpoint'], {}, named), (error: unknown) => error instanceof UsageError && /set minio\.endpoint in mine\.yaml/.test(error.hint ?? ''));
  });
  it('a validator\'s own failure (not bad input) is not turned into a usage error', async () => {
    const { SETTINGS } = await import('../../src/settings.js');
    const original = SETTINGS.namespace.parse;
    SETTINGS.namespace.parse = () => {
      throw new TypeError('bug');
    };
    try {
      await assert.rejects(resolveSettings(['namespace'], { namespace: 'x' }, EMPTY_PROFILE), TypeError);
      await assert.rejects(resolveSettings(['namespace'], {}, parseProfile(example, 'p.yaml')), TypeError);
    } finally {
      SETTINGS.namespace.parse = original;
    }
  });
});
