import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { STATIC_KEY_VARIABLES } from '../inject/core.js';
import { optsIn, SA_ANNOTATIONS, WEBHOOK_DISABLED, WEBHOOK_LABEL } from '../webhook/opt-in.js';
import type { Connection } from '../kube/connect.js';
import type { DoctorContext } from './context.js';
import type { Check, CheckResult } from './types.js';

// A live workload's pod spec, read and judged: the five AWS_* variables, the projected token
// they point to (audience = MinIO's client id, lifetime >= 600 s), and nothing that silently
// defeats web identity (static keys, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, a CA litestream
// ignores).

export interface Expectations {
  clientId: string;
  /** The role ARN workloads must send; undefined when any will do (claim-based provider). */
  roleArn: string | undefined;
  endpoint: string | undefined;
}

export interface Inspection {
  problems: string[];
  warnings: string[];
  containers: string[];
}


function envOf(container: V1Container): Map<string, string | undefined> {
  return new Map((container.env ?? []).map((variable) => [variable.name, variable.valueFrom ? undefined : (variable.value ?? '')]));
}

/** Judge every container that uses web identity (or is litestream) in a pod spec. */
export function inspectPodSpec(spec: V1PodSpec, expected: Expectations): Inspection {
  const problems: string[] = [];
  const warnings: string[] = [];
  const containers: string[] = [];
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  for (const container of all) {
    const env = envOf(container);
    const isLitestream = /litestream/.test(container.image ?? '') || /litestream/.test(container.name);
    if (!env.has('AWS_ROLE_ARN') && !env.has('AWS_WEB_IDENTITY_TOKEN_FILE') && !isLitestream) continue;
    containers.push(container.name);
    const say = (list: string[], text: string) => list.push(`container ${container.name}: ${text}`);
    const roleArn = env.get('AWS_ROLE_ARN');
    if (!env.has('AWS_ROLE_ARN')) say(problems, 'no AWS_ROLE_ARN: the SDK will not use web identity');
    else if (expected.roleArn && roleArn !== undefined && roleArn !== expected.roleArn) say(problems, `AWS_ROLE_ARN is ${roleArn}, but MinIO's role is ${expected.roleArn} (STS: "RoleARN ... is not defined")`);
    const tokenFile = env.get('AWS_WEB_IDENTITY_TOKEN_FILE');
    if (!env.has('AWS_WEB_IDENTITY_TOKEN_FILE')) say(problems, 'no AWS_WEB_IDENTITY_TOKEN_FILE');
    else if (tokenFile !== undefined) {
      const dir = tokenFile.slice(0, tokenFile.lastIndexOf('/'));
      const file = tokenFile.slice(tokenFile.lastIndexOf('/') + 1);
      const mount = (container.volumeMounts ?? []).find((m) => m.mountPath.replace(/\/+$/, '') === dir);
      const volume = mount ? (spec.volumes ?? []).find((v) => v.name === mount.name) : undefined;
      const source = volume?.projected?.sources?.find((s) => s.serviceAccountToken?.path === file)?.serviceAccountToken;
      if (!mount) say(problems, `nothing is mounted at ${dir}, where AWS_WEB_IDENTITY_TOKEN_FILE points`);
      else if (!source) say(problems, `the volume mounted at ${dir} is not a projected serviceAccountToken with path ${file}`);
      else {
        if (source.audience !== expected.clientId) say(problems, `the token's audience is "${source.audience ?? '(the apiserver\'s)'}", but MinIO's client id is "${expected.clientId}" (STS: "azp claim invalid")`);
        if ((source.expirationSeconds ?? 3600) < 600) say(problems, `the token lives ${source.expirationSeconds} s; Kubernetes refuses under 600`);
      }
    }
    for (const name of ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_S3']) {
      if (!env.has(name)) say(problems, `no ${name}: the SDK sends it to AWS, not to MinIO`);
      else if (expected.endpoint && env.get(name) !== undefined && env.get(name)?.replace(/\/+$/, '') !== expected.endpoint) say(warnings, `${name} is ${env.get(name) ?? ''}, not ${expected.endpoint}`);
    }
    if (!env.has('AWS_REGION') && !env.has('AWS_DEFAULT_REGION')) say(warnings, "no AWS_REGION: some SDKs refuse to sign without one (set MinIO's region, us-east-1 by default)");
    for (const key of STATIC_KEY_VARIABLES) if (env.has(key)) say(problems, `${key} is set: static keys silently win over web identity`);
    if ((container.envFrom ?? []).length > 0) say(warnings, 'envFrom may bring static keys (AWS_ACCESS_KEY_ID) that win over web identity: check those Secrets and ConfigMaps');
    if (env.get('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') === 'true') say(problems, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true makes the SDK ignore the MinIO endpoints');
    if (isLitestream && env.has('AWS_CA_BUNDLE')) say(warnings, "litestream's HTTP client ignores AWS_CA_BUNDLE: give it MinIO's CA with SSL_CERT_FILE");
  }
  if (containers.length === 0) problems.push('no container uses web identity (no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE): render the wiring with minio-irsa render pod');
  return { problems, warnings, containers };
}

/** "ns/name" or "kind/ns/name": a Pod, or the pod template of a workload. */
export function parseWorkloadRef(ref: string): { kind: string; namespace: string; name: string } {
  const parts = ref.split('/');
  if (parts.length === 2) return { kind: 'pod', namespace: parts[0] ?? '', name: parts[1] ?? '' };
  if (parts.length === 3) return { kind: (parts[0] ?? '').toLowerCase(), namespace: parts[1] ?? '', name: parts[2] ?? '' };
  throw new Error(`"${ref}" is not NAMESPACE/NAME or KIND/NAMESPACE/NAME`);
}

async function readPodSpec(connection: Connection, ref: { kind: string; namespace: string; name: string }): Promise<V1PodSpec> {
  const { call } = await import('../kube/connect.js');
  const what = `read ${ref.kind} ${ref.namespace}/${ref.name}`;
  const args = { name: ref.name, namespace: ref.namespace };
  if (ref.kind === 'pod') {
    const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
    return (await call(connection, what, () => core.readNamespacedPod(args))).spec as V1PodSpec;
  }
  if (ref.kind === 'cronjob') {
    const batch = connection.kc.makeApiClient(connection.k8s.BatchV1Api);
    return (await call(connection, what, () => batch.readNamespacedCronJob(args))).spec?.jobTemplate.spec?.template.spec as V1PodSpec;
  }
  if (ref.kind === 'job') {
    const batch = connection.kc.makeApiClient(connection.k8s.BatchV1Api);
    return (await call(connection, what, () => batch.readNamespacedJob(args))).spec?.template.spec as V1PodSpec;
  }
  const apps = connection.kc.makeApiClient(connection.k8s.AppsV1Api);
  const readers: Record<string, () => Promise<{ spec?: { template?: { spec?: V1PodSpec } } }>> = {
    deployment: () => apps.readNamespacedDeployment(args),
    statefulset: () => apps.readNamespacedStatefulSet(args),
    daemonset: () => apps.readNamespacedDaemonSet(args),
    replicaset: () => apps.readNamespacedReplicaSet(args),
  };
  const read = readers[ref.kind];
  if (!read) throw new Error(`cannot inspect a ${ref.kind}: use pod, deployment, statefulset, daemonset, replicaset, job or cronjob`);
  return (await call(connection, what, read)).spec?.template?.spec as V1PodSpec;
}

/** Whether a pod spec is wired for web identity at all (what --all-workloads looks for). */
export function usesWebIdentity(spec: V1PodSpec | undefined): boolean {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].some((container) => (container.env ?? []).some((variable) => variable.name === 'AWS_ROLE_ARN' || variable.name === 'AWS_WEB_IDENTITY_TOKEN_FILE'));
}

interface PodLike {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: V1PodSpec;
}
interface AccountLike {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

/**
 * Pods the webhook should have mutated but did not: their ServiceAccount opts in, they did not
 * opt out, yet they carry no wiring. With failurePolicy Ignore, pods created while the webhook
 * was unreachable start like this.
 */
export function escapedPods(pods: readonly PodLike[], accounts: readonly AccountLike[]): string[] {
  const optedIn = new Set(accounts.filter((account) => optsIn(account.metadata?.annotations ?? {})).map((account) => account.metadata?.name ?? ''));
  return pods
    .filter((pod) => optedIn.has(pod.spec?.serviceAccountName || 'default'))
    .filter((pod) => pod.metadata?.labels?.[WEBHOOK_LABEL] !== WEBHOOK_DISABLED && pod.metadata?.annotations?.[SA_ANNOTATIONS.inject] !== 'false')
    .filter((pod) => !usesWebIdentity(pod.spec))
    .map((pod) => pod.metadata?.name ?? '');
}

/**
 * Every workload of a namespace that uses web identity: controllers by their pod template,
 * and pods no controller owns (a controller's pods would repeat its template). Also the pods
 * that escaped the webhook.
 */
export async function discoverWorkloads(connection: Connection, namespace: string): Promise<{ refs: string[]; escaped: string[] }> {
  const { call } = await import('../kube/connect.js');
  const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
  const apps = connection.kc.makeApiClient(connection.k8s.AppsV1Api);
  const batch = connection.kc.makeApiClient(connection.k8s.BatchV1Api);
  const list = <T>(what: string, run: () => Promise<{ items: T[] }>) => call(connection, `list ${what} in ${namespace}`, run).then((result) => result.items);
  const [pods, deployments, statefulsets, daemonsets, jobs, cronjobs, accounts] = await Promise.all([
    list('pods', () => core.listNamespacedPod({ namespace })),
    list('deployments', () => apps.listNamespacedDeployment({ namespace })),
    list('statefulsets', () => apps.listNamespacedStatefulSet({ namespace })),
    list('daemonsets', () => apps.listNamespacedDaemonSet({ namespace })),
    list('jobs', () => batch.listNamespacedJob({ namespace })),
    list('cronjobs', () => batch.listNamespacedCronJob({ namespace })),
    list('serviceaccounts', () => core.listNamespacedServiceAccount({ namespace })),
  ]);
  const refs: string[] = [];
  const add = (kind: string, item: { metadata?: { name?: string; ownerReferences?: unknown[] } }, spec: V1PodSpec | undefined, ownedSkipped = false) => {
    if (ownedSkipped && (item.metadata?.ownerReferences ?? []).length > 0) return;
    if (usesWebIdentity(spec)) refs.push(`${kind}/${namespace}/${item.metadata?.name ?? ''}`);
  };
  for (const item of deployments) add('deployment', item, item.spec?.template.spec);
  for (const item of statefulsets) add('statefulset', item, item.spec?.template.spec);
  for (const item of daemonsets) add('daemonset', item, item.spec?.template.spec);
  for (const item of cronjobs) add('cronjob', item, item.spec?.jobTemplate.spec?.template.spec);
  for (const item of jobs) add('job', item, item.spec?.template.spec, true);
  for (const item of pods) add('pod', item, item.spec, true);
  return { refs, escaped: escapedPods(pods as PodLike[], accounts as AccountLike[]).map((name) => `pod/${namespace}/${name}`) };
}

export const workloadChecks: Check<DoctorContext>[] = [
  {
    id: 'workload.spec',
    category: 'Workloads',
    description: 'the workload\'s wiring',
    requires: ['kube.connect'],
    unavailable: (context) => (context.allWorkloads || (context.workloadRefs && context.workloadRefs.length > 0) ? undefined : 'pass --pod NS/NAME, --workload KIND/NS/NAME, or --all-workloads (with --namespace) to inspect live workloads'),
    async run(context): Promise<CheckResult> {
      const { roleArnFor } = await import('../render/workload.js');
      const expected: Expectations = {
        clientId: context.settings.clientId,
        roleArn: context.settings.isolation === 'bucket' && !context.settings.roleArn ? undefined : roleArnFor({ roleArn: context.settings.roleArn, clientId: context.settings.clientId, region: context.settings.region, isolation: context.settings.isolation }),
        endpoint: context.settings.endpoint,
      };
      const problems: string[] = [];
      const warnings: string[] = [];
      const refs = [...(context.workloadRefs ?? [])];
      if (context.allWorkloads) {
        const { refs: found, escaped } = await discoverWorkloads(context.connection as Connection, context.settings.namespace);
        for (const ref of escaped) warnings.push(`${ref}: its ServiceAccount opts in to the webhook, but the pod has no wiring: the webhook was unreachable when it was created (failurePolicy Ignore), or refused it (static keys, a bad annotation: kubectl showed why); fix that, then delete the pod so its controller recreates it, mutated`);
        if (found.length === 0 && refs.length === 0) {
          if (warnings.length > 0) return { status: 'warn', message: warnings[0] ?? '', details: warnings.slice(1), hint: 'check the webhook: kubectl get pods -n minio-irsa; then delete the escaped pods' };
          return { status: 'warn', message: `no workload in namespace ${context.settings.namespace} uses web identity (AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE)`, hint: 'wire one: minio-irsa inject, or minio-irsa render pod' };
        }
        for (const ref of found) if (!refs.includes(ref)) refs.push(ref);
      }
      for (const raw of refs) {
        const ref = parseWorkloadRef(raw);
        const inspection = inspectPodSpec(await readPodSpec(context.connection as Connection, ref), expected);
        problems.push(...inspection.problems.map((p) => `${raw}: ${p}`));
        warnings.push(...inspection.warnings.map((w) => `${raw}: ${w}`));
      }
      const inspected = `inspected: ${refs.join(', ')}`;
      if (problems.length > 0) return { status: 'fail', message: problems[0] ?? '', details: [...problems.slice(1), ...warnings, inspected], hint: 'compare with minio-irsa render pod (or inject the wiring: minio-irsa inject)' };
      if (warnings.length > 0) return { status: 'warn', message: warnings[0] ?? '', details: [...warnings.slice(1), inspected] };
      return { status: 'ok', message: `${refs.join(', ')}: role ARN, token (audience ${context.settings.clientId}), endpoints and region in place; no static keys` };
    },
  },
];
