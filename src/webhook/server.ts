import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { withinMs } from '../timeout.js';
import { logger } from '../ui/logger.js';
import { BadAdmissionReview, review, type Lookups, type Outcome } from './admission.js';
import type { WebhookDefaults } from './opt-in.js';
import type { WebhookMetrics } from './metrics.js';

// The admission server: HTTPS for the apiserver (POST /mutate), plain HTTP for the kubelet
// and Prometheus (/healthz, /readyz, /metrics). Certificates are re-read when their files
// change (a rotated Secret reaches the pod without a restart).

/** The apiserver sends a pod of a few KiB; 3 MiB is etcd's own object limit. */
const MAX_BODY_BYTES = 3 << 20;
const CERT_POLL_MS = 30_000;

export interface ServeOptions {
  address: string;
  port: number;
  metricsAddress: string;
  metricsPort: number;
  certFile: string;
  keyFile: string;
  defaults: WebhookDefaults;
  lookups: Lookups & { readonly synced: boolean };
  metrics: WebhookMetrics;
  /** How long to keep serving while unready on shutdown, so endpoints drop the pod before it stops. */
  shutdownDelayMs: number;
  /** How long in-flight admissions may take to finish on shutdown. */
  drainMs: number;
  /** How long a request may take to arrive in full (default 35 s: the apiserver waits 30 s at most). */
  requestTimeoutMs?: number;
}

/** The apiserver gives up on a webhook after timeoutSeconds (at most 30): a request still arriving later is a slow client holding a socket. */
const REQUEST_TIMEOUT_MS = 35_000;

export interface RunningWebhook {
  port: number;
  metricsPort: number;
  /** Not ready (so no new traffic), finish what is in flight, close. */
  shutdown(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadAdmissionReview(`request body over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: string, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function logOutcome(outcome: Outcome, seconds: number): void {
  const level = outcome.result === 'invalid' ? 'warn' : 'info';
  logger.record(level, 'admission', {
    uid: outcome.uid,
    namespace: outcome.namespace,
    pod: outcome.pod,
    serviceAccount: outcome.serviceAccount,
    result: outcome.result,
    reason: outcome.reason,
    operations: outcome.operations,
    warning: outcome.warnings[0],
    durationMs: Math.round(seconds * 1e6) / 1e3,
  });
}

async function loadTls(certFile: string, keyFile: string): Promise<{ cert: Buffer; key: Buffer; stamp: string }> {
  const [cert, key, certInfo, keyInfo] = await Promise.all([readFile(certFile), readFile(keyFile), stat(certFile), stat(keyFile)]);
  return { cert, key, stamp: `${certInfo.mtimeMs}:${keyInfo.mtimeMs}:${cert.length}` };
}

function listen(server: Server | HttpsServer, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function serve(options: ServeOptions): Promise<RunningWebhook> {
  const { defaults, lookups, metrics } = options;
  let tls = await loadTls(options.certFile, options.keyFile);
  let shuttingDown = false;
  const ready = (): boolean => !shuttingDown && lookups.synced;

  const mutate = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    let body: unknown;
    try {
      body = JSON.parse((await readBody(request)).toString('utf8'));
    } catch (error) {
      metrics.observe('invalid', 'bad-request', 0);
      send(response, 400, JSON.stringify({ error: error instanceof BadAdmissionReview ? error.message : 'body is not JSON' }));
      return;
    }
    try {
      const { out, outcome } = await review(body, defaults, lookups);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      send(response, 200, JSON.stringify(out));
      metrics.observe(outcome.result, outcome.reason, seconds);
      logOutcome(outcome, seconds);
    } catch (error) {
      const bad = error instanceof BadAdmissionReview;
      metrics.observe('invalid', bad ? 'bad-request' : 'error', Number(process.hrtime.bigint() - started) / 1e9);
      if (!bad) logger.record('error', 'admission failed', { error: (error as Error).message });
      send(response, bad ? 400 : 500, JSON.stringify({ error: bad ? error.message : 'internal error' }));
    }
  };

  const health = (request: IncomingMessage, response: ServerResponse): boolean => {
    const path = (request.url ?? '').split('?')[0];
    if (path === '/healthz') send(response, 200, 'ok\n', 'text/plain');
    else if (path === '/readyz') send(response, ready() ? 200 : 503, ready() ? 'ready\n' : shuttingDown ? 'shutting down\n' : 'watch cache not synced\n', 'text/plain');
    else return false;
    return true;
  };

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node looks for requests over their time every connectionsCheckingInterval (30 s by default).
  const timeouts = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4))) };
  const admission = createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...timeouts }, (request, response) => {
    if (health(request, response)) return;
    if ((request.url ?? '').split('?')[0] !== '/mutate') return send(response, 404, JSON.stringify({ error: 'not found; the webhook path is /mutate' }));
    if (request.method !== 'POST') return send(response, 405, JSON.stringify({ error: 'POST an AdmissionReview' }));
    void mutate(request, response);
  });
  // The apiserver keeps connections alive; so do load generators. (An idle connection is not
  // a request: the request and header timeouts run from a request's first byte.)
  admission.keepAliveTimeout = 65_000;

  const telemetry = createHttpServer((request, response) => {
    if (health(request, response)) return;
    if ((request.url ?? '').split('?')[0] === '/metrics') {
      void metrics.render().then(({ contentType, text }) => send(response, 200, text, contentType));
      return;
    }
    send(response, 404, 'not found\n', 'text/plain');
  });

  const port = await listen(admission, options.port, options.address);
  const metricsPort = await listen(telemetry, options.metricsPort, options.metricsAddress);

  const poll = setInterval(() => {
    void loadTls(options.certFile, options.keyFile)
      .then((next) => {
        if (next.stamp === tls.stamp) return;
        admission.setSecureContext({ cert: next.cert, key: next.key });
        tls = next;
        logger.record('info', 'serving certificate reloaded', { certFile: options.certFile });
      })
      .catch((error: unknown) => logger.record('warn', 'serving certificate not reloaded; keeping the current one', { error: (error as Error).message }));
  }, CERT_POLL_MS);
  poll.unref();

  return {
    port,
    metricsPort,
    async shutdown() {
      shuttingDown = true;
      clearInterval(poll);
      if (options.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      const closed = Promise.all([new Promise<void>((resolve) => admission.close(() => resolve())), new Promise<void>((resolve) => telemetry.close(() => resolve()))]);
      admission.closeIdleConnections();
      telemetry.closeIdleConnections();
      await withinMs(closed, options.drainMs);
      admission.closeAllConnections();
      telemetry.closeAllConnections();
    },
  };
}
