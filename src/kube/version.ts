import { printable } from '../encode.js';
import { OperationError } from '../errors.js';
import { call, type Connection } from './connect.js';
import { detect, type Detection, type NodeInfo } from './detect.js';

export interface VersionInfo {
  gitVersion: string;
  major: string;
  minor: string;
}

/**
 * A kube-apiserver answers /version with its gitVersion (v1.34.4, v1.33.1+k3s1 ...) and
 * numeric major and minor. Anything else (a web server that answers 200 to every path, a
 * proxy's page) is not one, and nothing it says may be trusted as the cluster's.
 */
export function kubernetesVersion(body: unknown, server: string): VersionInfo {
  const version = (body ?? {}) as { gitVersion?: unknown; major?: unknown; minor?: unknown };
  const { gitVersion, major, minor } = version;
  if (typeof gitVersion === 'string' && /^v\d+\.\d+\.\d+/.test(gitVersion) && typeof major === 'string' && /^\d+$/.test(major) && typeof minor === 'string' && /^\d+\+?$/.test(minor)) {
    return { gitVersion, major, minor };
  }
  const shown = typeof body === 'object' && body !== null ? printable(JSON.stringify(body).slice(0, 80)) : printable(String(body).slice(0, 80));
  throw new OperationError(`${server} is not a Kubernetes API server: its /version answer (${shown}) has no Kubernetes version`, 'check the server address of the kube context (or --kubeconfig / --context)');
}

/** /version and (when readable) the nodes: enough to tell the distribution. */
export async function detectCluster(connection: Connection): Promise<Detection> {
  const versionApi = connection.kc.makeApiClient(connection.k8s.VersionApi);
  const version = kubernetesVersion(await call(connection, 'read /version', () => versionApi.getCode()), connection.server);
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
