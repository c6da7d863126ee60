import { printable } from '../encode.js';
import { readBoundedFile } from '../fs-safe.js';
import { X509Certificate } from 'node:crypto';
import { OperationError, UsageError } from '../errors.js';
import { anonymousGet, NetworkError, presentedChain } from '../net.js';
import { call, type Connection } from './connect.js';

// The cluster CA that MinIO must trust: found, then proven to validate the serving
// certificate for the host MinIO will use, before anyone copies it anywhere.

export type CaSource = 'file' | 'kubeconfig' | 'configmap' | 'server-chain';

export interface ClusterCa {
  pem: string;
  source: CaSource;
  description: string;
  warning?: string;
}

export function parsePemCertificates(pem: string, origin: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${origin} holds no PEM certificate`, 'pass a PEM file (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new UsageError(`${origin} holds an unreadable certificate`, 'pass a valid PEM file');
    }
  });
}

/** CA bundles are a few KiB; a file far larger is not one. */
export const CA_FILE_MAX_BYTES = 1 << 20;

export async function caFromFile(path: string, flag = '--ca-file'): Promise<ClusterCa> {
  const { text: pem } = await readBoundedFile(path, CA_FILE_MAX_BYTES, flag, 'pass a readable PEM file');
  parsePemCertificates(pem, `${flag} ${printable(path)}`);
  return { pem, source: 'file', description: printable(path) };
}

/** The kubeconfig's CA, else the kube-root-ca.crt ConfigMap, else what the server presents. */
export async function findClusterCa(connection: Connection): Promise<ClusterCa> {
  if (connection.caPem) return { pem: connection.caPem, source: 'kubeconfig', description: connection.caSource ?? 'kubeconfig' };
  try {
    const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
    const configMap = await call(connection, 'read ConfigMap kube-system/kube-root-ca.crt', () => core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'kube-system' }));
    const pem = configMap.data?.['ca.crt'];
    if (pem) return { pem, source: 'configmap', description: 'ConfigMap kube-system/kube-root-ca.crt' };
  } catch {
    // Not there or not readable: fall back to the presented chain below.
  }
  const chain = await presentedChain(connection.server);
  const root = chain.pems.length > 1 ? chain.pems[chain.pems.length - 1] : undefined;
  if (!root || !parsePemCertificates(root, 'the presented chain')[0]?.ca) {
    throw new OperationError(
      `no CA found: the kubeconfig has none, the kube-root-ca.crt ConfigMap is not readable, and ${new URL(connection.server).host} presents only its own certificate`,
      "pass the cluster CA with --ca-file (k3s: /var/lib/rancher/k3s/server/tls/server-ca.crt; kubeadm: /etc/kubernetes/pki/ca.crt)",
    );
  }
  return {
    pem: root,
    source: 'server-chain',
    description: `the chain ${new URL(connection.server).host} presents`,
    warning: 'this CA was taken from what the server presents, not from a trusted source: compare its fingerprint with the cluster\'s (for k3s: /var/lib/rancher/k3s/server/tls/server-ca.crt)',
  };
}

/** Proves that `pem` validates the TLS certificate served for `url` (host and IP SANs included). */
export async function verifyCaFor(url: string, pem: string): Promise<void> {
  try {
    await anonymousGet(url, pem);
  } catch (error) {
    if (error instanceof NetworkError && error.kind === 'tls') {
      throw new OperationError(`this CA does not validate ${new URL(url).host}: ${error.message}`, 'export the CA that signed the apiserver certificate, and use a host listed in its SANs');
    }
    throw error;
  }
}

export function describeCertificate(pem: string): { subject: string; fingerprint: string; validTo: string } {
  const [first] = parsePemCertificates(pem, 'the CA');
  return { subject: first?.subject.replace(/\n/g, ', ') ?? '', fingerprint: first?.fingerprint256 ?? '', validTo: first?.validTo ?? '' };
}

/** Where MinIO reads extra CAs, for the layouts people run. */
export const CA_LOCATIONS = [
  'binary: ~/.minio/certs/CAs/ of the user running MinIO, or <--certs-dir>/CAs/',
  'container image: /root/.minio/certs/CAs/ (mount the file there, e.g. -v ./kubernetes-ca.crt:/root/.minio/certs/CAs/kubernetes-ca.crt:ro)',
  'docker compose / TrueNAS app: a host path mounted at /root/.minio/certs/CAs/ (or <certs-dir>/CAs/ if --certs-dir is set)',
  'then restart MinIO: it reads CAs/ at startup only',
];
