import { anonymousGet, NetworkError, presentedChain } from '../net.js';
import { OperationError } from '../errors.js';
import { isIP } from 'node:net';

// Fetch the discovery document and the JWKS it names exactly as MinIO will: anonymously,
// over TLS verified against the cluster CA. Reachability is judged from this machine.

export const K3S_DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const SUPPORTED_ALGS = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512']);

export interface JwkSummary {
  kid: string | undefined;
  alg: string | undefined;
  kty: string | undefined;
}

export interface DiscoveryReport {
  configUrl: string;
  issuer: string;
  jwksUri: string;
  keys: JwkSummary[];
  warnings: string[];
  /** Always true, always worth saying. */
  note: string;
}

export function looksInternal(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (/\.svc(\.|$)|\.cluster\.local$|\.internal$/.test(host)) return 'a cluster-internal DNS name';
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    if (a === 127) return 'a loopback address (MinIO must run on this same machine)';
    // Private LANs (10/8, 172.16/12, 192.168/16) are normal for home clusters: no warning.
    if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT / overlay address';
  }
  return undefined;
}

async function fetchJson(url: string, caPem: string | undefined, what: string): Promise<unknown> {
  let response;
  try {
    response = await anonymousGet(url, caPem);
  } catch (error) {
    if (error instanceof NetworkError && error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const chain = await presentedChain(url).catch(() => undefined);
      throw new OperationError(
        `${what} ${url}: the apiserver's certificate does not cover ${new URL(url).hostname}${chain ? ` (it covers ${chain.subjectAltNames || 'no SANs'})` : ''}`,
        'use a host name or IP from that list, or add this one to the certificate (k3s: --tls-san)',
      );
    }
    if (error instanceof NetworkError) throw new OperationError(`${what} ${url}: ${error.message}`, error.hint);
    throw error;
  }
  if (response.status !== 200) {
    throw new OperationError(`${what} ${url} answered ${response.status} to an anonymous request`, response.status === 401 || response.status === 403 ? 'open anonymous discovery first: minio-irsa cluster check' : 'check the URL');
  }
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    throw new OperationError(`${what} ${url} did not return JSON`, 'is this URL the apiserver (not a proxy or login page)?');
  }
}

export async function verifyDiscovery(configUrl: string, caPem: string | undefined): Promise<DiscoveryReport> {
  const warnings: string[] = [];
  const document = (await fetchJson(configUrl, caPem, 'discovery document')) as { issuer?: unknown; jwks_uri?: unknown };
  const issuer = typeof document.issuer === 'string' ? document.issuer : '';
  const jwksUri = typeof document.jwks_uri === 'string' ? document.jwks_uri : '';
  if (!issuer.startsWith('https://')) throw new OperationError(`the discovery document's issuer "${issuer}" is not https`, 'set --service-account-issuer to an https URL');
  if (!jwksUri) throw new OperationError('the discovery document has no jwks_uri', 'set --service-account-jwks-uri on the apiserver');
  if (!jwksUri.startsWith('https://')) throw new OperationError(`jwks_uri "${jwksUri}" is not https`, 'set --service-account-jwks-uri to an https URL MinIO can reach');

  const jwks = (await fetchJson(jwksUri, caPem, 'JWKS')) as { keys?: unknown };
  const keys = (Array.isArray(jwks.keys) ? jwks.keys : []).map((key: { kid?: unknown; alg?: unknown; kty?: unknown }) => ({
    kid: typeof key.kid === 'string' ? key.kid : undefined,
    alg: typeof key.alg === 'string' ? key.alg : undefined,
    kty: typeof key.kty === 'string' ? key.kty : undefined,
  }));
  if (keys.length === 0) throw new OperationError(`the JWKS at ${jwksUri} holds no keys`, 'check --service-account-key-file on the apiserver');
  const usable = keys.filter((key) => key.kid && key.alg && SUPPORTED_ALGS.has(key.alg));
  if (usable.length === 0) throw new OperationError(`no key in the JWKS at ${jwksUri} has a kid and a supported algorithm`, 'MinIO picks the key by kid: the apiserver must publish RS256/ES256 keys with kids');

  const configHost = new URL(configUrl).host;
  const jwksHost = new URL(jwksUri).host;
  if (jwksHost !== configHost) warnings.push(`jwks_uri is on ${jwksHost}, not on ${configHost}: MinIO must reach that host too (set --service-account-jwks-uri to change it)`);
  const internal = looksInternal(new URL(jwksUri).hostname);
  if (internal) warnings.push(`jwks_uri ${jwksUri} is ${internal}: MinIO must be able to reach it`);
  if (issuer === K3S_DEFAULT_ISSUER) {
    warnings.push(
      `the issuer is k3s's default ${K3S_DEFAULT_ISSUER}, shared by every k3s cluster: if one MinIO trusts several clusters, the same namespace/ServiceAccount in each is one MinIO identity (MinIO keeps every provider's keys in one map and never checks iss); use one MinIO per cluster, or namespaces unique across the clusters`,
    );
  }
  const note = 'reachability was checked from this machine: MinIO must reach the same URLs';
  return { configUrl, issuer, jwksUri, keys, warnings, note };
}
