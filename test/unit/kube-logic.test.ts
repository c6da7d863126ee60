import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { K3S_DEFAULT_ISSUER, looksInternal, verifyDiscovery } from '../../src/kube/discovery.js';
import { accessOf, probeAnonymous, waitForPublicDiscovery } from '../../src/kube/probe.js';
import { decideRbac, desiredBinding, isOurs, sameGrant } from '../../src/kube/rbac.js';
import { makeCa, makeLeaf, type KeyPair } from '../rig/pki.js';
import { scratchDir } from '../helpers/scratch.js';

// The decisions of the cluster-side modules, in seconds: status mapping, ownership, discovery
// verification (against local servers that answer as an apiserver would, or would not).

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('RBAC ownership', () => {
  const desired = desiredBinding('user');
  const labelled = (by: string | undefined) => ({ ...desired, metadata: { name: desired.metadata?.name ?? '', ...(by === undefined ? {} : { labels: { 'app.kubernetes.io/managed-by': by } }) } });
  it('only our own label makes a binding ours: Helm, Argo CD or no label is foreign', () => {
    assert.equal(isOurs(labelled('minio-irsa')), true);
    for (const by of ['Helm', 'argocd', 'minio-irsa-old', '', undefined]) assert.equal(isOurs(labelled(by)), false, String(by));
  });
  it('decides: absent, foreign (never touched), up to date, differs', () => {
    assert.equal(decideRbac(undefined, desired), 'absent');
    assert.equal(decideRbac(labelled('Helm'), desired), 'foreign');
    assert.equal(decideRbac(labelled('minio-irsa'), desired), 'up-to-date');
    assert.equal(decideRbac({ ...labelled('minio-irsa'), subjects: [{ kind: 'Group', name: 'system:unauthenticated' }] }, desired), 'differs');
  });
  it('the same grant whatever the order of subjects; another role or subject is not', () => {
    const two = { ...desired, subjects: [{ kind: 'Group', name: 'g' }, { kind: 'User', name: 'u' }] };
    assert.equal(sameGrant(two, { ...desired, subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }] }), true);
    assert.equal(sameGrant(desired, { ...desired, roleRef: { ...desired.roleRef, name: 'cluster-admin' } }), false);
    assert.equal(sameGrant(desired, desiredBinding('group')), false);
  });
});

describe('anonymous probe', () => {
  it('maps statuses to what they mean', () => {
    assert.equal(accessOf(200), 'public');
    assert.equal(accessOf(403), 'rbac-missing');
    assert.equal(accessOf(401), 'anonymous-off');
    assert.equal(accessOf(404), 'not-served');
    for (const status of [500, 301, 0]) assert.equal(accessOf(status), 'unexpected');
  });

  async function serve(handler: Handler): Promise<{ url: string; close: () => void }> {
    const server = createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }
  it('recognises path-restricted anonymous access (discovery answers, /version is refused)', async () => {
    for (const [discovery, version, access, restricted] of [
      [200, 401, 'public', true],
      [200, 200, 'public', false],
      [403, 401, 'rbac-missing', true],
      [401, 401, 'anonymous-off', false],
      [404, 200, 'not-served', false],
      [502, 200, 'unexpected', false],
    ] as const) {
      const server = await serve((req, res) => {
        res.statusCode = req.url === '/version' ? version : discovery;
        res.end('{}');
      });
      try {
        const result = await probeAnonymous(server.url, undefined);
        assert.equal(result.access, access, `${discovery}/${version}`);
        assert.equal(result.restricted, restricted, `${discovery}/${version}`);
        assert.equal(result.url, `${server.url}/.well-known/openid-configuration`);
        if (access === 'unexpected') assert.match(result.message, /\(502\)/);
        if (restricted) assert.match(result.message, /narrowest exposure/);
      } finally {
        server.close();
      }
    }
  });
});

describe('anonymous probe: URLs and waiting', () => {
  async function serve(handler: Handler): Promise<{ url: string; close: () => void; paths: string[] }> {
    const paths: string[] = [];
    const server = createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close(), paths };
  }
  it('a config URL is probed as it is (under a path prefix too); an apiserver URL gets the discovery path', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    try {
      const prefixed = `${server.url}/k8s/.well-known/openid-configuration`;
      assert.equal((await probeAnonymous(prefixed, undefined)).url, prefixed);
      assert.equal((await probeAnonymous(`${server.url}/.well-known/openid-configuration/x`, undefined)).url, `${server.url}/.well-known/openid-configuration`);
      assert.deepEqual(server.paths.slice(0, 2), ['/k8s/.well-known/openid-configuration', '/version']);
    } finally {
      server.close();
    }
  });
  it('waits until discovery is public, and no longer than told', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      if (req.url !== '/version') calls++;
      res.statusCode = req.url === '/version' ? 200 : calls < 3 ? 403 : 200;
      res.end('{}');
    });
    try {
      assert.equal((await waitForPublicDiscovery(server.url, undefined, 5_000)).access, 'public');
      assert.equal(calls, 3, 'asked again until public, then stopped');
      calls = -1000;
      const started = Date.now();
      const result = await waitForPublicDiscovery(server.url, undefined, 600);
      assert.equal(result.access, 'rbac-missing');
      assert.ok(Date.now() - started < 3000, 'gave up at its deadline');
      calls = 10;
      const once = await waitForPublicDiscovery(server.url, undefined, 0);
      assert.equal(once.access, 'public', 'one probe even with no time to wait');
    } finally {
      server.close();
    }
  });
});

describe('discovery verified as MinIO will', () => {
  let ca: KeyPair;
  let caDir = '';
  let port = 0;
  let respond: Handler = (_req, res) => res.end('{}');
  let close = () => undefined as void;
  const base = () => `https://127.0.0.1:${port}`;
  const configUrl = () => `${base()}/.well-known/openid-configuration`;
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const KEY = { kid: 'k1', alg: 'RS256', kty: 'RSA' };
  const discoveryServing = (document: Record<string, unknown>, jwks: unknown = { keys: [KEY] }): Handler => (req, res) =>
    req.url === '/openid/v1/jwks' ? json(res, 200, jwks) : json(res, 200, { issuer: base(), jwks_uri: `${base()}/openid/v1/jwks`, ...document });

  before(async () => {
    const dir = scratchDir('irsa-disc-');
    caDir = dir;
    ca = makeCa(dir, 'ca', 'unit-ca');
    const leaf = makeLeaf(dir, 'server', ca, { subject: '/CN=127.0.0.1', sans: ['IP:127.0.0.1'], usage: 'server' });
    const server = createHttpsServer({ key: readFileSync(leaf.key), cert: readFileSync(leaf.cert) }, (req, res) => respond(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => void server.close();
  });
  after(() => close());

  it('a valid document and JWKS: issuer, keys, a loopback warning', async () => {
    respond = discoveryServing({});
    const report = await verifyDiscovery(configUrl(), ca.certPem);
    assert.equal(report.issuer, base());
    assert.deepEqual(report.keys, [KEY]);
    assert.ok(report.warnings.some((w) => /loopback/.test(w)), report.warnings.join());
  });
  it('refuses an http issuer, a missing or http jwks_uri, empty or unusable key sets', async () => {
    for (const [document, jwks, pattern] of [
      [{ issuer: 'http://x' }, undefined, /issuer "http:\/\/x" is not https/],
      [{ jwks_uri: undefined }, undefined, /has no jwks_uri/],
      [{ jwks_uri: 'http://127.0.0.1/jwks' }, undefined, /jwks_uri "http:\/\/127\.0\.0\.1\/jwks" is not https/],
      [{}, { keys: [] }, /holds no keys/],
      [{}, { keys: [{ kid: 'k', alg: 'HS256' }, { alg: 'RS256' }] }, /no key in the JWKS .* has a kid and a supported algorithm/],
    ] as const) {
      respond = discoveryServing(document, jwks ?? { keys: [KEY] });
      await assert.rejects(verifyDiscovery(configUrl(), ca.certPem), pattern);
    }
  });
  it("warns about k3s's shared default issuer without advising a spoofable jwt:iss condition", async () => {
    respond = discoveryServing({ issuer: K3S_DEFAULT_ISSUER });
    const report = await verifyDiscovery(configUrl(), ca.certPem);
    const warning = report.warnings.find((w) => w.includes('shared by every k3s cluster')) ?? '';
    assert.match(warning, /one MinIO per cluster/);
    assert.doesNotMatch(warning, /jwt:iss/);
  });
  it('a jwks_uri on the config URL\'s own host needs no warning; on another port it does', async () => {
    respond = discoveryServing({});
    assert.ok(!(await verifyDiscovery(configUrl(), ca.certPem)).warnings.some((w) => /jwks_uri is on/.test(w)));
    const other = createHttpsServer({ key: readFileSync(join(caDir, 'server.key')), cert: readFileSync(join(caDir, 'server.crt')) }, (_req, res) => json(res, 200, { keys: [KEY] }));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherPort = (other.address() as AddressInfo).port;
      respond = discoveryServing({ jwks_uri: `https://127.0.0.1:${otherPort}/openid/v1/jwks` });
      const report = await verifyDiscovery(configUrl(), ca.certPem);
      assert.ok(report.warnings.some((w) => w.startsWith(`jwks_uri is on 127.0.0.1:${otherPort}, not on 127.0.0.1:${port}`)), report.warnings.join('\n'));
    } finally {
      other.close();
    }
  });
  it('a jwks_uri on another host is worth a warning', async () => {
    respond = discoveryServing({ jwks_uri: `https://localhost:${port}/openid/v1/jwks` });
    await assert.rejects(verifyDiscovery(configUrl(), ca.certPem), /certificate does not cover localhost \(it covers IP Address:127\.0\.0\.1\)/);
  });
  it('non-JSON, refusals and a CA that does not sign the certificate are said in words', async () => {
    respond = (_req, res) => res.end('<html>login</html>');
    await assert.rejects(verifyDiscovery(configUrl(), ca.certPem), /did not return JSON/);
    for (const [status, hint] of [[401, /open anonymous discovery first/], [403, /open anonymous discovery first/], [404, /check the URL/], [500, /check the URL/]] as const) {
      respond = (_req, res) => json(res, status, {});
      await assert.rejects(verifyDiscovery(configUrl(), ca.certPem), (error: unknown) => {
        assert.match((error as Error).message, new RegExp(`answered ${status} to an anonymous request`));
        assert.match((error as { hint?: string }).hint ?? '', hint, String(status));
        return true;
      });
    }
    const other = makeCa(scratchDir('irsa-other-'), 'ca', 'other');
    respond = discoveryServing({});
    await assert.rejects(verifyDiscovery(configUrl(), other.certPem), /TLS verification of 127\.0\.0\.1:\d+ failed/);
  });
  it('names what is cluster-internal, loopback or overlay; private LANs are normal', () => {
    assert.match(looksInternal('kubernetes.default.svc') ?? '', /cluster-internal/);
    assert.match(looksInternal('127.0.0.1') ?? '', /loopback/);
    assert.match(looksInternal('100.64.0.1') ?? '', /overlay/);
    for (const host of ['10.0.0.5', '192.168.1.2', '172.16.0.1', 'k3s.example.com', '100.63.0.1', '100.128.0.1']) assert.equal(looksInternal(host), undefined, host);
    assert.match(looksInternal('100.127.255.1') ?? '', /overlay/);
    assert.match(looksInternal('[::1]') ?? 'not ipv4: no verdict', /not ipv4/);
    assert.match(looksInternal('api.cluster.local') ?? '', /cluster-internal/);
    assert.match(looksInternal('ip-10-0-0-1.ec2.internal') ?? '', /cluster-internal/);
  });
});
