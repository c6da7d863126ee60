import { clusterChecks, effectiveConfigUrl, type ClusterCheckContext } from '../checks/cluster.js';
import { runChecks } from '../checks/types.js';
import { DeclinedError, OperationError, ReportedFailure, UsageError } from '../errors.js';
import type { Connection } from '../kube/connect.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues } from '../profile.js';
import type { AnonymousSubject } from '../render/rbac.js';
import { logger } from '../ui/logger.js';
import { writeJson } from '../ui/output.js';
import { askConfirm, canPrompt } from '../ui/prompts.js';
import { printChecks } from '../ui/report.js';
import { startSpinner } from '../ui/spinner.js';

interface ClusterFlags extends FlagValues {
  config?: string;
  caFile?: string;
  output?: 'text' | 'json';
}

async function clusterContext(flags: ClusterFlags): Promise<ClusterCheckContext> {
  const profile = await loadProfile(flags.config);
  const target = await resolveSettings(['kubeconfig', 'context'], flags, profile);
  return { target, configUrl: await resolveIfGiven('configUrl', flags, profile), caFile: flags.caFile };
}

/** Every link on the cluster side; exit 1 when one is broken. */
export async function clusterCheckCommand(flags: ClusterFlags): Promise<void> {
  const context = await clusterContext(flags);
  // Loading the kubeconfig touches no network: a bad path or context is bad input (exit 2).
  context.connection = await connected(context);
  const outcomes = await runChecks(clusterChecks, context);
  if (flags.output === 'json') writeJson(outcomes);
  else printChecks(outcomes);
  const failed = outcomes.filter((outcome) => outcome.status === 'fail').length;
  if (failed > 0) throw new ReportedFailure(`${failed} check(s) failed`);
}

async function confirm(message: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!canPrompt()) throw new UsageError(`${message}: confirmation needed and there is no terminal to ask on`, 'pass --yes to apply, or --dry-run to only see the plan');
  if (!(await askConfirm(message, '--yes', true))) throw new DeclinedError(`declined: ${message.replace(/\?$/, '')} — nothing changed`);
}

async function connected(context: ClusterCheckContext): Promise<Connection> {
  const { connect } = await import('../kube/connect.js');
  return connect(context.target);
}

/** Open anonymous discovery: plan (server-side dry run), confirm, apply, verify. Idempotent. */
export async function clusterApplyCommand(flags: ClusterFlags & { subject: AnonymousSubject; yes?: boolean; dryRun?: boolean }): Promise<void> {
  const context = await clusterContext(flags);
  const spinner = await startSpinner('connecting to the cluster');
  const { detectCluster } = await import('../kube/version.js');
  const { probeAnonymous } = await import('../kube/probe.js');
  const { remediationFor } = await import('../kube/remediation.js');
  let connection: Connection;
  try {
    connection = await connected(context);
    context.connection = connection;
    context.detection = await detectCluster(connection);
    context.probe = await probeAnonymous(effectiveConfigUrl(context), connection.caPem);
    spinner.succeed(`${connection.server}: ${context.detection.distribution} ${context.detection.gitVersion}; ${context.probe.message}`);
  } catch (error) {
    spinner.fail('cannot inspect the cluster');
    throw error;
  }
  const access = context.probe.access;
  if (access === 'anonymous-off' || access === 'not-served' || access === 'unexpected') {
    const steps = remediationFor(access, context.detection);
    for (const line of steps) logger.info(`  ${line}`);
    throw new OperationError(`${context.probe.message}: nothing applied`, access === 'anonymous-off' ? 'do the steps above on the apiserver, then run minio-irsa cluster apply again' : steps[0]);
  }

  const { applyDiscoveryRbac, planDiscoveryRbac } = await import('../kube/rbac.js');
  const plan = await planDiscoveryRbac(connection, flags.subject);
  if (plan.state === 'foreign') throw new OperationError(plan.summary, 'minio-irsa never overwrites objects it does not own: rename or remove that binding yourself');
  if (plan.state === 'up-to-date' || (access === 'public' && plan.state === 'absent')) {
    logger.success(plan.state === 'up-to-date' ? `${plan.summary}; nothing to change` : 'discovery is already public through an existing binding; nothing to change');
  } else {
    logger.step(plan.summary);
    if (flags.dryRun) {
      logger.info('dry run: nothing applied');
      return;
    }
    await confirm(`apply ClusterRoleBinding ${plan.name}?`, flags.yes);
    await applyDiscoveryRbac(connection, plan);
    logger.success(`applied ClusterRoleBinding ${plan.name} (field manager minio-irsa)`);
  }

  const { waitForPublicDiscovery } = await import('../kube/probe.js');
  const after = await waitForPublicDiscovery(effectiveConfigUrl(context), connection.caPem);
  if (after.access !== 'public') throw new OperationError(`after applying, discovery still answers ${after.status}`, 'check for other authorizers or a proxy in front of the apiserver');
  const { verifyDiscovery } = await import('../kube/discovery.js');
  const report = await verifyDiscovery(effectiveConfigUrl(context), connection.caPem);
  logger.success(`discovery and JWKS are public: issuer ${report.issuer}, ${report.keys.length} key(s) at ${report.jwksUri}`);
  for (const warning of report.warnings) logger.warn(warning);
  logger.info(report.note);
}

/** Remove only what minio-irsa created. */
export async function resetCommand(flags: ClusterFlags & { yes?: boolean; dryRun?: boolean }): Promise<void> {
  const context = await clusterContext(flags);
  const connection = await connected(context);
  // Only a real apiserver's word about who owns the binding counts.
  await (await import('../kube/version.js')).detectCluster(connection);
  const { removeDiscoveryRbac } = await import('../kube/rbac.js');
  const { DISCOVERY_BINDING_NAME } = await import('../render/rbac.js');
  const preview = await removeDiscoveryRbac(connection, true);
  if (preview === 'absent') {
    logger.success(`ClusterRoleBinding ${DISCOVERY_BINDING_NAME} does not exist; nothing to remove`);
    return;
  }
  if (preview === 'foreign') {
    logger.warn(`ClusterRoleBinding ${DISCOVERY_BINDING_NAME} exists but was not created by minio-irsa: left untouched`);
    return;
  }
  logger.step(`would delete ClusterRoleBinding ${DISCOVERY_BINDING_NAME} (created by minio-irsa)`);
  if (flags.dryRun) return;
  await confirm(`delete ClusterRoleBinding ${DISCOVERY_BINDING_NAME}?`, flags.yes);
  await removeDiscoveryRbac(connection, false);
  logger.success(`deleted ClusterRoleBinding ${DISCOVERY_BINDING_NAME}`);
}
