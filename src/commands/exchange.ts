import { shellQuoted } from '../encode.js';
import { ReportedFailure, UsageError } from '../errors.js';
import { readBoundedFile } from '../fs-safe.js';
import { decodeJwt } from '../jwt.js';
import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { roleArnFor } from '../render/workload.js';
import { registerSecret } from '../secrets.js';
import { AWS_DEFAULT_REGION } from '../settings.js';
import { logger } from '../ui/logger.js';
import { writeJson, writeOut } from '../ui/output.js';
import { minioCa, type AdminFlags } from './admin-flags.js';
import * as v from '../validate.js';

/** Service-account tokens are about a kilobyte. */
const TOKEN_MAX_BYTES = 64 * 1024;

interface ExchangeFlags extends FlagValues, AdminFlags {
  config?: string;
  tokenFile?: string;
  duration?: string;
  export?: boolean;
  probe?: boolean;
  output: 'text' | 'json';
}

/** Trade a service-account token for MinIO credentials, as a pod's SDK would, and prove them. */
export async function exchangeCommand(flags: ExchangeFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(['endpoint', 'region', 'clientId', 'roleArn', 'isolation'], flags, profile);
  let durationSeconds: number | undefined;
  try {
    durationSeconds = flags.duration === undefined ? undefined : v.decimalInteger(flags.duration, 900, 31_536_000, 'seconds');
  } catch (error) {
    if (error instanceof v.InvalidValue) throw new UsageError(`--duration ${error.message}`, 'pass a valid --duration, or leave it out to let the credentials expire with the token');
    throw error;
  }
  let token: string;
  if (flags.tokenFile) {
    token = (await readBoundedFile(flags.tokenFile, TOKEN_MAX_BYTES, '--token-file', 'pass the path of a service-account token')).text.trim();
    registerSecret(token);
    decodeJwt(token);
  } else {
    const kube = await resolveSettings(['kubeconfig', 'context', 'namespace', 'serviceAccount', 'tokenExpiration'], flags, profile);
    const { connect } = await import('../kube/connect.js');
    const { requestToken } = await import('../kube/tokens.js');
    token = await requestToken(await connect(kube), { namespace: kube.namespace, serviceAccount: kube.serviceAccount, audience: settings.clientId, expirationSeconds: kube.tokenExpiration });
  }
  const claims = decodeJwt(token).claims;
  const roleArn = roleArnFor(settings);
  const region = settings.region ?? AWS_DEFAULT_REGION;
  const caPem = await minioCa(flags);
  const { assumeRoleWithWebIdentity } = await import('../minio/sts.js');
  const credentials = await assumeRoleWithWebIdentity({ endpoint: settings.endpoint, token, roleArn, caPem, ...(durationSeconds === undefined ? {} : { durationSeconds }) });
  const summary = { subject: claims.sub, roleArn, expiration: credentials.expiration.toISOString() };

  let steps: { step: string; status: string; message: string }[] | undefined;
  if (flags.probe) {
    // The token's own subject is what ${jwt:sub} in the policy expands to.
    if (!claims.sub) throw new UsageError('the token has no sub claim, so it names no workload', 'use a service-account token');
    const { bucket, prefix } = await resolveSettings(['bucket', 'prefix'], flags, profile);
    const { probePlaces, probeS3 } = await import('../minio/s3-probe.js');
    steps = await probeS3({ endpoint: settings.endpoint, region, credentials, bucket, ...probePlaces(settings.isolation, prefix, claims.sub), caPem });
  }

  if (flags.export) {
    // Asked for explicitly: the one place credentials are printed.
    writeOut(
      [
        `export AWS_ACCESS_KEY_ID=${shellQuoted(credentials.accessKeyId)}`,
        `export AWS_SECRET_ACCESS_KEY=${shellQuoted(credentials.secretAccessKey)}`,
        `export AWS_SESSION_TOKEN=${shellQuoted(credentials.sessionToken)}`,
        `export AWS_REGION=${shellQuoted(region)}`,
        `export AWS_ENDPOINT_URL_S3=${shellQuoted(settings.endpoint)}`,
      ].join('\n'),
    );
  } else if (flags.output === 'json') {
    writeJson({ ...summary, ...(steps ? { probe: steps } : {}) });
  }
  if (flags.output !== 'json' || flags.export) {
    logger.success(`STS AssumeRoleWithWebIdentity: temporary credentials for ${summary.subject ?? 'the token'} until ${summary.expiration}${flags.export ? '' : ' (not shown: pass --export to print them as shell exports)'}`);
    for (const step of steps ?? []) {
      if (step.status === 'ok') logger.success(`${step.step}: ${step.message}`);
      else if (step.status === 'denied') logger.warn(`${step.step}: ${step.message}`);
      else logger.error(`${step.step}: ${step.message}`);
    }
  }
  if (steps?.some((step) => step.status === 'fail')) throw new ReportedFailure('the S3 probe failed');
}
