import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from '../../src/validate.js';

describe('validators', () => {
  it('accepts DNS-1123 labels and rejects the rest', () => {
    assert.equal(v.dns1123Label('team-a'), 'team-a');
    for (const bad of ['Team', 'a_b', '-a', 'a-', 'x'.repeat(64), '', 'a.b']) assert.throws(() => v.dns1123Label(bad), v.InvalidValue, bad);
  });
  it('accepts DNS-1123 subdomains for service accounts', () => {
    assert.equal(v.dns1123Subdomain('app.v1'), 'app.v1');
    assert.throws(() => v.dns1123Subdomain('App'), v.InvalidValue);
    assert.equal(v.dns1123Subdomain('a'.repeat(253)), 'a'.repeat(253), 'Kubernetes allows 253 characters');
    assert.throws(() => v.dns1123Subdomain('a'.repeat(254)), /at most 253 characters/);
    assert.equal(v.dns1123Label('a'.repeat(63)), 'a'.repeat(63));
  });
  it('wants an https discovery URL and suggests the path', () => {
    assert.equal(v.configUrl('https://10.0.0.1:6443/.well-known/openid-configuration'), 'https://10.0.0.1:6443/.well-known/openid-configuration');
    assert.throws(() => v.configUrl('http://10.0.0.1:6443/.well-known/openid-configuration'), /not https/);
    assert.throws(() => v.configUrl('https://10.0.0.1:6443/'), /did you mean https:\/\/10\.0\.0\.1:6443\/\.well-known\/openid-configuration/);
    assert.throws(() => v.configUrl('not a url'), /not a URL/);
  });
  it('keeps only scheme, host and port of the S3 endpoint', () => {
    assert.equal(v.s3Endpoint('https://minio.lan:9000/'), 'https://minio.lan:9000');
    assert.throws(() => v.s3Endpoint('https://minio.lan:9000/bucket'), /just scheme, host and port/);
    assert.throws(() => v.s3Endpoint('ftp://minio.lan'), /https:\/\/ or http:\/\//);
  });
  it('refuses token lifetimes under ten minutes', () => {
    assert.equal(v.tokenExpiration('600'), 600);
    assert.equal(v.tokenExpiration(3600), 3600);
    for (const bad of ['599', -1]) assert.throws(() => v.tokenExpiration(bad), /must be from 600 to/);
    for (const bad of ['1.5', 'abc', '0x400', '1e4', '+700', '', ' ', true]) assert.throws(() => v.tokenExpiration(bad), /decimal digits/, String(bad));
  });
  it('wants an absolute token file path inside a directory', () => {
    assert.equal(v.tokenPath('/var/run/token/t'), '/var/run/token/t');
    for (const bad of ['token', '/token', '/var/run/', '/var/../t']) assert.throws(() => v.tokenPath(bad), v.InvalidValue, bad);
  });
  it('splits and checks policy names', () => {
    assert.deepEqual(v.policyNames('a, b,a'), ['a', 'b']);
    assert.deepEqual(v.policyNames(['x']), ['x']);
    assert.throws(() => v.policyNames(' , '), /at least one/);
    assert.throws(() => v.policyNames('a b'), /not a valid policy name/);
  });
  it('normalises prefixes', () => {
    assert.equal(v.prefix(''), '');
    assert.equal(v.prefix('/apps'), 'apps/');
    assert.equal(v.prefix('apps/db/'), 'apps/db/');
    assert.throws(() => v.prefix('a/*'), v.InvalidValue);
    assert.throws(() => v.prefix('a/${jwt:sub}'), v.InvalidValue);
  });
  it('checks provider names, client ids, buckets and role ARNs', () => {
    assert.equal(v.providerName('_'), '_');
    assert.equal(v.providerName('k8s_home'), 'k8s_home');
    assert.equal(v.providerName('K8S'), 'K8S');
    assert.throws(() => v.providerName('k8s-home'), v.InvalidValue);
    assert.throws(() => v.clientId('a b'), v.InvalidValue);
    assert.throws(() => v.clientId('a,b'), v.InvalidValue);
    assert.throws(() => v.bucket('ab'), v.InvalidValue);
    assert.throws(() => v.bucket('192.168.1.1'), v.InvalidValue);
    assert.equal(v.roleArn('arn:minio:iam:::role/abc_-'), 'arn:minio:iam:::role/abc_-');
    assert.throws(() => v.roleArn('arn:minio:iam:::role/'), v.InvalidValue);
  });
});

// Each limit is tested on both sides, each accepted value once, so an off-by-one or an
// inverted test in a validator fails here.
describe('validators at their limits', () => {
  it('takes the bounds of a range themselves, and nothing past them', () => {
    assert.equal(v.decimalInteger('600', 1, 600), 600);
    assert.equal(v.decimalInteger('1', 1, 600), 1);
    assert.throws(() => v.decimalInteger('0', 1, 600), /must be from 1 to 600/);
    assert.throws(() => v.decimalInteger('601', 1, 600), /must be from 1 to 600/);
  });
  it('refuses a query or a fragment alone, also an empty one, in every URL kind', () => {
    const discovery = 'https://k.example:6443/.well-known/openid-configuration';
    assert.equal(v.configUrl(discovery), discovery);
    for (const tail of ['?a=1', '#top', '?', '#']) {
      assert.throws(() => v.configUrl(`${discovery}${tail}`), /must not have a query or fragment/, tail);
      assert.throws(() => v.webhookUrl(`https://hook.example:8443/mutate${tail}`), /must not have a query or fragment/, tail);
      assert.throws(() => v.s3Endpoint(`https://minio.example:9000/${tail}`), /must be just scheme, host and port/, tail);
    }
    assert.equal(v.webhookUrl('https://hook.example:8443/mutate'), 'https://hook.example:8443/mutate');
    assert.throws(() => v.webhookUrl('http://hook.example:8443/mutate'), /is not https/);
    assert.equal(v.s3Endpoint('http://minio.example:9000/'), 'http://minio.example:9000');
    assert.throws(() => v.s3Endpoint('http://minio.example:9000/bucket'), /must be just scheme, host and port/);
    assert.throws(() => v.s3Endpoint('http://u:p@minio.example:9000'), /must not carry credentials/);
  });
  it('takes a region of letters, digits, dot, dash and underscore, up to 63', () => {
    for (const good of ['us-east-1', 'eu_west.2', 'x'.repeat(63)]) assert.equal(v.region(good), good);
    for (const bad of ['us east', 'x'.repeat(64), 'us/east', 'r$']) assert.throws(() => v.region(bad), /is not a valid region/, bad);
  });
  it('takes a prefix of 512 characters, not 513', () => {
    const at = `${'a'.repeat(255)}/${'b'.repeat(100)}/${'c'.repeat(155)}`;
    assert.equal(at.length, 512);
    assert.equal(v.prefix(at), `${at}/`);
    assert.throws(() => v.prefix(`${at}c`), /is not a plain key prefix/);
  });
  it('takes each word of a fixed set and names the set when refusing', () => {
    for (const mode of v.ISOLATION_MODES) assert.equal(v.isolation(mode), mode);
    for (const where of v.MINIO_LOCATIONS) assert.equal(v.minioLocation(where), where);
    assert.throws(() => v.isolation('Bucket'), /"Bucket" is not an isolation mode \(bucket, prefix, prefix-nolist\)/);
  });
  it('takes display names, mc aliases and listen addresses, and says what each must be', () => {
    for (const good of ['MinIO', 'k8s_home.1-a', 'x'.repeat(64)]) assert.equal(v.displayName(good), good);
    for (const bad of ['a b', 'x'.repeat(65), 'a$b', 'naïve']) assert.throws(() => v.displayName(bad), /is not a valid display name/, bad);
    for (const good of ['local', 'a', 'Prod_1-b', `a${'b'.repeat(63)}`]) assert.equal(v.mcAlias(good), good);
    for (const bad of ['-x', '_x', 'a.b', `a${'b'.repeat(64)}`, 'a b']) assert.throws(() => v.mcAlias(bad), /is not an mc alias name/, bad);
    for (const good of ['0.0.0.0', '::', '127.0.0.1', 'fe80::1']) assert.equal(v.listenAddress(good), good);
    for (const bad of ['localhost', '127.0.0.1:80', '256.0.0.1', '[::1]']) assert.throws(() => v.listenAddress(bad), /is not an IP address to listen on/, bad);
  });
  it('takes DNS-1123 names at 63 and 253 characters, not one more', () => {
    assert.equal(v.dns1123Label('a'.repeat(63)), 'a'.repeat(63));
    const subdomain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.equal(subdomain.length, 253);
    assert.equal(v.dns1123Subdomain(subdomain), subdomain);
    assert.throws(() => v.dns1123Subdomain(`${subdomain}d`), /at most 253 characters/);
  });
});
