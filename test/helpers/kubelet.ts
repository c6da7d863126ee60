import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A rendered Deployment's container run with podman as a kubelet would run it: its user,
// security context, memory limit, args and Secret volumes, and the in-cluster credentials of
// its ServiceAccount. Only what `render webhook` uses is translated; anything else fails.

type Json = Record<string, unknown>;
export interface Container {
  image: string;
  args: string[];
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  resources: { limits: { memory: string } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Workload {
  spec: { template: { spec: { serviceAccountName: string; securityContext: { runAsUser: number; runAsGroup: number }; containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] } } };
}

export interface Credentials {
  token: string;
  caPem: string;
  namespace: string;
  apiserverPort: number;
}

/** Kubernetes quantities as podman takes them: 256Mi -> 256m. */
function podmanMemory(quantity: string): string {
  const match = /^(\d+)Mi$/.exec(quantity);
  assert.ok(match, `unexpected memory limit ${quantity}`);
  return `${match[1]}m`;
}

/** Files as the kubelet writes a volume: 0644 (the default mode). */
function writeVolume(dir: string, files: Record<string, string | Buffer>): void {
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o644 });
}

/** `podman run` arguments (up to the image's args) for the Deployment's first container; volumes are written under `dir`. */
export function runArguments(workload: Workload, objects: readonly Json[], dir: string, credentials: Credentials): { options: string[]; container: Container } {
  const pod = workload.spec.template.spec;
  const container = pod.containers[0];
  assert.ok(container, 'the Deployment has no container');
  const options: string[] = [];
  for (const mount of container.volumeMounts) {
    const secretName = pod.volumes.find((volume) => volume.name === mount.name)?.secret?.secretName;
    const secret = objects.find((object) => object['kind'] === 'Secret' && (object['metadata'] as Json)['name'] === secretName);
    assert.ok(secret, `volume ${mount.name} is not a Secret of the install`);
    const files = Object.fromEntries(Object.entries(secret['data'] as Record<string, string>).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
    writeVolume(join(dir, `volume-${mount.name}`), files);
    options.push('--volume', `${join(dir, `volume-${mount.name}`)}:${mount.mountPath}:${mount.readOnly ? 'ro' : 'rw'}`);
  }
  writeVolume(join(dir, 'serviceaccount'), { token: credentials.token, 'ca.crt': credentials.caPem, namespace: credentials.namespace });
  const security = container.securityContext;
  options.push(
    '--user', `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
    ...(security.readOnlyRootFilesystem ? ['--read-only'] : []),
    ...(security.allowPrivilegeEscalation === false ? ['--security-opt', 'no-new-privileges'] : []),
    ...(security.capabilities?.drop ?? []).flatMap((capability) => ['--cap-drop', capability]),
    '--memory', podmanMemory(container.resources.limits.memory),
    '--volume', `${join(dir, 'serviceaccount')}:/var/run/secrets/kubernetes.io/serviceaccount:ro`,
    '--env', 'KUBERNETES_SERVICE_HOST=127.0.0.1', '--env', `KUBERNETES_SERVICE_PORT=${credentials.apiserverPort}`,
  );
  return { options, container };
}
