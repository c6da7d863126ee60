import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { OperationError, UsageError } from '../errors.js';
import { classifyNetworkError } from '../net.js';
import { networkTimeout } from '../timeout.js';

// The kubeconfig and everything that talks to the apiserver with credentials.

export type K8s = typeof import('@kubernetes/client-node');

export interface KubeTarget {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

export interface Connection {
  k8s: K8s;
  kc: KubeConfig;
  context: string;
  server: string;
  /** The CA the kubeconfig pins for this cluster, if any. */
  caPem: string | undefined;
  caSource: string | undefined;
  skipTlsVerify: boolean;
}

function kubeconfigPath(target: KubeTarget): string {
  if (target.kubeconfig) {
    if (!existsSync(target.kubeconfig)) throw new UsageError(`kubeconfig ${target.kubeconfig} does not exist`, 'pass the path of your kubeconfig to --kubeconfig');
    return target.kubeconfig;
  }
  const fromEnv = process.env['KUBECONFIG']?.split(':').filter(Boolean) ?? [];
  if (fromEnv.length > 0) {
    const missing = fromEnv.filter((file) => !existsSync(file));
    if (missing.length === fromEnv.length) throw new UsageError(`KUBECONFIG names no existing file (${fromEnv.join(':')})`, 'fix KUBECONFIG or pass --kubeconfig');
    return fromEnv.join(':');
  }
  const home = join(homedir(), '.kube', 'config');
  if (!existsSync(home)) throw new UsageError('no kubeconfig found (no --kubeconfig, no KUBECONFIG, no ~/.kube/config)', 'pass --kubeconfig PATH (k3s: /etc/rancher/k3s/k3s.yaml)');
  return home;
}

export async function connect(target: KubeTarget): Promise<Connection> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const path = kubeconfigPath(target);
  try {
    if (path.includes(':')) {
      process.env['KUBECONFIG'] = path;
      kc.loadFromDefault();
    } else {
      kc.loadFromFile(path);
    }
  } catch (error) {
    throw new UsageError(`cannot load kubeconfig ${path}: ${(error as Error).message.split('\n')[0]}`, 'check that the file is a valid kubeconfig');
  }
  if (target.context) {
    if (!kc.getContexts().some((context) => context.name === target.context)) {
      const known = kc.getContexts().map((context) => context.name).join(', ') || 'none';
      throw new UsageError(`kube context "${target.context}" is not in ${path} (contexts: ${known})`, 'pass one of those to --context');
    }
    kc.setCurrentContext(target.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`kubeconfig ${path} has no current context or cluster`, 'pass --context NAME');
  let caPem: string | undefined;
  let caSource: string | undefined;
  if (cluster.caData) {
    caPem = Buffer.from(cluster.caData, 'base64').toString('utf8');
    caSource = `kubeconfig ${path} (certificate-authority-data)`;
  } else if (cluster.caFile) {
    try {
      caPem = readFileSync(cluster.caFile, 'utf8');
      caSource = `kubeconfig ${path} (certificate-authority ${cluster.caFile})`;
    } catch (error) {
      throw new UsageError(`the kubeconfig's CA file ${cluster.caFile} cannot be read: ${(error as Error).message}`, 'fix certificate-authority in the kubeconfig');
    }
  }
  return { k8s, kc, context: kc.getCurrentContext(), server: cluster.server, caPem, caSource, skipTlsVerify: Boolean(cluster.skipTLSVerify) };
}

/** An authenticated API call with a time bound, its failures turned into clear errors. */
export async function call<T>(connection: Connection, what: string, run: () => Promise<T>, forbiddenHint?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), networkTimeout());
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    throw apiError(connection, what, error, forbiddenHint);
  } finally {
    clearTimeout(timer);
  }
}

export class ApiCallError extends OperationError {
  constructor(
    message: string,
    hint: string,
    readonly status: number | undefined,
  ) {
    super(message, hint);
  }
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string } | undefined)?.message ?? '';
}

function apiError(connection: Connection, what: string, error: unknown, forbiddenHint?: string): Error {
  if (error instanceof OperationError || error instanceof UsageError) return error;
  const status = (error as { code?: unknown }).code;
  if (typeof status === 'number') {
    const message = statusMessage((error as { body?: unknown }).body);
    if (status === 401) {
      return new ApiCallError(`the apiserver rejected the credentials of context "${connection.context}" (401 Unauthorized) while trying to ${what}`, 'the token or client certificate has expired or been revoked: refresh the kubeconfig', 401);
    }
    if (status === 403) return new ApiCallError(`permission denied to ${what}: ${message}`, forbiddenHint ?? 'ask a cluster admin for that permission, or use a context that has it', 403);
    if (status === 404) return new ApiCallError(`not found while trying to ${what}: ${message}`, 'check the names given', 404);
    return new ApiCallError(`the apiserver answered ${status} to ${what}: ${message}`, 'see the message above', status);
  }
  const cause = (error as { cause?: unknown }).cause ?? error;
  const network = classifyNetworkError(connection.server, cause, networkTimeout());
  return new ApiCallError(`cannot ${what}: ${network.message} (apiserver ${connection.server}, context "${connection.context}")`, network.hint ?? '', undefined);
}
