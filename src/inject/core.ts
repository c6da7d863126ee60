import { posix } from 'node:path';

// The one mutation core: what a pod spec needs to reach MinIO with its service-account
// token, as JSON Patch operations relative to the pod spec. `inject` applies them to YAML
// (keeping comments and order); a webhook would return them as they are.

export const TOKEN_VOLUME = 'minio-irsa-token';
export const CA_VOLUME = 'minio-irsa-ca';
export const CA_DIR = '/etc/minio-irsa/ca';
export const CA_FILE = `${CA_DIR}/ca.crt`;
/** Per object: "false" leaves it alone. */
export const INJECT_ANNOTATION = 'minio-irsa.io/inject';
/** Per object: comma-separated container names that get nothing. */
export const SKIP_CONTAINERS_ANNOTATION = 'minio-irsa.io/skip-containers';
/** Static keys win over web identity in the SDKs and litestream: inject refuses them, doctor fails on them. */
export const STATIC_KEY_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'LITESTREAM_ACCESS_KEY_ID', 'LITESTREAM_SECRET_ACCESS_KEY'];

export interface InjectionSettings {
  roleArn: string;
  endpoint: string;
  region: string;
  audience: string;
  tokenPath: string;
  tokenExpiration: number;
  /** A ConfigMap with MinIO's CA (key ca.crt), for a MinIO whose certificate is private. */
  caConfigMap?: string | undefined;
}

export interface PatchOperation {
  op: 'add';
  /** JSON Pointer segments under the pod spec; a final "-" appends. */
  path: (string | number)[];
  value: unknown;
}

export interface Injection {
  patch: PatchOperation[];
  /** What was left as the user set it, or why nothing was done. */
  notes: string[];
  /** Containers that carry static keys: refused unless allowed. */
  staticKeys: string[];
}

interface EnvVar {
  name?: unknown;
  value?: unknown;
}
interface Mount {
  name?: unknown;
  mountPath?: unknown;
}
interface Container {
  name?: unknown;
  image?: unknown;
  env?: unknown;
  volumeMounts?: unknown;
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** litestream's HTTP client ignores AWS_CA_BUNDLE; it reads the roots from SSL_CERT_FILE. */
const isLitestream = (container: { name?: unknown; image?: unknown }): boolean => /litestream/.test(String(container.image ?? '')) || /litestream/.test(String(container.name ?? ''));

/** The projected token volume: the kubelet refreshes the token before it expires. */
export function tokenVolume(settings: InjectionSettings) {
  return { name: TOKEN_VOLUME, projected: { sources: [{ serviceAccountToken: { audience: settings.audience, expirationSeconds: settings.tokenExpiration, path: posix.basename(settings.tokenPath) } }] } };
}

export function tokenMount(settings: InjectionSettings) {
  return { name: TOKEN_VOLUME, mountPath: posix.dirname(settings.tokenPath), readOnly: true };
}

export function caVolume(configMap: string) {
  return { name: CA_VOLUME, configMap: { name: configMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } };
}

export const CA_MOUNT = Object.freeze({ name: CA_VOLUME, mountPath: CA_DIR, readOnly: true });

/** The variables as a container's env list (a litestream container's has one more with a CA). */
export function envList(settings: InjectionSettings, litestream = false): { name: string; value: string }[] {
  const env = [
    { name: 'AWS_ROLE_ARN', value: settings.roleArn },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: settings.tokenPath },
    { name: 'AWS_ENDPOINT_URL_STS', value: settings.endpoint },
    { name: 'AWS_ENDPOINT_URL_S3', value: settings.endpoint },
    { name: 'AWS_REGION', value: settings.region },
  ];
  if (settings.caConfigMap) {
    // Added to the roots: the AWS SDKs (AWS_CA_BUNDLE) and Node (NODE_EXTRA_CA_CERTS). SSL_CERT_FILE
    // replaces them, so only litestream, which needs it and talks to MinIO alone, gets it.
    env.push({ name: 'AWS_CA_BUNDLE', value: CA_FILE }, { name: 'NODE_EXTRA_CA_CERTS', value: CA_FILE });
    if (litestream) env.push({ name: 'SSL_CERT_FILE', value: CA_FILE });
  }
  return env;
}

/** Items appended to a list the spec has, or the list itself when it has none. */
function addAll(patch: PatchOperation[], path: (string | number)[], existing: unknown, items: readonly unknown[]): void {
  if (items.length === 0) return;
  if (Array.isArray(existing)) for (const value of items) patch.push({ op: 'add', path: [...path, '-'], value });
  else patch.push({ op: 'add', path, value: items });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** What every pod spec of one run receives, built once and frozen: `inject` renders each value once (by identity). */
interface SharedValues {
  volumes: readonly unknown[];
  mounts: readonly Mount[];
  env: { plain: readonly { name: string; value: string }[]; litestream: readonly { name: string; value: string }[] };
}
const sharedBySettings = new WeakMap<InjectionSettings, SharedValues>();
function sharedValues(settings: InjectionSettings): SharedValues {
  let shared = sharedBySettings.get(settings);
  if (!shared) {
    shared = deepFreeze({
      volumes: [tokenVolume(settings), ...(settings.caConfigMap ? [caVolume(settings.caConfigMap)] : [])],
      mounts: [tokenMount(settings), ...(settings.caConfigMap ? [CA_MOUNT] : [])],
      env: { plain: envList(settings), litestream: envList(settings, true) },
    });
    sharedBySettings.set(settings, shared);
  }
  return shared;
}

/** The items not yet present, as the shared list itself when none is (the common case). */
function missingOf<T>(all: readonly T[], present: (item: T) => boolean): readonly T[] {
  const missing = all.filter((item) => !present(item));
  return missing.length === all.length ? all : missing;
}

/**
 * The operations for one pod spec. Idempotent (an injected spec yields none), never
 * overrides what the user set (a note says so), skips the named containers.
 */
export function planInjection(spec: Record<string, unknown>, annotations: Record<string, unknown>, settings: InjectionSettings): Injection {
  const patch: PatchOperation[] = [];
  const notes: string[] = [];
  const staticKeys: string[] = [];
  const skip = new Set(String(annotations[SKIP_CONTAINERS_ANNOTATION] ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  const shared = sharedValues(settings);

  const volumes = list<{ name?: unknown }>(spec['volumes']);
  addAll(patch, ['volumes'], spec['volumes'], missingOf(shared.volumes as readonly { name: string }[], (wanted) => volumes.some((volume) => volume.name === wanted.name)));

  for (const field of ['initContainers', 'containers'] as const) {
    list<Container>(spec[field]).forEach((container, index) => {
      const name = String(container.name ?? index);
      if (skip.has(name)) {
        notes.push(`container ${name} skipped (${SKIP_CONTAINERS_ANNOTATION})`);
        return;
      }
      const env = list<EnvVar>(container.env);
      if (env.some((item) => STATIC_KEY_VARIABLES.includes(String(item.name)))) staticKeys.push(name);
      const wanted = isLitestream(container) ? shared.env.litestream : shared.env.plain;
      const missing = missingOf(wanted, (variable) => {
        const present = env.find((item) => item.name === variable.name);
        if (present && present.value !== variable.value) notes.push(`container ${name}: ${variable.name} kept as the manifest sets it`);
        return present !== undefined;
      });
      addAll(patch, [field, index, 'env'], container.env, missing);
      const mounts = list<Mount>(container.volumeMounts);
      const newMounts = missingOf(shared.mounts, (mount) => {
        const atDir = mounts.find((existing) => existing.mountPath === mount.mountPath);
        if (atDir && atDir.name !== mount.name) notes.push(`container ${name}: ${String(mount.mountPath)} already mounts ${String(atDir.name)}; left as it is`);
        return atDir !== undefined;
      });
      addAll(patch, [field, index, 'volumeMounts'], container.volumeMounts, newMounts);
    });
  }
  return { patch, notes, staticKeys };
}

/** Where the pod spec is in each kind that carries one. */
export const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
