import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { printable } from './encode.js';
import { OperationError } from './errors.js';
import { formatBytes } from './fs-safe.js';
import { deadlineSignal, networkTimeout, remainingMs } from './timeout.js';

// Plain HTTPS with a pinned CA and no credentials: how MinIO will fetch discovery and JWKS.


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
    readonly kind: 'tls' | 'refused' | 'dns' | 'timeout' | 'protocol' | 'too-large' | 'other',
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

/** Who is at the other end: decides which CA flag a TLS failure points to. */
export type Peer = 'apiserver' | 'minio';

const TLS_HINTS: Record<Peer, string> = {
  apiserver: 'use the cluster CA that signed the apiserver certificate, and a host name or IP listed in its SANs',
  minio: "MinIO's certificate is not trusted here: pass the CA that signed it with --minio-ca-file, and use a host name listed in its SANs",
};

export function classifyNetworkError(url: string, error: unknown, timeoutMs: number, peer: Peer = 'apiserver'): NetworkError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'ERROR';
  const host = new URL(url).host;
  const message = (error as Error).message ?? '';
  if (code in TLS_CODES) {
    return new NetworkError(url, code, 'tls', `TLS verification of ${host} failed: ${TLS_CODES[code]} (${code})`, TLS_HINTS[peer]);
  }
  if (code === 'ECONNREFUSED') return new NetworkError(url, code, 'refused', `${host} refused the connection`, 'is the server running and listening on that port?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new NetworkError(url, code, 'dns', `cannot resolve ${new URL(url).hostname}`, 'check the host name, or use an address this machine can resolve');
  if (code === 'ETIMEDOUT' || code === 'TimeoutError' || code === 'AbortError' || code === 'ABORT_ERR') {
    return new NetworkError(url, code, 'timeout', `no answer from ${host} within ${Math.round(timeoutMs / 1000)} s`, 'check the address, routes and firewalls between here and the server (or raise --timeout)');
  }
  // OpenSSL's words for "the other side does not speak TLS".
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|unknown protocol/i.test(message)) {
    return new NetworkError(url, code, 'protocol', `${host} speaks plain HTTP, not HTTPS`, `use http:// for this address, or the port where the server speaks TLS`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new NetworkError(url, code, 'other', `${host} closed the connection without answering`, 'is this the right port and protocol (http vs https)? is a proxy or firewall in between?');
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new NetworkError(url, code, 'other', `no route to ${host}`, 'check the address and the network between here and the server');
  if (code.startsWith('HPE_')) return new NetworkError(url, code, 'protocol', `${host} did not answer in HTTP`, 'is this the right port and protocol (http vs https)?');
  return new NetworkError(url, code, 'other', `cannot reach ${host}: ${printable(message.split('\n')[0] || code)}`, 'check the address and that the server is up');
}

/** Discovery documents and JWKS are a few KiB: anything far larger is not one. */
const ANONYMOUS_MAX_BYTES = 1 << 20;

export async function anonymousGet(url: string, caPem: string | undefined): Promise<AnonymousResponse> {
  const response = await httpRequest(url, { caPem, headers: { 'user-agent': 'minio-irsa' }, maxBytes: ANONYMOUS_MAX_BYTES });
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
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), Math.max(1, remainingMs()));
    const socket = tlsConnect({ host: hostname, port: Number(port || 443), rejectUnauthorized: false, ...(isIp ? {} : { servername: hostname }) }, () => {
      clearTimeout(timer);
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
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(classifyNetworkError(url, error, timeoutMs));
    });
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
  /** Which CA flag a TLS failure points to. */
  peer?: Peer;
  /** Answers larger than this are cut off with an error (default 16 MiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 16 << 20;

/**
 * An HTTP(S) request with an optional pinned CA, bounded by the command's deadline (an abort
 * signal: a real deadline, not a socket-idle timer) and by a cap on the answer's size.
 * Network failures become NetworkError.
 */
export async function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const { request: httpOrHttps } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  const timeoutMs = networkTimeout();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const peer = options.peer ?? 'apiserver';
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(error instanceof NetworkError ? error : classifyNetworkError(url, error, timeoutMs, peer));
    const req = httpOrHttps(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, signal: deadlineSignal(), ...(options.caPem ? { ca: options.caPem } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) {
            req.destroy(new NetworkError(url, 'ETOOBIG', 'too-large', `the answer from ${new URL(url).host} is larger than ${formatBytes(maxBytes)} (stopped reading)`, 'is this the right server and URL?'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(options.body);
  });
}
