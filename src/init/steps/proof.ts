import { OperationError } from '../../errors.js';
import { decodeJwt } from '../../jwt.js';
import { AWS_DEFAULT_REGION } from '../../settings.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 9: the proof. A token minted for the workload's ServiceAccount exactly as the kubelet
// gets one, traded at MinIO's STS, and the credentials tried on S3: its own place works,
// elsewhere is denied.

export const proofStep: InitStep<InitContext> = {
  id: 'proof',
  title: 'Proof: token → STS → S3',
  async run(context) {
    if (context.flags.skipProof) return { status: 'skipped', message: 'skipped: --skip-proof' };
    const connection = context.connection;
    if (!connection) throw new Error('proof runs after cluster');
    const namespace = await context.answer('namespace');
    const serviceAccount = await context.answer('serviceAccount');
    const { createServiceAccount, serviceAccountExists } = await import('../../kube/service-account.js');
    if (!(await serviceAccountExists(connection, namespace, serviceAccount))) {
      if (context.dryRun) return { status: 'planned', message: `(plan) would create ServiceAccount ${namespace}/${serviceAccount} (with --create-service-account) and prove the exchange` };
      const create = context.flags.createServiceAccount ?? (context.prompter.interactive && !context.yes ? await context.prompter.confirm(`ServiceAccount ${namespace}/${serviceAccount} does not exist: create it for the proof?`, '--create-service-account', true) : false);
      if (!create) {
        return { status: 'manual', message: `ServiceAccount ${namespace}/${serviceAccount} does not exist: nothing to prove with`, commands: [`kubectl create serviceaccount -n ${namespace} ${serviceAccount}   (or pass --create-service-account), then: minio-irsa init`] };
      }
      await createServiceAccount(connection, namespace, serviceAccount);
    }
    if (context.dryRun) return { status: 'planned', message: '(plan) would mint a token, exchange it and probe S3' };
    const clientId = await context.answer('clientId');
    const { requestToken } = await import('../../kube/tokens.js');
    const token = await requestToken(connection, { namespace, serviceAccount, audience: clientId, expirationSeconds: await context.answer('tokenExpiration') });
    const sub = decodeJwt(token).claims.sub ?? '';
    const endpoint = await context.answer('endpoint');
    const { assumeRoleWithWebIdentity, StsError } = await import('../../minio/sts.js');
    let credentials;
    try {
      credentials = await assumeRoleWithWebIdentity({ endpoint, token, roleArn: context.roleArn ?? '', caPem: context.minioCaPem });
    } catch (error) {
      // Without admin access the provider is the user's to load: a failure is the step still to do.
      if (!context.admin && error instanceof StsError) {
        return { status: 'manual', message: `MinIO does not accept the token yet (${error.message}): load the settings, restart MinIO, then run minio-irsa init again`, commands: ['minio-irsa doctor   (names the broken link)'] };
      }
      throw error;
    }
    const { probePlaces, probeS3 } = await import('../../minio/s3-probe.js');
    const isolation = await context.answer('isolation');
    const steps = await probeS3({
      endpoint,
      region: context.known('region') ?? AWS_DEFAULT_REGION,
      credentials,
      bucket: await context.answer('bucket'),
      ...probePlaces(isolation, await context.answer('prefix'), sub),
      caPem: context.minioCaPem,
    });
    const failed = steps.filter((step) => step.status === 'fail');
    if (failed.length > 0) throw new OperationError(`the S3 probe failed: ${failed.map((step) => `${step.step}: ${step.message}`).join('; ')}`, 'minio-irsa doctor --probe shows each link');
    const denied = steps.filter((step) => step.status === 'denied').map((step) => step.step);
    return {
      status: 'unchanged',
      message: `${sub} got temporary credentials (not shown); ${steps.length - denied.length} S3 checks as they must be (its own place read and written, elsewhere denied)`,
      warnings: denied.map((step) => `${step}: refused (allowed either way)`),
    };
  },
};
