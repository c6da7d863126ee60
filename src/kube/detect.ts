// Which Kubernetes distribution, from /version and node metadata, with the evidence.

export const DISTRIBUTIONS = ['k3s', 'rke2', 'k0s', 'eks', 'gke', 'aks', 'kind', 'minikube', 'microk8s', 'kubernetes'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export interface VersionInfo {
  gitVersion: string;
  major: string;
  minor: string;
}

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  providerID?: string | undefined;
}

export interface Detection {
  distribution: Distribution;
  gitVersion: string;
  /** Minor version as a number (e.g. 34), when it can be read. */
  minor: number | undefined;
  evidence: string[];
  /** What k3s's node args say about --anonymous-auth, when they say anything. */
  anonymousAuthArg: boolean | undefined;
}

const VERSION_MARKERS: [RegExp, Distribution][] = [
  [/\+k3s/, 'k3s'],
  [/\+rke2/, 'rke2'],
  [/\+k0s/, 'k0s'],
  [/-eks-/, 'eks'],
  [/-gke\./, 'gke'],
];

function fromNodes(nodes: readonly NodeInfo[]): [Distribution, string] | undefined {
  for (const node of nodes) {
    const labels = node.labels;
    if (labels['node.kubernetes.io/instance-type'] === 'k3s') return ['k3s', `node ${node.name} label node.kubernetes.io/instance-type=k3s`];
    if (node.annotations['k3s.io/node-args']) return ['k3s', `node ${node.name} annotation k3s.io/node-args`];
    if (node.annotations['rke2.io/node-args']) return ['rke2', `node ${node.name} annotation rke2.io/node-args`];
    if (node.providerID?.startsWith('kind://')) return ['kind', `node ${node.name} providerID ${node.providerID}`];
    const minikube = Object.keys(labels).find((key) => key.startsWith('minikube.k8s.io/'));
    if (minikube) return ['minikube', `node ${node.name} label ${minikube}`];
    if (labels['microk8s.io/cluster'] !== undefined) return ['microk8s', `node ${node.name} label microk8s.io/cluster`];
    if (labels['kubernetes.azure.com/cluster'] !== undefined || node.providerID?.startsWith('azure://')) return ['aks', `node ${node.name} ${node.providerID?.startsWith('azure://') ? 'providerID azure://' : 'label kubernetes.azure.com/cluster'}`];
    if (labels['eks.amazonaws.com/nodegroup'] !== undefined) return ['eks', `node ${node.name} label eks.amazonaws.com/nodegroup`];
    if (labels['cloud.google.com/gke-nodepool'] !== undefined) return ['gke', `node ${node.name} label cloud.google.com/gke-nodepool`];
  }
  return undefined;
}

/** k3s records its argv as JSON in a node annotation; look for anonymous-auth there. */
export function anonymousAuthFromNodeArgs(nodeArgs: string | undefined): boolean | undefined {
  if (!nodeArgs) return undefined;
  let argv: unknown;
  try {
    argv = JSON.parse(nodeArgs);
  } catch {
    return undefined;
  }
  if (!Array.isArray(argv)) return undefined;
  let found: boolean | undefined;
  // "--kube-apiserver-arg", "anonymous-auth=false" is two elements: the second is read on its own.
  for (const arg of argv) {
    const match = /(?:^|=|^--)anonymous-auth=(true|false)$/.exec(String(arg).replace(/^--kube-apiserver-arg=/, ''));
    if (match) found = match[1] === 'true';
  }
  return found;
}

export function detect(version: VersionInfo, nodes: readonly NodeInfo[]): Detection {
  const evidence: string[] = [];
  let distribution: Distribution = 'kubernetes';
  const marker = VERSION_MARKERS.find(([pattern]) => pattern.test(version.gitVersion));
  if (marker) {
    distribution = marker[1];
    evidence.push(`/version gitVersion ${version.gitVersion}`);
  }
  const nodeSignal = fromNodes(nodes);
  if (nodeSignal) {
    if (distribution === 'kubernetes') distribution = nodeSignal[0];
    if (nodeSignal[0] === distribution) evidence.push(nodeSignal[1]);
  }
  if (evidence.length === 0) evidence.push(`/version gitVersion ${version.gitVersion} has no distribution marker${nodes.length ? '' : ' (no node metadata to go on)'}`);
  const minor = Number.parseInt(version.minor, 10);
  const nodeArgs = nodes.map((node) => node.annotations['k3s.io/node-args'] ?? node.annotations['rke2.io/node-args']).find((value) => value !== undefined);
  const anonymousAuthArg = anonymousAuthFromNodeArgs(nodeArgs);
  if (anonymousAuthArg !== undefined) evidence.push(`node args set anonymous-auth=${anonymousAuthArg}`);
  return { distribution, gitVersion: version.gitVersion, minor: Number.isNaN(minor) ? undefined : minor, evidence, anonymousAuthArg };
}
