import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Certificates for the rig, made with the openssl CLI: a cluster CA, the apiserver's serving
// certificate, an admin client certificate (O=system:masters) and the service-account keys.

export interface KeyPair {
  cert: string;
  key: string;
  certPem: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeCa(dir: string, name: string, commonName: string): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { cert, key, certPem: readFileSync(cert, 'utf8') };
}

export interface LeafOptions {
  subject: string;
  /** subjectAltName entries such as IP:127.0.0.1, DNS:localhost. */
  sans?: string[];
  usage: 'server' | 'client';
}

export function makeLeaf(dir: string, name: string, ca: KeyPair, options: LeafOptions): KeyPair {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  const lines = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
  ];
  if (options.sans?.length) lines.push(`subjectAltName=${options.sans.join(',')}`);
  writeFileSync(ext, `${lines.join('\n')}\n`);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', options.subject], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], dir);
  return { cert, key, certPem: readFileSync(cert, 'utf8') };
}

export interface SigningKey {
  privateKey: string;
  publicKey: string;
  privatePem: string;
}

export function makeSigningKey(dir: string, name: string): SigningKey {
  const privateKey = join(dir, `${name}.key`);
  const publicKey = join(dir, `${name}.pub`);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', privateKey], dir);
  openssl(['pkey', '-in', privateKey, '-pubout', '-out', publicKey], dir);
  return { privateKey, publicKey, privatePem: readFileSync(privateKey, 'utf8') };
}
