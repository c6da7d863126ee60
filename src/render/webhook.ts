import { yamlBlock } from './template.js';
import { WEBHOOK_DISABLED, WEBHOOK_ENABLED, WEBHOOK_LABEL } from '../webhook/opt-in.js';
import type { InjectionSettings } from '../inject/core.js';

// Everything `webhook serve` needs in a cluster, as manifests: its Namespace, RBAC to watch
// ServiceAccounts and namespaces, the serving certificate (generated, or cert-manager's),
// a Deployment hardened the way a cluster admin expects (non-root, read-only root FS, no
// capabilities, limits, 2 replicas spread over nodes, a PodDisruptionBudget), its Service,
// and the MutatingWebhookConfiguration. Or, with a URL, only the configuration (a webhook
// run outside the cluster).

export type FailurePolicy = 'Ignore' | 'Fail';

export interface WebhookServer {
  settings: InjectionSettings;
  /** Set for the whole webhook (claim-based roles, or a fixed ARN); else derived per audience. */
  roleArn: string | undefined;
  isolation: string;
  namespaceOptIn: boolean;
}

export interface WebhookRender {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  failurePolicy: FailurePolicy;
  timeoutSeconds: number;
  server: WebhookServer;
  tls: { kind: 'generated'; caPem: string; certPem: string; keyPem: string } | { kind: 'cert-manager' };
}

export interface WebhookUrlRender {
  name: string;
  url: string;
  caPem: string;
  failurePolicy: FailurePolicy;
  timeoutSeconds: number;
  namespaceOptIn: boolean;
  /** Namespaces the webhook never sees. */
  excludedNamespaces: string[];
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'minio-irsa' };
const TLS_DIR = '/etc/minio-irsa/webhook';
const ADMISSION_PORT = 8443;
const METRICS_PORT = 9090;

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function documents(header: string, objects: readonly object[]): string {
  return `${header}\n${objects.map((object) => `${yamlBlock(object, 0)}\n`).join('---\n')}`;
}

function configuration(options: { name: string; failurePolicy: FailurePolicy; timeoutSeconds: number; namespaceOptIn: boolean; excludedNamespaces: string[]; clientConfig: object; annotations?: Record<string, string> }): object {
  const namespaceSelector = {
    matchExpressions: [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: options.excludedNamespaces },
      options.namespaceOptIn ? { key: WEBHOOK_LABEL, operator: 'In', values: [WEBHOOK_ENABLED] } : { key: WEBHOOK_LABEL, operator: 'NotIn', values: [WEBHOOK_DISABLED] },
    ],
  };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: options.name, labels: MANAGED, ...(options.annotations ? { annotations: options.annotations } : {}) },
    webhooks: [
      {
        name: 'pods.webhook.minio-irsa.io',
        admissionReviewVersions: ['v1'],
        clientConfig: options.clientConfig,
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        failurePolicy: options.failurePolicy,
        matchPolicy: 'Equivalent',
        sideEffects: 'None',
        timeoutSeconds: options.timeoutSeconds,
        // Another webhook may add a container after us: run again so it gets the token too.
        reinvocationPolicy: 'IfNeeded',
        namespaceSelector,
        objectSelector: { matchExpressions: [{ key: WEBHOOK_LABEL, operator: 'NotIn', values: [WEBHOOK_DISABLED] }] },
      },
    ],
  };
}

export function serveArguments(server: WebhookServer): string[] {
  const s = server.settings;
  const args = ['webhook', 'serve', '--tls-cert-file', `${TLS_DIR}/tls.crt`, '--tls-key-file', `${TLS_DIR}/tls.key`, '--endpoint', s.endpoint, '--client-id', s.audience, '--token-path', s.tokenPath, '--token-expiration', String(s.tokenExpiration), '--isolation', server.isolation];
  if (s.region) args.push('--region', s.region);
  if (s.caConfigMap) args.push('--ca-configmap', s.caConfigMap);
  if (server.roleArn) args.push('--role-arn', server.roleArn);
  if (server.namespaceOptIn) args.push('--namespace-opt-in');
  return args;
}

export function renderWebhook(options: WebhookRender): string {
  const { name, namespace } = options;
  const labels = { 'app.kubernetes.io/name': name, ...MANAGED };
  const selector = { 'app.kubernetes.io/name': name };
  const secretName = `${name}-tls`;
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...MANAGED, [WEBHOOK_LABEL]: WEBHOOK_DISABLED } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ];
  if (options.tls.kind === 'generated') {
    objects.push({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: secretName, namespace, labels }, data: { 'tls.crt': base64(options.tls.certPem), 'tls.key': base64(options.tls.keyPem), 'ca.crt': base64(options.tls.caPem) } });
  } else {
    objects.push(
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace, labels }, spec: { selfSigned: {} } },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name, namespace, labels },
        spec: { secretName, dnsNames: [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`], issuerRef: { name, kind: 'Issuer' }, privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' } },
      },
    );
  }
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { selector, ports: [{ name: 'https', port: 443, targetPort: 'https' }, { name: 'metrics', port: METRICS_PORT, targetPort: 'metrics' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, [WEBHOOK_LABEL]: WEBHOOK_DISABLED }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT) } },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }],
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'webhook',
                image: options.image,
                args: serveArguments(options.server),
                ports: [{ name: 'https', containerPort: ADMISSION_PORT }, { name: 'metrics', containerPort: METRICS_PORT }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName } }],
          },
        },
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace, labels }, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
    configuration({
      name,
      failurePolicy: options.failurePolicy,
      timeoutSeconds: options.timeoutSeconds,
      namespaceOptIn: options.server.namespaceOptIn,
      excludedNamespaces: ['kube-system', namespace],
      clientConfig: { service: { name, namespace, path: '/mutate', port: 443 }, ...(options.tls.kind === 'generated' ? { caBundle: base64(options.tls.caPem) } : {}) },
      ...(options.tls.kind === 'cert-manager' ? { annotations: { 'cert-manager.io/inject-ca-from': `${namespace}/${name}` } } : {}),
    }),
  );
  const header = `# minio-irsa webhook: mutates pods whose ServiceAccount opts in (minio-irsa.io/role-arn, minio-irsa.io/audience,
# minio-irsa.io/inject: "true", or eks.amazonaws.com/role-arn). failurePolicy ${options.failurePolicy}.${options.tls.kind === 'generated' ? `
# Serving certificate valid for ${name}.${namespace}.svc; re-run and apply to rotate it.` : ''}`;
  return documents(header, objects);
}

export function renderWebhookUrl(options: WebhookUrlRender): string {
  return documents(
    '# minio-irsa webhook served outside the cluster (clientConfig.url)',
    [
      configuration({
        name: options.name,
        failurePolicy: options.failurePolicy,
        timeoutSeconds: options.timeoutSeconds,
        namespaceOptIn: options.namespaceOptIn,
        excludedNamespaces: options.excludedNamespaces,
        clientConfig: { url: options.url, caBundle: base64(options.caPem) },
      }),
    ],
  );
}
