import { renderJson } from './template.js';
import type { Profile } from '../settings.js';
import { subjectOf } from './workload.js';

/**
 * Least privilege, by isolation mode. No statement relies on a Condition: MinIO fills
 * condition values from request headers, so any Condition can be satisfied by the caller
 * (docs/security.md). Identity is in Resource only: the policy's name (bucket mode: MinIO
 * picks it by the token's `sub`) or ${jwt:sub}, which MinIO fills from the verified token.
 * - bucket: everything in the workload's own bucket (under <prefix>), nothing elsewhere.
 * - prefix: reads and writes in <bucket>/<prefix><sub>/; listing the shared bucket, so
 *   every workload of the role sees the names (not the contents) of the others' objects.
 * - prefix-nolist: the same without listing at all.
 */
export async function renderPolicy(settings: Pick<Profile, 'bucket' | 'prefix' | 'isolation'>): Promise<string> {
  return renderJson(`policy/${settings.isolation}.json`, { bucket: settings.bucket, prefix: settings.prefix });
}

/** The policy's name in MinIO: bucket mode maps the token's `sub` to a policy of that name. */
export function policyNameFor(settings: Pick<Profile, 'isolation' | 'namespace' | 'serviceAccount' | 'rolePolicy'>): string {
  return settings.isolation === 'bucket' ? subjectOf(settings.namespace, settings.serviceAccount) : (settings.rolePolicy[0] ?? 'minio-irsa');
}
