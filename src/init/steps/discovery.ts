import { DISCOVERY_PATH } from '../../validate.js';
import type { Connection } from '../../kube/connect.js';
import type { InitContext } from '../context.js';
import type { InitStep, Suggestion } from '../types.js';

// Step 4: the config URL as MinIO will reach it, verified from here the way MinIO will fetch
// it (discovery, then JWKS, with the cluster CA and nothing else).

const IN_CLUSTER = `https://kubernetes.default.svc${DISCOVERY_PATH}`;

export const discoveryStep: InitStep<InitContext> = {
  id: 'discovery',
  title: 'Issuer discovery and JWKS as MinIO will fetch them',
  async run(context) {
    const connection = context.connection;
    if (!connection) throw new Error('discovery runs after cluster');
    const location = await context.answer('minioLocation');
    const configUrl = await context.answer('configUrl', { suggestions: await candidates(connection, location) });
    if (context.rbacPlanned) return { status: 'planned', message: `(plan) would verify ${configUrl} once the RBAC is applied` };
    const { caFromFile, findClusterCa } = await import('../../kube/ca.js');
    context.ca = context.flags.caFile ? await caFromFile(context.flags.caFile) : await findClusterCa(connection);
    // An in-cluster name cannot be resolved from here: the same apiserver is checked through the kubeconfig's URL.
    const checked = configUrl === IN_CLUSTER ? new URL(DISCOVERY_PATH, connection.server).href : configUrl;
    const { verifyDiscovery } = await import('../../kube/discovery.js');
    const report = await verifyDiscovery(checked, context.ca.pem);
    const warnings = [...report.warnings, ...(context.ca.warning ? [context.ca.warning] : [])];
    if (checked !== configUrl) warnings.push(`${configUrl} resolves only inside the cluster: checked through ${checked} (the same apiserver)`);
    return { status: 'unchanged', message: `${configUrl}: issuer ${report.issuer}, ${report.keys.length} key(s), CA from ${context.ca.description}; ${report.note}`, warnings };
  },
};

/** k3s kubeconfigs say https://127.0.0.1:6443, which MinIO elsewhere cannot reach. */
async function candidates(connection: Connection, location: string): Promise<Suggestion[]> {
  const server = new URL(connection.server);
  const fromKubeconfig: Suggestion = { value: new URL(DISCOVERY_PATH, server).href, why: "the kubeconfig's apiserver address" };
  const loopback = /^(127\.|localhost$|\[::1\]$)/.test(server.hostname);
  const nodes: Suggestion[] = loopback ? (await nodeAddresses(connection)).map((ip) => ({ value: `https://${ip}:${server.port || '443'}${DISCOVERY_PATH}`, why: 'a node address (reachable from other machines)' })) : [];
  if (location === 'cluster') return [{ value: IN_CLUSTER, why: 'MinIO runs in this cluster' }, fromKubeconfig, ...nodes];
  if (loopback && location !== 'host') return [...nodes, fromKubeconfig];
  return [fromKubeconfig, ...nodes];
}

async function nodeAddresses(connection: Connection): Promise<string[]> {
  try {
    const { call } = await import('../../kube/connect.js');
    const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
    const list = await call(connection, 'list nodes', () => core.listNode({ limit: 5 }));
    return list.items.flatMap((node) => (node.status?.addresses ?? []).filter((address) => address.type === 'InternalIP').map((address) => address.address));
  } catch {
    return []; // listing nodes is often forbidden: then there is no such suggestion
  }
}
