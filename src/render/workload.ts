import { posix } from 'node:path';
import { deriveRoleArn } from '../minio/arn.js';
import { AWS_DEFAULT_REGION, type Profile } from '../settings.js';

// What every workload manifest shares: the identity MinIO will see and the token volume.

export type WorkloadSettings = Pick<
  Profile,
  'endpoint' | 'region' | 'clientId' | 'roleArn' | 'namespace' | 'serviceAccount' | 'tokenPath' | 'tokenExpiration'
>;

/** The `sub` claim of the workload's tokens: the only thing that names a workload. */
export function subjectOf(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** MinIO without a configured region signs as us-east-1 but puts no region in the ARN. */
export function roleArnFor(settings: Pick<Profile, 'roleArn' | 'clientId' | 'region'>): string {
  return settings.roleArn ?? deriveRoleArn(settings.clientId, settings.region ?? '');
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
