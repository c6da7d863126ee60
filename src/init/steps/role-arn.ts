import { deriveRoleArn } from '../../minio/arn.js';
import { CLAIM_BASED_ROLE_ARN } from '../../render/workload.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 8: the role ARN workloads send, cross-checked with what MinIO reports, and recorded.

export const roleArnStep: InitStep<InitContext> = {
  id: 'role-arn',
  title: 'Role ARN',
  async run(context) {
    const isolation = await context.answer('isolation');
    if (isolation === 'bucket') {
      context.roleArn = CLAIM_BASED_ROLE_ARN;
      return { status: 'unchanged', message: `claim-based provider: the token's sub picks the policy; workloads send ${CLAIM_BASED_ROLE_ARN}, which MinIO ignores` };
    }
    const clientId = await context.answer('clientId');
    const region = context.known('region');
    const derived = deriveRoleArn(clientId, region ?? '');
    if (!context.admin || context.dryRun) {
      context.roleArn = context.known('roleArn') ?? derived;
      return { status: 'unchanged', message: `${context.roleArn} (derived from client id "${clientId}"${region ? ` and region ${region}` : ''}; not confirmed by MinIO without admin access)` };
    }
    const name = await context.answer('provider');
    const [providers, info] = await Promise.all([context.admin.listOpenIdProviders(), context.admin.serverInfo()]);
    const reported = providers.find((provider) => provider.name === name)?.roleArn;
    const arn = reported ?? derived;
    const warnings: string[] = [];
    if (reported && reported !== derived) warnings.push(`MinIO reports ${reported}, not the derived ${derived}: ${info.region && info.region !== region ? `MinIO's region is ${info.region}; set --region ${info.region}` : 'the recorded ARN is MinIO\'s'}`);
    if (info.region && !region) await context.remember('region', info.region);
    context.roleArn = arn;
    if (context.known('roleArn') === arn) return { status: 'unchanged', message: `${arn} (MinIO reports the same)`, warnings };
    await context.remember('roleArn', arn);
    return { status: 'done', message: `${arn} recorded in the profile${reported ? ' (as MinIO reports it)' : ''}`, warnings };
  },
};
