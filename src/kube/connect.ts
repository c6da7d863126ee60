import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { printable } from '../encode.js';
import { readBoundedFile } from '../fs-safe.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { OperationError, UsageError } from '../errors.js';
import { classifyNetworkError } from '../net.js';
import { networkTimeout, remainingMs } from '../timeout.js';

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

/** Kubeconfigs are a few KiB (a few MiB with many clusters); an endless file is refused. */
const KUBECONFIG_MAX_BYTES = 16 << 20;
const CA_MAX_BYTES = 1 << 20;

/**
 * The kubeconfig files, as kubectl finds them: --kubeconfig, else every existing file of
 * $KUBECONFIG (missing ones skipped), else ~/.kube/config.
 */
export function kubeconfigFiles(target: KubeTarget, env: NodeJS.ProcessEnv = process.env): string[] {
  if (target.kubeconfig) {
    if (!existsSync(target.kubeconfig)) throw new UsageError(`kubeconfig ${printable(target.kubeconfig)} does not exist`, 'pass the path of your kubeconfig to --kubeconfig');
    return [target.kubeconfig];
  }
  const fromEnv = env['KUBECONFIG']?.split(':').filter(Boolean) ?? [];
  if (fromEnv.length > 0) {
    const present = fromEnv.filter((file) => existsSync(file));
    if (present.length === 0) throw new UsageError(`KUBECONFIG names no existing file (${printable(fromEnv.join(':'))})`, 'fix KUBECONFIG or pass --kubeconfig');
    return present;
  }
  const home = join(homedir(), '.kube', 'config');
  if (!existsSync(home)) throw new UsageError('no kubeconfig found (no --kubeconfig, no KUBECONFIG, no ~/.kube/config)', 'pass --kubeconfig PATH (k3s: /etc/rancher/k3s/k3s.yaml)');
  return [home];
}

interface Named {
  name: string;
}

/** kubectl's merge: the first file to define a name (or the current context) wins. */
export function mergeFirstWins<T extends Named>(lists: readonly (readonly T[])[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of lists.flat()) {
    if (seen.has(item.name)) continue;
    seen.add(item.name);
    out.push(item);
  }
  return out;
}

async function loadKubeconfig(k8s: K8s, files: readonly string[]): Promise<KubeConfig> {
  const configs: KubeConfig[] = [];
  for (const file of files) {
    const { text } = await readBoundedFile(file, KUBECONFIG_MAX_BYTES, 'kubeconfig', 'pass the path of your kubeconfig to --kubeconfig');
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromString(text);
    } catch (error) {
      // The YAML parser's first line says what and where; later lines quote the file (keys, tokens).
      throw new UsageError(`cannot load kubeconfig ${printable(file)}: ${printable((error as Error).message.split('\n')[0] ?? '')}`, 'check that the file is a valid kubeconfig');
    }
    kc.makePathsAbsolute(dirname(resolve(file)));
    configs.push(kc);
  }
  if (configs.length === 1 && configs[0]) return configs[0];
  const merged = new k8s.KubeConfig();
  merged.loadFromOptions({
    clusters: mergeFirstWins(configs.map((kc) => kc.clusters)),
    users: mergeFirstWins(configs.map((kc) => kc.users)),
    contexts: mergeFirstWins(configs.map((kc) => kc.contexts)),
    currentContext: configs.map((kc) => kc.currentContext).find((name) => Boolean(name)) ?? '',
  });
  return merged;
}

/** The contexts a kubeconfig offers, and its current one (for init's question). */
export async function listContexts(target: KubeTarget): Promise<{ names: string[]; current: string | undefined }> {
  const k8s = await import('@kubernetes/client-node');
  const kc = await loadKubeconfig(k8s, kubeconfigFiles(target));
  return { names: kc.getContexts().map((context) => context.name), current: kc.getCurrentContext() || undefined };
}

export async function connect(target: KubeTarget): Promise<Connection> {
  const k8s = await import('@kubernetes/client-node');
  const files = kubeconfigFiles(target);
  const path = printable(files.join(':'));
  const kc = await loadKubeconfig(k8s, files);
  if (target.context) {
    if (!kc.getContexts().some((context) => context.name === target.context)) {
      const known = kc.getContexts().map((context) => context.name).join(', ') || 'none';
      throw new UsageError(`kube context "${printable(target.context)}" is not in ${path} (contexts: ${printable(known)})`, 'pass one of those to --context');
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
    caPem = (await readBoundedFile(cluster.caFile, CA_MAX_BYTES, "the kubeconfig's certificate-authority", 'fix certificate-authority in the kubeconfig')).text;
    caSource = `kubeconfig ${path} (certificate-authority ${printable(cluster.caFile)})`;
  }
  return { k8s, kc, context: kc.getCurrentContext(), server: cluster.server, caPem, caSource, skipTlsVerify: Boolean(cluster.skipTLSVerify) };
}

/** An authenticated API call with a time bound, its failures turned into clear errors. */
export async function call<T>(connection: Connection, what: string, run: () => Promise<T>, forbiddenHint?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), Math.max(1, remainingMs()));
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
    const message = printable(statusMessage((error as { body?: unknown }).body).slice(0, 500));
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
