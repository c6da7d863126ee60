import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
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
  try {
    return await readFile(flags.minioCaFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --minio-ca-file ${flags.minioCaFile}: ${(error as Error).message}`, "pass the PEM file of the CA that signed MinIO's certificate");
  }
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
  return new AdminClient(target);
}
