import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';

// The webhook's serving certificate and the CA the apiserver trusts it by (the caBundle).
// Node 20 can verify certificates but not create them: @peculiar/x509 builds them over
// WebCrypto (ECDSA P-256). The CA key is never kept: re-running rotates both.

export interface WebhookCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64}-----END ${label}-----\n`;
}

function serial(): string {
  // Positive (high bit clear), 16 random bytes: RFC 5280 allows 20.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** The names the apiserver dials a Service-backed webhook by, plus any extra host or IP. */
export function serviceHosts(name: string, namespace: string, extra: readonly string[] = []): string[] {
  return [...new Set([`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}`, name, ...extra])];
}

export async function generateCertificates(hosts: readonly string[], validDays: number, now = new Date()): Promise<WebhookCertificates> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // x509's types name the DOM's Crypto/CryptoKey, which Node's typings do not declare: Node's
  // webcrypto objects are those at run time, hence the `as never` casts below.
  x509.cryptoProvider.set(webcrypto as never);
  const notBefore = new Date(now.getTime() - 5 * 60_000); // clock skew between this machine and the apiserver
  const notAfter = new Date(now.getTime() + validDays * DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=minio-irsa webhook CA ${now.toISOString().slice(0, 10)}`,
    notBefore,
    notAfter,
    keys: caKeys as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey as never),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names = hosts.map((host) => (isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }));
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'minio-irsa-webhook'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey as never,
    publicKey: leafKeys.publicKey as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const keyPem = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey as never));
  return { caPem: ca.toString('pem') + '\n', certPem: leaf.toString('pem') + '\n', keyPem, notAfter };
}
