import { deriveRoleArn } from '../minio/arn.js';
import type { InjectionSettings } from '../inject/core.js';
import * as v from '../validate.js';

// Which pods the webhook mutates, and with what. A ServiceAccount opts in with our
// annotations or with EKS's (so charts that expose `serviceAccount.annotations` for IRSA work
// against MinIO unchanged); its annotations may override the audience, token lifetime,
// endpoint and region. Every annotation value is hostile until validated.

export const WEBHOOK_LABEL = 'minio-irsa.io/webhook';
/** On a namespace: opts its pods in when the webhook runs with --namespace-opt-in. */
export const WEBHOOK_ENABLED = 'enabled';
/** On a namespace or a pod: never mutated (also an object/namespace selector, so not even sent). */
export const WEBHOOK_DISABLED = 'disabled';

export const SA_ANNOTATIONS = {
  inject: 'minio-irsa.io/inject',
  roleArn: 'minio-irsa.io/role-arn',
  audience: 'minio-irsa.io/audience',
  tokenExpiration: 'minio-irsa.io/token-expiration',
  endpoint: 'minio-irsa.io/endpoint',
  region: 'minio-irsa.io/region',
  allowStaticKeys: 'minio-irsa.io/allow-static-keys',
  caConfigMap: 'minio-irsa.io/ca-configmap',
} as const;

export const EKS_ANNOTATIONS = {
  roleArn: 'eks.amazonaws.com/role-arn',
  audience: 'eks.amazonaws.com/audience',
  tokenExpiration: 'eks.amazonaws.com/token-expiration',
} as const;

export interface WebhookDefaults {
  settings: InjectionSettings;
  /** MinIO's region as the role ARN carries it ('' when MinIO has none). */
  arnRegion: string;
  /** A role ARN set for the whole webhook (claim-based roles); else derived per audience. */
  roleArn: string | undefined;
  namespaceOptIn: boolean;
}

export type Selection =
  | { mutate: true; settings: InjectionSettings; allowStaticKeys: boolean; via: string }
  | { mutate: false; reason: SkipReason; warning?: string };

export type SkipReason = 'not-opted-in' | 'pod-opted-out' | 'namespace-opted-out' | 'namespace-not-opted-in' | 'invalid-annotation' | 'static-keys' | 'service-account-missing';

type Labels = Readonly<Record<string, string>>;

export interface Subjects {
  serviceAccount: string;
  serviceAccountAnnotations: Labels | undefined;
  namespaceLabels: Labels | undefined;
  podLabels: Labels;
  podAnnotations: Labels;
}

function parsed<T>(name: string, raw: string | undefined, parse: (raw: unknown) => T): T | undefined {
  if (raw === undefined) return undefined;
  try {
    return parse(raw);
  } catch (error) {
    throw new InvalidAnnotation(`annotation ${name} on the ServiceAccount: ${(error as Error).message}`);
  }
}

class InvalidAnnotation extends Error {}

const ourOptIn = (annotations: Labels): boolean => annotations[SA_ANNOTATIONS.roleArn] !== undefined || annotations[SA_ANNOTATIONS.audience] !== undefined || annotations[SA_ANNOTATIONS.inject] === 'true';

/** Whether a ServiceAccount's annotations ask for the webhook (ours, or EKS's role ARN). */
export function optsIn(annotations: Labels): boolean {
  return ourOptIn(annotations) || annotations[EKS_ANNOTATIONS.roleArn] !== undefined;
}

export function select(subjects: Subjects, defaults: WebhookDefaults): Selection {
  if (subjects.podLabels[WEBHOOK_LABEL] === WEBHOOK_DISABLED || subjects.podAnnotations[SA_ANNOTATIONS.inject] === 'false') return { mutate: false, reason: 'pod-opted-out' };
  const namespaceLabel = subjects.namespaceLabels?.[WEBHOOK_LABEL];
  if (namespaceLabel === WEBHOOK_DISABLED) return { mutate: false, reason: 'namespace-opted-out' };
  if (defaults.namespaceOptIn && namespaceLabel !== WEBHOOK_ENABLED) return { mutate: false, reason: 'namespace-not-opted-in' };
  const annotations = subjects.serviceAccountAnnotations;
  if (annotations === undefined) return { mutate: false, reason: 'service-account-missing' };

  if (!optsIn(annotations)) return { mutate: false, reason: 'not-opted-in' };
  const ours = ourOptIn(annotations);
  try {
    const audience = parsed(SA_ANNOTATIONS.audience, annotations[SA_ANNOTATIONS.audience], v.clientId) ?? parsed(EKS_ANNOTATIONS.audience, annotations[EKS_ANNOTATIONS.audience], v.clientId) ?? defaults.settings.audience;
    const explicitArn = parsed(SA_ANNOTATIONS.roleArn, annotations[SA_ANNOTATIONS.roleArn], v.roleArn) ?? parsed(EKS_ANNOTATIONS.roleArn, annotations[EKS_ANNOTATIONS.roleArn], v.roleArn);
    const tokenExpiration =
      parsed(SA_ANNOTATIONS.tokenExpiration, annotations[SA_ANNOTATIONS.tokenExpiration], v.tokenExpiration) ??
      parsed(EKS_ANNOTATIONS.tokenExpiration, annotations[EKS_ANNOTATIONS.tokenExpiration], v.tokenExpiration) ??
      defaults.settings.tokenExpiration;
    const endpoint = parsed(SA_ANNOTATIONS.endpoint, annotations[SA_ANNOTATIONS.endpoint], v.s3Endpoint) ?? defaults.settings.endpoint;
    const region = parsed(SA_ANNOTATIONS.region, annotations[SA_ANNOTATIONS.region], v.region) ?? defaults.settings.region;
    const caConfigMap = parsed(SA_ANNOTATIONS.caConfigMap, annotations[SA_ANNOTATIONS.caConfigMap], v.dns1123Subdomain) ?? defaults.settings.caConfigMap;
    // A role ARN is per audience: a ServiceAccount that names another audience gets that audience's ARN.
    const roleArn = explicitArn ?? (audience === defaults.settings.audience && defaults.roleArn ? defaults.roleArn : deriveRoleArn(audience, defaults.arnRegion));
    return {
      mutate: true,
      settings: { ...defaults.settings, audience, roleArn, tokenExpiration, endpoint, region, ...(caConfigMap ? { caConfigMap } : {}) },
      allowStaticKeys: annotations[SA_ANNOTATIONS.allowStaticKeys] === 'true',
      via: ours ? 'minio-irsa.io' : 'eks.amazonaws.com',
    };
  } catch (error) {
    if (error instanceof InvalidAnnotation) return { mutate: false, reason: 'invalid-annotation', warning: error.message };
    throw error;
  }
}
