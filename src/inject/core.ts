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
  /** Empty when the spec is malformed. */
  patch: PatchOperation[];
  /** Where the pod spec is not what the API reads (a list that is not one, an item that is not a mapping): it is left alone. */
  malformed: string[];
  /** What was left as the user set it, or why nothing was done. */
  notes: string[];
  /** Containers that carry static keys: refused unless allowed. */
  staticKeys: string[];
}

interface EnvVar extends Mapping {
  name?: unknown;
  value?: unknown;
}
interface Mount extends Mapping {
  name?: unknown;
  mountPath?: unknown;
}
interface Container extends Mapping {
  name?: unknown;
  image?: unknown;
  env?: unknown;
  volumeMounts?: unknown;
}

type Mapping = Record<string, unknown>;

/**
 * A scalar of the manifest as text (numbers and booleans as YAML writes them), or `otherwise`
 * for a mapping, list or null: String() would call a "toString" the data itself may carry.
 */
export function scalarText(value: unknown, otherwise: string): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : otherwise;
}

/** A YAML mapping / JSON object (not a list, not null). */
export const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A list of mappings in the spec, as the API reads it (absent or null: empty), or empty with
 * `where` reported as malformed: such a spec is not ours to change (kubectl refuses it).
 */
function listAt<T extends Mapping>(value: unknown, where: string, malformed: string[]): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) malformed.push(`${where} is not a list`);
  else {
    const bad = value.findIndex((item) => !isMapping(item));
    if (bad === -1) return value as T[];
    malformed.push(`${where}[${bad}] is not a mapping`);
  }
  return [];
}

/** litestream's HTTP client ignores AWS_CA_BUNDLE; it reads the roots from SSL_CERT_FILE. */
const isLitestream = (container: { name?: unknown; image?: unknown }): boolean => /litestream/.test(scalarText(container.image, '')) || /litestream/.test(scalarText(container.name, ''));

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
  const malformed: string[] = [];
  const skip = new Set(scalarText(annotations[SKIP_CONTAINERS_ANNOTATION], '').split(',').map((name) => name.trim()).filter(Boolean));
  const shared = sharedValues(settings);

  const volumes = listAt<{ name?: unknown }>(spec['volumes'], 'volumes', malformed);
  addAll(patch, ['volumes'], spec['volumes'], missingOf(shared.volumes as readonly { name: string }[], (wanted) => volumes.some((volume) => volume.name === wanted.name)));

  for (const field of ['initContainers', 'containers'] as const) {
    listAt<Container>(spec[field], field, malformed).forEach((container, index) => {
      const name = scalarText(container.name, String(index));
      if (skip.has(name)) {
        notes.push(`container ${name} skipped (${SKIP_CONTAINERS_ANNOTATION})`);
        return;
      }
      const env = listAt<EnvVar>(container.env, `${field}[${index}].env`, malformed);
      if (env.some((item) => STATIC_KEY_VARIABLES.includes(scalarText(item.name, '')))) staticKeys.push(name);
      const wanted = isLitestream(container) ? shared.env.litestream : shared.env.plain;
      const missing = missingOf(wanted, (variable) => {
        const present = env.find((item) => item.name === variable.name);
        if (present && present.value !== variable.value) notes.push(`container ${name}: ${variable.name} kept as the manifest sets it`);
        return present !== undefined;
      });
      addAll(patch, [field, index, 'env'], container.env, missing);
      const mounts = listAt<Mount>(container.volumeMounts, `${field}[${index}].volumeMounts`, malformed);
      const newMounts = missingOf(shared.mounts, (mount) => {
        const atDir = mounts.find((existing) => existing.mountPath === mount.mountPath);
        if (atDir && atDir.name !== mount.name) notes.push(`container ${name}: ${String(mount.mountPath)} already mounts ${scalarText(atDir.name, '(unnamed)')}; left as it is`);
        return atDir !== undefined;
      });
      addAll(patch, [field, index, 'volumeMounts'], container.volumeMounts, newMounts);
    });
  }
  if (malformed.length > 0) return { patch: [], malformed, notes: [], staticKeys };
  return { patch, malformed, notes, staticKeys };
}

/** Where the pod spec is in each kind that carries one. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec's path in an object of `kind`: own keys only (a kind "constructor" is not one). */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return Object.hasOwn(POD_SPEC_PATHS, kind) ? POD_SPEC_PATHS[kind] : undefined;
}
