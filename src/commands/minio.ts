import { OperationError, UsageError } from '../errors.js';
import type { AdminClient } from '../minio/admin.js';
import { broadPolicyWarning, samePolicy } from '../minio/policy.js';
import { loadProfile, resolveSettings, type FlagValues, type LoadedProfile } from '../profile.js';
import { policyNameFor, renderPolicy } from '../render/policy.js';
import { providerSettings } from '../render/minio-env.js';
import { logger } from '../ui/logger.js';
import { writeJson, writeOut } from '../ui/output.js';
import { adminClientFor, type AdminFlags } from './admin-flags.js';
import { clientSecretFor, emitMinioEnv, refuseSecretOnTerminal, resolveProviderSettings, type MinioEnvOutputFlags } from './render.js';

interface MinioFlags extends FlagValues, AdminFlags {
  config?: string;
  output?: string;
}

export async function minioInfoCommand(flags: MinioFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const admin = await adminClientFor(flags, profile);
  const [info, providers] = await Promise.all([admin.serverInfo(), admin.listOpenIdProviders()]);
  if (flags.output === 'json') {
    writeJson({ endpoint: admin.endpoint, ...info, openIdProviders: providers });
    return;
  }
  writeOut(`endpoint  ${admin.endpoint}\nversion   ${info.version ?? 'unknown'}\nregion    ${info.region ?? '(none: role ARNs have an empty region)'}\nmode      ${info.mode ?? 'unknown'}`);
  for (const provider of providers) writeOut(`provider  ${provider.name}: ${provider.enabled ? 'enabled' : 'not loaded'}${provider.roleArn ? `, role ${provider.roleArn}` : ''}`);
}

/**
 * The least-privilege policy; with --apply, created (or updated) in MinIO. Isolation
 * "bucket": the workload's own bucket is created too, and the policy is named by the
 * workload's `sub`, which is how MinIO's claim-based provider finds it.
 */
export async function minioPolicyCommand(flags: MinioFlags & { apply?: boolean; name?: string }): Promise<void> {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(['bucket', 'prefix', 'rolePolicy', 'isolation'], flags, profile);
  const policy = await renderPolicy(settings);
  let name: string;
  if (settings.isolation === 'bucket') {
    if (flags.name !== undefined) throw new UsageError('--name does not apply to --isolation bucket: MinIO finds the policy by the token\'s sub', 'pass --namespace and --service-account instead');
    name = policyNameFor({ ...settings, ...(await resolveSettings(['namespace', 'serviceAccount'], flags, profile)) });
  } else {
    name = flags.name ?? policyNameFor({ ...settings, namespace: '', serviceAccount: '' });
  }
  if (!flags.apply) {
    writeOut(policy);
    return;
  }
  const broad = broadPolicyWarning([name]);
  if (broad) throw new UsageError(`refusing to overwrite the built-in policy "${name}"`, 'choose another --name (minio.rolePolicy)');
  const admin = await adminClientFor(flags, profile);
  if (settings.isolation === 'bucket' && (await admin.ensureBucket(settings.bucket))) logger.success(`created bucket ${settings.bucket}`);
  const existing = await admin.getPolicy(name);
  if (existing !== undefined && samePolicy(existing, policy)) {
    logger.success(`policy ${name} in MinIO is already up to date; nothing to change`);
    return;
  }
  await admin.createPolicy(name, policy);
  const scope = settings.isolation === 'bucket' ? `the workload ${name} gets only its bucket ${settings.bucket}` : `each workload gets only ${settings.bucket}/${settings.prefix}<its sub>/${settings.isolation === 'prefix' ? ' (and sees the names in the bucket)' : ''}`;
  logger.success(`${existing === undefined ? 'created' : 'updated'} policy ${name} in MinIO: ${scope}`);
}

async function verifyBeforeRestart(flags: MinioFlags & { caFile?: string; skipVerify?: boolean }, profile: LoadedProfile, configUrl: string): Promise<void> {
  if (flags.skipVerify) {
    logger.warn('--skip-verify: the config URL and CA were not checked; if MinIO cannot fetch them at startup its IAM stalls until fixed');
    return;
  }
  const { caFromFile, findClusterCa } = await import('../kube/ca.js');
  let ca;
  if (flags.caFile) {
    ca = await caFromFile(flags.caFile);
  } else {
    const target = await resolveSettings(['kubeconfig', 'context'], flags, profile);
    const { connect } = await import('../kube/connect.js');
    ca = await findClusterCa(await connect(target));
  }
  const { verifyDiscovery } = await import('../kube/discovery.js');
  try {
    const report = await verifyDiscovery(configUrl, ca.pem);
    logger.success(`MinIO will be able to use ${configUrl}: issuer ${report.issuer}, ${report.keys.length} key(s), CA from ${ca.description}`);
    for (const warning of report.warnings) logger.warn(warning);
    logger.info(report.note);
  } catch (error) {
    if (error instanceof OperationError) {
      throw new OperationError(
        `${error.message} — not configuring MinIO: a provider that fails at startup stalls MinIO's IAM (every STS and non-root S3 request fails)`,
        error.hint ?? 'fix discovery first: minio-irsa cluster check',
      );
    }
    throw error;
  }
}

async function ensurePoliciesExist(admin: AdminClient, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if ((await admin.getPolicy(name)) === undefined) {
      throw new OperationError(`role policy "${name}" does not exist in MinIO: every exchange would fail with "None of the given policies are defined"`, `create it first: minio-irsa minio policy --apply --name ${name} --bucket BUCKET`);
    }
  }
}

/** The provider: as MINIO_IDENTITY_OPENID_* settings, or applied through the admin API. */
export async function minioConfigureCommand(flags: MinioFlags & MinioEnvOutputFlags & { apply?: boolean; caFile?: string; skipVerify?: boolean }): Promise<void> {
  // The settings (with the secret) go to stdout without --apply, or with it and --out -.
  if (!flags.apply || flags.out !== undefined) refuseSecretOnTerminal(flags);
  const profile = await loadProfile(flags.config);
  const settings = await resolveProviderSettings(flags, profile);
  await verifyBeforeRestart(flags, profile, settings.configUrl);
  const clientSecret = await clientSecretFor(flags, profile);
  if (!flags.apply) {
    await emitMinioEnv(settings, clientSecret, flags);
    logger.info('then restart MinIO, and confirm the role ARN: minio-irsa role-arn --from-logs <log> (or --from-admin)');
    return;
  }
  const admin = await adminClientFor(flags, profile);
  if (settings.isolation !== 'bucket') await ensurePoliciesExist(admin, settings.rolePolicy);
  const { restartRequired, updated } = await admin.putOpenIdProvider(
    settings.provider,
    Object.fromEntries(providerSettings(settings, clientSecret).map(([key, value]) => [key.toLowerCase(), value])),
  );
  if (settings.isolation === 'bucket') logger.info('claim-based provider: each workload needs a policy named by its sub and a bucket of its own: minio-irsa minio policy --apply --namespace NS --service-account SA --bucket BUCKET');
  logger.success(`${updated ? 'updated' : 'added'} OpenID provider "${settings.provider}" in MinIO ${admin.endpoint} (random client secret, not shown)`);
  if (flags.out) await emitMinioEnv(settings, clientSecret, flags);
  if (restartRequired) {
    logger.warn('MinIO loads OpenID providers at startup: restart it now (mc admin service restart ALIAS, or restart its process, container or pod)');
    logger.info('then confirm: minio-irsa role-arn --from-admin');
  }
}
