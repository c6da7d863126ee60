import type { AdminClient } from '../minio/admin.js';
import { resolveIfGiven, type FlagValues, type LoadedProfile } from '../profile.js';

// The flags every command that talks to MinIO shares: where the admin credentials are, and
// the CA of MinIO's own TLS certificate when it is private.

export interface AdminFlags {
  adminUser?: string;
  adminSecretFile?: string;
  minioCaFile?: string;
}

export async function minioCa(flags: AdminFlags): Promise<string | undefined> {
  if (!flags.minioCaFile) return undefined;
  const { caFromFile } = await import('../kube/ca.js');
  return (await caFromFile(flags.minioCaFile, '--minio-ca-file')).pem;
}

export async function adminClientFor(flags: FlagValues & AdminFlags, profile: LoadedProfile): Promise<AdminClient> {
  const { resolveAdmin } = await import('../minio/credentials.js');
  const { AdminClient } = await import('../minio/admin.js');
  const target = await resolveAdmin({
    alias: await resolveIfGiven('alias', flags, profile),
    accessKey: flags.adminUser,
    secretKeyFile: flags.adminSecretFile,
    endpoint: await resolveIfGiven('endpoint', flags, profile),
    caPem: await minioCa(flags),
  });
  if (target.warning) (await import('../ui/logger.js')).logger.warn(target.warning);
  return new AdminClient(target);
}
