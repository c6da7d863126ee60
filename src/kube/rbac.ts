import type { V1ClusterRoleBinding } from '@kubernetes/client-node';
import { OperationError } from '../errors.js';
import { ANONYMOUS_SUBJECTS, DISCOVERY_BINDING_NAME, type AnonymousSubject } from '../render/rbac.js';
import { call, type ApiCallError, type Connection } from './connect.js';

// The discovery ClusterRoleBinding: planned with a server-side dry run, applied with
// server-side apply under our field manager, never over a binding we do not own.

export const FIELD_MANAGER = 'minio-irsa';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'minio-irsa' };
const FORBIDDEN_HINT = 'creating the binding needs "create" and "patch" on clusterrolebindings.rbac.authorization.k8s.io (and the right to grant system:service-account-issuer-discovery): use a cluster-admin context';

export type RbacState = 'absent' | 'up-to-date' | 'differs' | 'foreign';

export interface RbacPlan {
  state: RbacState;
  name: string;
  desired: V1ClusterRoleBinding;
  existing: V1ClusterRoleBinding | undefined;
  /** One line for the user: what apply would do. */
  summary: string;
}

export function desiredBinding(subject: AnonymousSubject, name = DISCOVERY_BINDING_NAME): V1ClusterRoleBinding {
  const { subjectKind, subjectName } = ANONYMOUS_SUBJECTS[subject];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...MANAGED_BY } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: subjectKind, name: subjectName }],
  };
}

export function isOurs(binding: V1ClusterRoleBinding): boolean {
  return binding.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'minio-irsa';
}

export function sameGrant(a: V1ClusterRoleBinding, b: V1ClusterRoleBinding): boolean {
  const key = (binding: V1ClusterRoleBinding) => JSON.stringify({ role: binding.roleRef?.name, subjects: (binding.subjects ?? []).map((s) => [s.kind, s.name]).sort() });
  return key(a) === key(b);
}

/** What to do with what exists: never touch a foreign binding, change nothing that matches. */
export function decideRbac(existing: V1ClusterRoleBinding | undefined, desired: V1ClusterRoleBinding): 'foreign' | 'up-to-date' | 'differs' | 'absent' {
  if (!existing) return 'absent';
  if (!isOurs(existing)) return 'foreign';
  return sameGrant(existing, desired) ? 'up-to-date' : 'differs';
}

async function readBinding(connection: Connection, name: string): Promise<V1ClusterRoleBinding | undefined> {
  const rbac = connection.kc.makeApiClient(connection.k8s.RbacAuthorizationV1Api);
  try {
    return await call(connection, `read ClusterRoleBinding ${name}`, () => rbac.readClusterRoleBinding({ name }), 'reading the binding needs "get" on clusterrolebindings: use a cluster-admin context');
  } catch (error) {
    if ((error as ApiCallError).status === 404) return undefined;
    throw error;
  }
}

async function serverSideApply(connection: Connection, binding: V1ClusterRoleBinding, dryRun: boolean): Promise<void> {
  const objects = connection.k8s.KubernetesObjectApi.makeApiClient(connection.kc);
  await call(
    connection,
    `${dryRun ? 'dry-run ' : ''}apply ClusterRoleBinding ${binding.metadata?.name ?? ''}`,
    () => objects.patch(binding, undefined, dryRun ? 'All' : undefined, FIELD_MANAGER, false, connection.k8s.PatchStrategy.ServerSideApply),
    FORBIDDEN_HINT,
  );
}

export async function planDiscoveryRbac(connection: Connection, subject: AnonymousSubject): Promise<RbacPlan> {
  const desired = desiredBinding(subject);
  const name = desired.metadata?.name ?? DISCOVERY_BINDING_NAME;
  const existing = await readBinding(connection, name);
  const grant = `${desired.roleRef.name} -> ${desired.subjects?.[0]?.kind} ${desired.subjects?.[0]?.name}`;
  const state = decideRbac(existing, desired);
  if (state === 'foreign') {
    return { state, name, desired, existing, summary: `ClusterRoleBinding ${name} exists and was not created by minio-irsa: left untouched` };
  }
  if (state === 'up-to-date') {
    return { state, name, desired, existing, summary: `ClusterRoleBinding ${name} already configured (${grant})` };
  }
  // The dry run proves we may apply it (permissions, admission) without changing anything.
  await serverSideApply(connection, desired, true);
  return {
    state,
    name,
    desired,
    existing,
    summary: `would ${existing ? 'update' : 'create'} ClusterRoleBinding ${name} (${grant})`,
  };
}

export async function applyDiscoveryRbac(connection: Connection, plan: RbacPlan): Promise<void> {
  if (plan.state === 'foreign') throw new OperationError(plan.summary, 'rename or remove that binding yourself if it is not needed; minio-irsa never overwrites objects it does not own');
  if (plan.state === 'up-to-date') return;
  await serverSideApply(connection, plan.desired, false);
}

export type ResetOutcome = 'removed' | 'absent' | 'foreign';

/** Removes only the binding we created (by name and label). */
export async function removeDiscoveryRbac(connection: Connection, dryRun: boolean): Promise<ResetOutcome> {
  const existing = await readBinding(connection, DISCOVERY_BINDING_NAME);
  if (!existing) return 'absent';
  if (!isOurs(existing)) return 'foreign';
  if (dryRun) return 'removed';
  const rbac = connection.kc.makeApiClient(connection.k8s.RbacAuthorizationV1Api);
  await call(connection, `delete ClusterRoleBinding ${DISCOVERY_BINDING_NAME}`, () => rbac.deleteClusterRoleBinding({ name: DISCOVERY_BINDING_NAME }), FORBIDDEN_HINT);
  return 'removed';
}
