import type { ClusterCheckContext } from './cluster.js';
import type { AdminClient, OpenIdProviderSummary, ServerInfo } from '../minio/admin.js';
import type { Profile } from '../settings.js';

// What doctor's checks share: the settings (every one optional: a check whose input is missing
// is skipped, saying which flag enables it) and what was observed once, memoized, so no
// connection, admin client (an Argon2id key derivation each) or answer is made twice.

export interface DoctorSettings extends Partial<Profile> {
  clientId: string;
  provider: string;
  isolation: Profile['isolation'];
  rolePolicy: string[];
  prefix: string;
  tokenExpiration: number;
  namespace: string;
}

export interface DoctorOptions {
  /** --probe: write, read and delete an object in the workload's own place. */
  probe: boolean;
  minioCaPem: string | undefined;
  /** MinIO's log, to name why a provider did not load. */
  minioLog: (() => Promise<string[]>) | undefined;
  /** Admin credentials, if any source gave them (never printed). */
  admin: (() => Promise<AdminClient>) | undefined;
  adminUnavailable: string | undefined;
}

export interface DoctorContext extends ClusterCheckContext {
  settings: DoctorSettings;
  options: DoctorOptions;
  memo: Map<string, Promise<unknown>>;
  /** The checks finished so far, for the ones that explain a symptom by an upstream cause. */
  results?: Map<string, { status: string; message: string }>;
  /** --pod NS/NAME and --workload KIND/NS/NAME: live workloads to inspect. */
  workloadRefs?: string[];
  /** --all-workloads: every workload of the namespace that uses web identity. */
  allWorkloads?: boolean;
  /** Filled by the checks for the ones after them (and the chain picture). */
  serverInfo?: ServerInfo;
  providers?: OpenIdProviderSummary[];
  providerConfig?: Record<string, string>;
  roleArn?: string;
  token?: string;
}

/** Compute once per run, whoever asks first; later callers share the same promise. */
export function once<T>(context: Pick<DoctorContext, 'memo'>, key: string, compute: () => Promise<T>): Promise<T> {
  let value = context.memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = compute();
    context.memo.set(key, value);
  }
  return value;
}

export function adminClient(context: DoctorContext): Promise<AdminClient> {
  const open = context.options.admin;
  if (!open) throw new Error('no admin credentials');
  return once(context, 'admin', open);
}
