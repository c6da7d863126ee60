import { posix } from 'node:path';
import { deriveRoleArn } from '../minio/arn.js';
import type { InjectionSettings } from '../inject/core.js';
import { AWS_DEFAULT_REGION, type Profile } from '../settings.js';

// What every workload manifest shares: the identity MinIO will see and the token volume.

export type WorkloadSettings = Pick<
  Profile,
  'endpoint' | 'region' | 'clientId' | 'roleArn' | 'namespace' | 'serviceAccount' | 'tokenPath' | 'tokenExpiration' | 'isolation'
>;

/**
 * With a claim-based provider (isolation "bucket") MinIO has no role: it treats a role ARN it
 * does not know as none and maps the token's `sub` to a policy of that name. The AWS SDKs and
 * CLI insist on AWS_ROLE_ARN, so workloads send this one, which no MinIO role can have (a
 * role's id is a SHA-1 digest, never this text).
 */
export const CLAIM_BASED_ROLE_ARN = 'arn:minio:iam:::role/minio-irsa-claim-based';

/** The `sub` claim of the workload's tokens: the only thing that names a workload. */
export function subjectOf(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** MinIO without a configured region signs as us-east-1 but puts no region in the ARN. */
export function roleArnFor(settings: Pick<Profile, 'roleArn' | 'clientId' | 'region'> & Partial<Pick<Profile, 'isolation'>>): string {
  if (settings.roleArn) return settings.roleArn;
  return settings.isolation === 'bucket' ? CLAIM_BASED_ROLE_ARN : deriveRoleArn(settings.clientId, settings.region ?? '');
}

export function workloadVars(settings: WorkloadSettings) {
  return {
    namespace: settings.namespace,
    serviceAccount: settings.serviceAccount,
    roleArn: roleArnFor(settings),
    endpoint: settings.endpoint,
    region: settings.region ?? AWS_DEFAULT_REGION,
    audience: settings.clientId,
    tokenPath: settings.tokenPath,
    tokenDir: posix.dirname(settings.tokenPath),
    tokenFile: posix.basename(settings.tokenPath),
    tokenExpiration: settings.tokenExpiration,
  };
}

/** What the inject core needs: the same wiring for inject, the webhook and every rendered workload. */
export function injectionSettingsFor(settings: Pick<Profile, 'endpoint' | 'region' | 'clientId' | 'roleArn' | 'tokenPath' | 'tokenExpiration' | 'isolation'> & Partial<Pick<Profile, 'caConfigMap'>>): InjectionSettings {
  return {
    roleArn: roleArnFor(settings),
    endpoint: settings.endpoint,
    region: settings.region ?? AWS_DEFAULT_REGION,
    audience: settings.clientId,
    tokenPath: settings.tokenPath,
    tokenExpiration: settings.tokenExpiration,
    ...(settings.caConfigMap ? { caConfigMap: settings.caConfigMap } : {}),
  };
}
