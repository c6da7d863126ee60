import { call, type Connection } from './connect.js';
import { detect, type Detection, type NodeInfo } from './detect.js';

/** /version and (when readable) the nodes: enough to tell the distribution. */
export async function detectCluster(connection: Connection): Promise<Detection> {
  const versionApi = connection.kc.makeApiClient(connection.k8s.VersionApi);
  const version = await call(connection, 'read /version', () => versionApi.getCode());
  let nodes: NodeInfo[] = [];
  try {
    const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
    const list = await call(connection, 'list nodes', () => core.listNode({ limit: 5 }));
    nodes = list.items.map((node) => ({
      name: node.metadata?.name ?? '',
      labels: node.metadata?.labels ?? {},
      annotations: node.metadata?.annotations ?? {},
      providerID: node.spec?.providerID,
    }));
  } catch {
    // Listing nodes is optional evidence (forbidden for many users).
  }
  return detect({ gitVersion: version.gitVersion, major: version.major, minor: version.minor }, nodes);
}
