import * as v from './validate.js';

// Every answer the commands need, with where it lives in minio-irsa.yaml, the flag that
// overrides it, and how it is validated. Flags override the file; the file overrides defaults.

export interface Profile {
  kubeconfig: string | undefined;
  context: string | undefined;
  configUrl: string;
  endpoint: string;
  /** MinIO's region; unset means MinIO has none (the role ARN then has an empty region). */
  region: string | undefined;
  provider: string;
  clientId: string;
  rolePolicy: string[];
  displayName: string;
  roleArn: string | undefined;
  alias: string | undefined;
  namespace: string;
  serviceAccount: string;
  tokenPath: string;
  tokenExpiration: number;
  bucket: string;
  prefix: string;
  isolation: v.Isolation;
  /** The 0600 file holding the provider's client secret (init keeps it; never rotated unasked). */
  clientSecretFile: string | undefined;
  /** MinIO's certs directory on this machine (init copies the CA into its CAs/). */
  minioCertsDir: string | undefined;
  minioLocation: v.MinioLocation;
  /** A ConfigMap (key ca.crt) with MinIO's CA, mounted into workloads when MinIO's certificate is private. */
  caConfigMap: string | undefined;
}

export type SettingName = keyof Profile;

export interface SettingSpec<K extends SettingName = SettingName> {
  /** Dotted path in minio-irsa.yaml. */
  key: string;
  /** The flag, whose camelCase form is the setting's name. */
  flag: string;
  valueName: string;
  description: string;
  parse: (raw: unknown) => Profile[K];
  /** Used when neither flag nor file gives a value. */
  default?: Profile[K];
  /** May stay unset (the command copes without it). */
  optional?: boolean;
}

type SpecTable = { [K in SettingName]: SettingSpec<K> };

export const DEFAULT_TOKEN_PATH = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
export const DEFAULT_CLIENT_ID = 'sts.amazonaws.com';
export const AWS_DEFAULT_REGION = 'us-east-1';

export const SETTINGS: SpecTable = {
  kubeconfig: { key: 'kube.kubeconfig', flag: '--kubeconfig', valueName: '<path>', description: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', parse: (raw) => v.homePath(raw), optional: true },
  context: { key: 'kube.context', flag: '--context', valueName: '<name>', description: 'kube context (default: the current context)', parse: v.text, optional: true },
  configUrl: { key: 'issuer.configUrl', flag: '--config-url', valueName: '<url>', description: "issuer discovery URL as MinIO will reach it (https://<apiserver>:6443/.well-known/openid-configuration)", parse: v.configUrl },
  endpoint: { key: 'minio.endpoint', flag: '--endpoint', valueName: '<url>', description: "MinIO's S3 API endpoint (not the console), e.g. https://minio.example.com:9000", parse: v.s3Endpoint },
  region: { key: 'minio.region', flag: '--region', valueName: '<region>', description: `MinIO's region, only if MINIO_REGION/MINIO_SITE_REGION is set on the server (clients then use it instead of ${AWS_DEFAULT_REGION})`, parse: v.region, optional: true },
  provider: { key: 'minio.provider', flag: '--provider', valueName: '<name>', description: 'OpenID provider name in MinIO ("_" = the default provider)', parse: v.providerName, default: '_' },
  clientId: { key: 'minio.clientId', flag: '--client-id', valueName: '<id>', description: 'OpenID client id = the token audience', parse: v.clientId, default: DEFAULT_CLIENT_ID },
  rolePolicy: { key: 'minio.rolePolicy', flag: '--role-policy', valueName: '<names>', description: 'MinIO policy name(s) for the role, comma-separated', parse: v.policyNames, default: ['minio-irsa'] },
  displayName: { key: 'minio.displayName', flag: '--display-name', valueName: '<name>', description: "provider's display name in MinIO", parse: v.displayName, default: 'k8s' },
  roleArn: { key: 'minio.roleArn', flag: '--role-arn', valueName: '<arn>', description: 'role ARN (default: derived from the client id and region)', parse: v.roleArn, optional: true },
  alias: { key: 'minio.alias', flag: '--alias', valueName: '<name>', description: 'mc alias holding the admin credentials (MC_HOST_<name>, or mc\'s config.json)', parse: v.mcAlias, optional: true },
  namespace: { key: 'workload.namespace', flag: '--namespace', valueName: '<name>', description: "workload's namespace", parse: v.dns1123Label, default: 'default' },
  serviceAccount: { key: 'workload.serviceAccount', flag: '--service-account', valueName: '<name>', description: "workload's ServiceAccount", parse: v.dns1123Subdomain },
  tokenPath: { key: 'workload.tokenPath', flag: '--token-path', valueName: '<path>', description: 'token file inside the pod (AWS_WEB_IDENTITY_TOKEN_FILE)', parse: v.tokenPath, default: DEFAULT_TOKEN_PATH },
  tokenExpiration: { key: 'workload.tokenExpiration', flag: '--token-expiration', valueName: '<seconds>', description: 'projected token lifetime in seconds (>= 600)', parse: v.tokenExpiration, default: 3600 },
  bucket: { key: 'workload.bucket', flag: '--bucket', valueName: '<name>', description: "the workload's bucket", parse: v.bucket },
  isolation: {
    key: 'workload.isolation',
    flag: '--isolation',
    valueName: '<mode>',
    description: 'how workloads are kept apart: bucket (each its own bucket and policy: reads, writes and listing isolated), prefix (a shared bucket: reads and writes isolated, object names visible to all), prefix-nolist (a shared bucket, no listing at all)',
    parse: v.isolation,
    default: 'bucket',
  },
  clientSecretFile: { key: 'minio.clientSecretFile', flag: '--client-secret-file', valueName: '<file>', description: "file (mode 0600) holding the provider's client secret: reused, created when absent", parse: (raw) => v.homePath(raw), optional: true },
  minioCertsDir: { key: 'minio.certsDir', flag: '--minio-certs-dir', valueName: '<dir>', description: "MinIO's certs directory, when it is on this machine (the CA goes into its CAs/)", parse: (raw) => v.homePath(raw), optional: true },
  minioLocation: { key: 'minio.location', flag: '--minio-location', valueName: '<where>', description: 'where MinIO runs: host (a binary or systemd), container (docker, compose, a NAS app), cluster (in this Kubernetes cluster)', parse: v.minioLocation, default: 'host' },
  caConfigMap: { key: 'workload.caConfigMap', flag: '--ca-configmap', valueName: '<name>', description: "ConfigMap (key ca.crt, in the workload's namespace) with MinIO's CA, when its certificate is private: mounted, and named by AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and (litestream) SSL_CERT_FILE", parse: v.dns1123Subdomain, optional: true },
  prefix: { key: 'workload.prefix', flag: '--prefix', valueName: '<prefix>', description: "key prefix inside the bucket (prefix modes: each workload gets <prefix><its sub>/; bucket mode: the workload's keys)", parse: v.prefix, default: '' },
};

/** What every workload manifest and the token exchange need. */
export const WORKLOAD_SETTINGS = [
  'endpoint',
  'region',
  'clientId',
  'roleArn',
  'namespace',
  'serviceAccount',
  'tokenPath',
  'tokenExpiration',
  'isolation',
  'caConfigMap',
] as const satisfies readonly SettingName[];

/** What the inject core needs: inject, the webhook and its manifests. */
export const INJECTION_SETTINGS = ['endpoint', 'region', 'clientId', 'roleArn', 'tokenPath', 'tokenExpiration', 'isolation', 'caConfigMap'] as const satisfies readonly SettingName[];

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function settingByKey(key: string): SettingName | undefined {
  return SETTING_NAMES.find((name) => SETTINGS[name].key === key);
}
