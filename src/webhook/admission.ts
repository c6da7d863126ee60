import { isMapping, planInjection, STATIC_KEY_VARIABLES, type PatchOperation } from '../inject/core.js';
import { select, type SkipReason, type WebhookDefaults } from './opt-in.js';

// One AdmissionReview in, one out. Pure but for the lookups, which come from the watch
// cache. The webhook never denies a pod: when it cannot or must not mutate, it allows the
// pod as it is and says why (a warning kubectl prints, a log line, a metric).

type Labels = Record<string, string>;

export interface Lookups {
  serviceAccountAnnotations(namespace: string, name: string): Promise<Labels | undefined>;
  namespaceLabels(namespace: string): Labels | undefined;
}

export type Result = 'mutated' | 'unchanged' | 'skipped' | 'invalid';

export interface Outcome {
  result: Result;
  reason: SkipReason | 'already-injected' | 'bad-request' | 'not-a-pod' | 'malformed' | undefined;
  uid: string;
  namespace: string;
  pod: string;
  serviceAccount: string;
  operations: number;
  warnings: string[];
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: true;
    patchType?: 'JSONPatch';
    patch?: string;
    warnings?: string[];
  };
}

const stringMap = (value: unknown): Labels => {
  if (!isMapping(value)) return {};
  const out: Labels = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
};

export class BadAdmissionReview extends Error {}

/** RFC 6901: "~" and "/" inside a segment are escaped. */
export function jsonPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function toJsonPatch(base: readonly string[], operations: readonly PatchOperation[]): { op: 'add'; path: string; value: unknown }[] {
  return operations.map((operation) => ({ op: operation.op, path: jsonPointer([...base, ...operation.path]), value: operation.value }));
}

/** Kubernetes caps a warning at 256 characters (longer ones are truncated by the apiserver). */
const warning = (text: string): string => (text.length > 250 ? `${text.slice(0, 247)}...` : text);

export async function review(body: unknown, defaults: WebhookDefaults, lookups: Lookups): Promise<{ out: AdmissionReviewOut; outcome: Outcome }> {
  if (!isMapping(body) || body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview' || !isMapping(body['request'])) {
    throw new BadAdmissionReview('not an admission.k8s.io/v1 AdmissionReview with a request');
  }
  const request = body['request'];
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '' || uid.length > 128) throw new BadAdmissionReview('request.uid is missing');
  const namespace = typeof request['namespace'] === 'string' ? request['namespace'] : '';
  const pod = isMapping(request['object']) ? request['object'] : undefined;
  const metadata = isMapping(pod?.['metadata']) ? pod['metadata'] : {};
  const spec = isMapping(pod?.['spec']) ? pod['spec'] : undefined;
  const name = typeof metadata['name'] === 'string' && metadata['name'] ? metadata['name'] : `${typeof metadata['generateName'] === 'string' ? metadata['generateName'] : ''}*`;
  const serviceAccount = (typeof spec?.['serviceAccountName'] === 'string' && spec['serviceAccountName']) || 'default';
  const outcome: Outcome = { result: 'unchanged', reason: undefined, uid, namespace, pod: name, serviceAccount, operations: 0, warnings: [] };
  const allow = (extra: Partial<AdmissionReviewOut['response']> = {}): AdmissionReviewOut => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true, ...extra } });
  const kind = isMapping(request['kind']) ? request['kind'] : {};
  if (kind['kind'] !== 'Pod' || request['operation'] !== 'CREATE' || !spec) {
    return { out: allow(), outcome: { ...outcome, result: 'skipped', reason: 'not-a-pod' } };
  }

  const podAnnotations = stringMap(metadata['annotations']);
  const selection = select(
    {
      serviceAccount,
      serviceAccountAnnotations: await lookups.serviceAccountAnnotations(namespace, serviceAccount),
      namespaceLabels: lookups.namespaceLabels(namespace),
      podLabels: stringMap(metadata['labels']),
      podAnnotations,
    },
    defaults,
  );
  if (!selection.mutate) {
    const warnings = selection.warning ? [warning(`minio-irsa: ${selection.warning}; pod not injected`)] : [];
    return { out: allow(warnings.length ? { warnings } : {}), outcome: { ...outcome, result: selection.reason === 'invalid-annotation' ? 'invalid' : 'skipped', reason: selection.reason, warnings } };
  }
  const injection = planInjection(spec, podAnnotations, selection.settings);
  if (injection.malformed.length > 0) {
    const text = warning(`minio-irsa: the pod spec's ${injection.malformed.join(', ')}; pod not injected`);
    return { out: allow({ warnings: [text] }), outcome: { ...outcome, result: 'invalid', reason: 'malformed', warnings: [text] } };
  }
  if (injection.staticKeys.length > 0 && !selection.allowStaticKeys) {
    const text = warning(`minio-irsa: container ${injection.staticKeys.join(', ')} sets static keys (${STATIC_KEY_VARIABLES.join(', ')}), which win over the token; pod not injected`);
    return { out: allow({ warnings: [text] }), outcome: { ...outcome, result: 'skipped', reason: 'static-keys', warnings: [text] } };
  }
  const warnings = injection.notes.map((note) => warning(`minio-irsa: ${note}`));
  if (injection.patch.length === 0) {
    return { out: allow(warnings.length ? { warnings } : {}), outcome: { ...outcome, result: 'unchanged', reason: 'already-injected', warnings } };
  }
  const patch = Buffer.from(JSON.stringify(toJsonPatch(['spec'], injection.patch))).toString('base64');
  return {
    out: allow({ patchType: 'JSONPatch', patch, ...(warnings.length ? { warnings } : {}) }),
    outcome: { ...outcome, result: 'mutated', operations: injection.patch.length, warnings },
  };
}
