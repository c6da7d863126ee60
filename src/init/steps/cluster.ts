import { OperationError } from '../../errors.js';
import { DISCOVERY_PATH } from '../../validate.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 2: the distribution and whether anonymous requests reach discovery. When anonymous
// auth is off, stop with the distribution's exact fix and apply nothing.

export const clusterStep: InitStep<InitContext> = {
  id: 'cluster',
  title: 'Distribution and anonymous auth',
  async run(context) {
    const { connect } = await import('../../kube/connect.js');
    const { detectCluster } = await import('../../kube/version.js');
    const { probeAnonymous } = await import('../../kube/probe.js');
    const connection = await connect({ kubeconfig: context.known('kubeconfig'), context: context.known('context') });
    context.connection = connection;
    context.detection = await detectCluster(connection);
    const probe = await probeAnonymous(new URL(DISCOVERY_PATH, connection.server).href, connection.caPem);
    context.discoveryAccess = probe.access;
    const where = `${connection.server} (context ${connection.context}): ${context.detection.distribution} ${context.detection.gitVersion}`;
    if (probe.access === 'anonymous-off' || probe.access === 'not-served' || probe.access === 'unexpected') {
      const { remediationFor } = await import('../../kube/remediation.js');
      const steps = remediationFor(probe.access, context.detection);
      throw new OperationError(`${where}; ${probe.message}: nothing applied`, [...steps, 'then run minio-irsa init again'].join('\n'));
    }
    return { status: 'unchanged', message: `${where}; ${probe.message}` };
  },
};
