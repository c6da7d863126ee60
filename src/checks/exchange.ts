import type { Connection } from '../kube/connect.js';
import { once, type DoctorContext } from './context.js';
import type { Check, CheckResult } from './types.js';

// The exchange as a pod makes it: a TokenRequest token for the workload's ServiceAccount,
// traded at MinIO's STS, and (only with --probe) proven on S3.

const CATEGORY = 'Exchange';

export const exchangeChecks: Check<DoctorContext>[] = [
  {
    id: 'exchange.token',
    category: CATEGORY,
    description: "a token for the workload's ServiceAccount",
    requires: ['kube.connect'],
    unavailable: (context) => (context.settings.serviceAccount ? undefined : 'no workload: pass --service-account (workload.serviceAccount) and --namespace'),
    async run(context) {
      const { requestToken } = await import('../kube/tokens.js');
      const { summarizeToken } = await import('../jwt.js');
      const token = await once(context, 'token', () =>
        requestToken(context.connection as Connection, { namespace: context.settings.namespace, serviceAccount: context.settings.serviceAccount as string, audience: context.settings.clientId, expirationSeconds: 600 }),
      );
      context.token = token;
      const summary = summarizeToken(token);
      return { status: 'ok', message: `sub ${summary.sub ?? '?'}, aud ${summary.aud.join(',')}, iss ${summary.iss ?? '?'}` };
    },
  },
  {
    id: 'exchange.sts',
    category: CATEGORY,
    description: "MinIO's STS accepts it",
    requires: ['exchange.token', 'minio.endpoint'],
    after: ['minio.provider'],
    retryable: true,
    async run(context): Promise<CheckResult> {
      const { assumeRoleWithWebIdentity, StsError } = await import('../minio/sts.js');
      const { roleArnFor } = await import('../render/workload.js');
      const roleArn = roleArnFor({ roleArn: context.settings.roleArn, clientId: context.settings.clientId, region: context.settings.region, isolation: context.settings.isolation });
      try {
        const credentials = await assumeRoleWithWebIdentity({ endpoint: context.settings.endpoint as string, token: context.token as string, roleArn, caPem: context.options.minioCaPem });
        context.memo.set('credentials', Promise.resolve(credentials));
        return { status: 'ok', message: `temporary credentials until ${credentials.expiration.toISOString()} (not shown)` };
      } catch (error) {
        if (!(error instanceof StsError)) throw error;
        const providerFailed = context.results?.get('minio.provider')?.status === 'fail';
        const hint = providerFailed && (error.problem === 'unknown-role' || error.problem === 'iam-not-initialized') ? 'the OpenID provider is not loaded: see the provider check above for why' : error.hint;
        return { status: 'fail', message: error.message, hint };
      }
    },
  },
  {
    id: 'exchange.probe',
    category: CATEGORY,
    description: 'the credentials on S3 (own place works, elsewhere denied)',
    requires: ['exchange.sts'],
    unavailable: (context) => (!context.options.probe ? 'read-only by default: pass --probe to write, read and delete a test object' : !context.settings.bucket ? 'pass --bucket (workload.bucket)' : undefined),
    async run(context): Promise<CheckResult> {
      const { probePlaces, probeS3 } = await import('../minio/s3-probe.js');
      const { decodeJwt } = await import('../jwt.js');
      const credentials = await (context.memo.get('credentials') as Promise<import('../minio/sts.js').TemporaryCredentials>);
      const sub = decodeJwt(context.token as string).claims.sub ?? '';
      const bucket = context.settings.bucket as string;
      const place = probePlaces(context.settings.isolation, context.settings.prefix, sub);
      const steps = await probeS3({ endpoint: context.settings.endpoint as string, region: context.settings.region ?? 'us-east-1', credentials, bucket, ...place, caPem: context.options.minioCaPem });
      const failed = steps.filter((step) => step.status === 'fail');
      const details = steps.map((step) => `${step.status === 'fail' ? '×' : step.status === 'ok' ? '√' : '-'} ${step.step}: ${step.message}`);
      if (failed.length > 0) return { status: 'fail', message: `${failed[0]?.step}: ${failed[0]?.message}`, details };
      return { status: 'ok', message: `own place read/write/delete OK, elsewhere denied`, details };
    },
  },
];
