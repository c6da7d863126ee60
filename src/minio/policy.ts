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
