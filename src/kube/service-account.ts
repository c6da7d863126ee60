import { ApiCallError, call, type Connection } from './connect.js';
import { MANAGED_BY } from './rbac.js';

// The workload's ServiceAccount (and its namespace), for init's proof: looked up, and
// created, labelled as ours, only when asked.

export async function serviceAccountExists(connection: Connection, namespace: string, name: string): Promise<boolean> {
  const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
  try {
    await call(connection, `read ServiceAccount ${namespace}/${name}`, () => core.readNamespacedServiceAccount({ namespace, name }));
    return true;
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return false;
    throw error;
  }
}

/** Creates the namespace when missing, then the ServiceAccount. */
export async function createServiceAccount(connection: Connection, namespace: string, name: string): Promise<void> {
  const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
  try {
    await call(connection, `read Namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
  } catch (error) {
    if (!(error instanceof ApiCallError && error.status === 404)) throw error;
    await call(connection, `create Namespace ${namespace}`, () => core.createNamespace({ body: { metadata: { name: namespace, labels: { ...MANAGED_BY } } } }));
  }
  await call(connection, `create ServiceAccount ${namespace}/${name}`, () => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace, labels: { ...MANAGED_BY } } } }));
}
