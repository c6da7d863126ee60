import { OperationError } from '../../errors.js';
import { DISCOVERY_PATH } from '../../validate.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 3: the ClusterRoleBinding that lets MinIO read discovery: plan (server-side dry
// run), confirm, apply, wait until discovery is public.

export const rbacStep: InitStep<InitContext> = {
  id: 'rbac',
  title: 'Discovery RBAC',
  async run(context) {
    const connection = context.connection;
    if (!connection) throw new Error('rbac runs after cluster');
    const { applyDiscoveryRbac, planDiscoveryRbac } = await import('../../kube/rbac.js');
    const plan = await planDiscoveryRbac(connection, context.flags.subject);
    if (plan.state === 'foreign') throw new OperationError(plan.summary, 'minio-irsa never overwrites objects it does not own: rename or remove that binding yourself');
    if (plan.state === 'up-to-date') return { status: 'unchanged', message: plan.summary };
    if (context.discoveryAccess === 'public' && plan.state === 'absent') return { status: 'unchanged', message: 'discovery is already public through an existing binding' };
    if (context.dryRun) {
      context.rbacPlanned = true;
      return { status: 'planned', message: `(plan) would ${plan.summary.replace(/^would /, '')}` };
    }
    await context.mustConfirm(`apply ClusterRoleBinding ${plan.name}?`);
    await applyDiscoveryRbac(connection, plan);
    const { waitForPublicDiscovery } = await import('../../kube/probe.js');
    const probe = await waitForPublicDiscovery(new URL(DISCOVERY_PATH, connection.server).href, connection.caPem);
    if (probe.access !== 'public') throw new OperationError(`after applying ${plan.name}, discovery still answers ${probe.status}`, 'check for other authorizers or a proxy in front of the apiserver');
    return { status: 'done', message: `applied ClusterRoleBinding ${plan.name} (field manager minio-irsa); discovery is public` };
  },
};
