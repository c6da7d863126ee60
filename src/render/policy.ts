import { renderJson } from './template.js';
import type { Profile } from '../settings.js';

/**
 * Least privilege for every workload of one role: each reads and writes only
 * <bucket>/<prefix><its own sub>/. Identity is in Resource through ${jwt:sub}, never in a
 * Condition on a claim (docs/security.md: MinIO fills condition values from request headers).
 */
export async function renderPolicy(settings: Pick<Profile, 'bucket' | 'prefix'>): Promise<string> {
  return renderJson('policy.json', { bucket: settings.bucket, prefix: settings.prefix });
}
