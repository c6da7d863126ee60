import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { OperationError } from './errors.js';
import { networkTimeout } from './timeout.js';

// Plain HTTPS with a pinned CA and no credentials: how MinIO will fetch discovery and JWKS.

export { networkTimeout } from './timeout.js';

export interface AnonymousResponse {
  status: number;
  body: string;
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by the given CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a CA that is not the given one',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate that is not the given CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not signed by the given CA',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: "the server certificate does not cover this host name or IP (its SANs)",
};

export class NetworkError extends OperationError {
  constructor(
    readonly url: string,
    readonly code: string,
    readonly kind: 'tls' | 'refused' | 'dns' | 'timeout' | 'other',
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

export function classifyNetworkError(url: string, error: unknown, timeoutMs: number): NetworkError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'ERROR';
  const host = new URL(url).host;
  if (code in TLS_CODES) {
    return new NetworkError(url, code, 'tls', `TLS verification of ${host} failed: ${TLS_CODES[code]} (${code})`, 'use the cluster CA that signed the apiserver certificate, and a host name or IP listed in its SANs');
  }
  if (code === 'ECONNREFUSED') return new NetworkError(url, code, 'refused', `${host} refused the connection`, 'is the server running and listening on that port?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new NetworkError(url, code, 'dns', `cannot resolve ${new URL(url).hostname}`, 'check the host name, or use an address this machine can resolve');
  if (code === 'ETIMEDOUT' || code === 'TimeoutError') {
    return new NetworkError(url, code, 'timeout', `no answer from ${host} within ${Math.round(timeoutMs / 1000)} s`, 'check the address, routes and firewalls between here and the server');
  }
  return new NetworkError(url, code, 'other', `cannot reach ${host}: ${(error as Error).message}`, 'check the address and that the server is up');
}

export async function anonymousGet(url: string, caPem: string | undefined): Promise<AnonymousResponse> {
  const response = await httpRequest(url, { caPem, headers: { 'user-agent': 'minio-irsa' } });
  return { status: response.status, body: response.body.toString('utf8') };
}

export interface PresentedChain {
  /** PEM certificates as the server sent them, leaf first. */
  pems: string[];
  subjectAltNames: string;
}

function toPem(raw: Buffer): string {
  const lines = raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The chain a server presents, read without verifying it (to report SANs, or as a last resort CA). */
export function presentedChain(url: string): Promise<PresentedChain> {
  const { hostname, port } = new URL(url);
  const timeoutMs = networkTimeout();
  return new Promise((resolve, reject) => {
    const isIp = /^[\d.]+$|:/.test(hostname);
    const socket = tlsConnect({ host: hostname, port: Number(port || 443), rejectUnauthorized: false, ...(isIp ? {} : { servername: hostname }), timeout: timeoutMs }, () => {
      const pems: string[] = [];
      let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      const leaf = cert;
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        pems.push(toPem(cert.raw));
        cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
      }
      socket.end();
      resolve({ pems, subjectAltNames: leaf?.subjectaltname ?? '' });
    });
    socket.on('timeout', () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.on('error', (error) => reject(classifyNetworkError(url, error, timeoutMs)));
  });
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  caPem?: string | undefined;
  timeoutMs?: number;
}

/** An HTTP(S) request with an optional pinned CA; network failures become NetworkError. */
export async function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const { request: httpOrHttps } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  const timeoutMs = options.timeoutMs ?? networkTimeout();
  return new Promise((resolve, reject) => {
    const req = httpOrHttps(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, timeout: timeoutMs, ...(options.caPem ? { ca: options.caPem } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(classifyNetworkError(url, error, timeoutMs)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => reject(classifyNetworkError(url, error, timeoutMs)));
    req.end(options.body);
  });
}
