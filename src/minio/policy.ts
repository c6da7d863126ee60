// Built-in MinIO policies that give every workload of the role the whole server.
export const BROAD_POLICIES = ['readwrite', 'readonly', 'writeonly', 'consoleAdmin', 'diagnostics'];

export function broadPolicies(names: readonly string[]): string[] {
  return names.filter((name) => BROAD_POLICIES.includes(name));
}

export function broadPolicyWarning(names: readonly string[]): string | undefined {
  const broad = broadPolicies(names);
  if (broad.length === 0) return undefined;
  return `role policy ${broad.join(', ')} is a broad built-in: every pod that can get a token with this audience gets it; use a per-workload policy (minio-irsa minio policy --apply) instead`;
}

/**
 * MinIO answers a policy in its own form (actions and resources are sets: sorted, a single
 * one may be a string; keys in its order): compare what the documents mean.
 */
export function samePolicy(existing: unknown, rendered: string): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, item]) => item !== undefined && item !== null && !(typeof item === 'string' && item === ''))
          .map(([key, item]) => [key, canonical(['Action', 'Resource', 'NotAction', 'NotResource'].includes(key) && typeof item === 'string' ? [item] : item)])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      );
    }
    return value;
  };
  return JSON.stringify(canonical(existing)) === JSON.stringify(canonical(JSON.parse(rendered) as unknown));
}
