import type { KubeConfig, V1Namespace, V1ServiceAccount } from '@kubernetes/client-node';
import { withinMs } from '../timeout.js';
import type { Lookups } from './admission.js';

// ServiceAccounts and namespaces from watches, so an admission costs no API call. A pod may
// arrive in the same `kubectl apply` as its ServiceAccount, before the watch has delivered
// it: the lookup then waits a short grace for the watch, and only then asks the apiserver.

type K8s = typeof import('@kubernetes/client-node');
type Labels = Record<string, string>;

export interface WatchCache extends Lookups {
  /** True once both watches have listed. */
  readonly synced: boolean;
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;
const LOOKUP_TIMEOUT_MS = 1500;


export async function startWatchCache(k8s: K8s, kc: KubeConfig, graceMs: number, onError: (what: string, error: unknown) => void): Promise<WatchCache> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const accounts = k8s.makeInformer<V1ServiceAccount>(kc, '/api/v1/serviceaccounts', () => core.listServiceAccountForAllNamespaces());
  const namespaces = k8s.makeInformer<V1Namespace>(kc, '/api/v1/namespaces', () => core.listNamespace());
  const waiters = new Map<string, Set<() => void>>();
  let stopped = false;
  let synced = 0;

  accounts.on('add', (account) => {
    const key = `${account.metadata?.namespace ?? ''}/${account.metadata?.name ?? ''}`;
    for (const wake of waiters.get(key) ?? []) wake();
    waiters.delete(key);
  });
  for (const [what, informer] of [['serviceaccounts', accounts], ['namespaces', namespaces]] as const) {
    // A watch that ends in error stops; start it again (it relists) until we are stopped.
    informer.on('error', (error: unknown) => {
      // stop() aborts the watches; that abort is not a failure worth a warning.
      if (stopped) return;
      onError(what, error);
      setTimeout(() => void (stopped ? Promise.resolve() : informer.start()).catch((again: unknown) => onError(what, again)), RESTART_DELAY_MS).unref();
    });
  }
  await Promise.all([accounts.start().then(() => (synced += 1)), namespaces.start().then(() => (synced += 1))]);

  const waitForAccount = (key: string): Promise<void> =>
    new Promise((resolve) => {
      const set = waiters.get(key) ?? new Set();
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, graceMs);
      set.add(done);
      waiters.set(key, set);
    });

  return {
    get synced() {
      return synced === 2;
    },
    async serviceAccountAnnotations(namespace, name) {
      let account = accounts.get(name, namespace);
      if (!account && graceMs > 0) {
        await waitForAccount(`${namespace}/${name}`);
        account = accounts.get(name, namespace);
        // One bounded GET: the apiserver waits for this admission only a few seconds.
        if (!account) account = await withinMs(core.readNamespacedServiceAccount({ namespace, name }), LOOKUP_TIMEOUT_MS).catch(() => undefined);
      }
      return account ? ((account.metadata?.annotations ?? {}) as Labels) : undefined;
    },
    namespaceLabels(namespace) {
      return namespaces.get(namespace)?.metadata?.labels as Labels | undefined;
    },
    async stop() {
      stopped = true;
      await Promise.all([accounts.stop(), namespaces.stop()]);
    },
  };
}
