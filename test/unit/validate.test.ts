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
