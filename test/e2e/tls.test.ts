import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyDiscovery } from '../../src/kube/discovery.js';
import { verifyCaFor } from '../../src/kube/ca.js';
import { scratchDir } from '../helpers/scratch.js';

// Certificate checks against a real TLS server (Node's): a certificate signed by the right CA
// that does not name the host MinIO will use must be reported with the names it does cover.

function openssl(dir: string, args: string[]): void {
  assert.equal(spawnSync('openssl', args, { cwd: dir, stdio: 'ignore' }).status, 0, args.join(' '));
}

describe('TLS host coverage', () => {
  let server: Server;
  let port = 0;
  let caPem = '';

  before(async () => {
    const dir = scratchDir('irsa-tls-');
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:apiserver.internal,IP:10.43.0.1\nextendedKeyUsage=serverAuth\n');
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=apiserver']);
    openssl(dir, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '1', '-extfile', 'leaf.ext']);
    caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.crt')) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server?.close());

  it('discovery verification names the SANs the certificate does cover', async () => {
    await assert.rejects(verifyDiscovery(`https://127.0.0.1:${port}/.well-known/openid-configuration`, caPem), (error: Error & { hint?: string }) => {
      assert.match(error.message, /certificate does not cover 127\.0\.0\.1 \(it covers DNS:apiserver\.internal, IP Address:10\.43\.0\.1\)/);
      assert.match(error.hint ?? '', /--tls-san/);
      return true;
    });
  });

  it('CA verification fails on the host name even though the CA is right', async () => {
    await assert.rejects(verifyCaFor(`https://127.0.0.1:${port}/.well-known/openid-configuration`, caPem), /does not validate 127\.0\.0\.1:\d+: .*does not cover this host name or IP/);
  });
});
