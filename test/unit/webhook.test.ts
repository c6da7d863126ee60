import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { deriveRoleArn } from '../../src/minio/arn.js';
import type { InjectionSettings } from '../../src/inject/core.js';
import { BadAdmissionReview, jsonPointer, review, type Lookups } from '../../src/webhook/admission.js';
import { generateCertificates, serviceHosts } from '../../src/webhook/certs.js';
import { createMetrics } from '../../src/webhook/metrics.js';
import { serve } from '../../src/webhook/server.js';
import { select, type Subjects, type WebhookDefaults } from '../../src/webhook/opt-in.js';
import { renderWebhook, renderWebhookUrl, serveArguments } from '../../src/render/webhook.js';

const settings: InjectionSettings = { roleArn: deriveRoleArn('sts.amazonaws.com'), endpoint: 'https://minio.lan:9000', region: 'us-east-1', audience: 'sts.amazonaws.com', tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', tokenExpiration: 3600 };
const defaults: WebhookDefaults = { settings, roleArn: undefined, arnRegion: '', namespaceOptIn: false };
const subjects = (annotations: Record<string, string> | undefined, extra: Partial<Subjects> = {}): Subjects => ({
  serviceAccount: 'web',
  serviceAccountAnnotations: annotations,
  namespaceLabels: {},
  podLabels: {},
  podAnnotations: {},
  ...extra,
});

describe('webhook opt-in', () => {
  it('mutates only for a ServiceAccount that opts in: our annotations or EKS\'s', () => {
    assert.deepEqual(select(subjects({}), defaults), { mutate: false, reason: 'not-opted-in' });
    assert.deepEqual(select(subjects(undefined), defaults), { mutate: false, reason: 'service-account-missing' });
    assert.deepEqual(select(subjects({ 'minio-irsa.io/inject': 'false' }), defaults), { mutate: false, reason: 'not-opted-in' });
    const optIns: Record<string, string>[] = [{ 'minio-irsa.io/inject': 'true' }, { 'minio-irsa.io/audience': 'sts.amazonaws.com' }, { 'minio-irsa.io/role-arn': 'arn:minio:iam:::role/abc' }];
    for (const annotations of optIns) {
      const selection = select(subjects(annotations), defaults);
      assert.ok(selection.mutate && selection.via === 'minio-irsa.io', JSON.stringify(annotations));
    }
    const eks = select(subjects({ 'eks.amazonaws.com/role-arn': 'arn:minio:iam:::role/abc' }), defaults);
    assert.ok(eks.mutate);
    assert.equal(eks.via, 'eks.amazonaws.com');
    assert.equal(eks.settings.roleArn, 'arn:minio:iam:::role/abc');
  });

  it('derives the ARN of the audience a ServiceAccount names, and takes its overrides', () => {
    const selection = select(subjects({ 'minio-irsa.io/audience': 'other-cluster', 'minio-irsa.io/token-expiration': '900', 'minio-irsa.io/endpoint': 'https://s3.lan:443', 'minio-irsa.io/region': 'eu-1' }), { ...defaults, arnRegion: 'eu-1' });
    assert.ok(selection.mutate);
    assert.equal(selection.settings.audience, 'other-cluster');
    assert.equal(selection.settings.roleArn, deriveRoleArn('other-cluster', 'eu-1'));
    assert.equal(selection.settings.tokenExpiration, 900);
    assert.equal(selection.settings.endpoint, 'https://s3.lan');
    assert.equal(selection.settings.region, 'eu-1');
    // A webhook-wide ARN (claim-based roles) serves its own audience only.
    const fixed = { ...defaults, roleArn: 'arn:minio:iam:::role/minio-irsa-claim-based' };
    const own = select(subjects({ 'minio-irsa.io/inject': 'true' }), fixed);
    assert.ok(own.mutate && own.settings.roleArn === fixed.roleArn);
    const other = select(subjects({ 'minio-irsa.io/audience': 'other' }), fixed);
    assert.ok(other.mutate && other.settings.roleArn === deriveRoleArn('other'));
    const eksAudience = select(subjects({ 'eks.amazonaws.com/role-arn': 'arn:minio:iam:::role/x', 'eks.amazonaws.com/audience': 'aud2', 'eks.amazonaws.com/token-expiration': '86400' }), defaults);
    assert.ok(eksAudience.mutate && eksAudience.settings.audience === 'aud2' && eksAudience.settings.tokenExpiration === 86400);
    // A webhook-wide CA ConfigMap applies unless the ServiceAccount names its own.
    const withCa = { ...defaults, settings: { ...settings, caConfigMap: 'minio-ca' } };
    const inherited = select(subjects({ 'minio-irsa.io/inject': 'true' }), withCa);
    assert.ok(inherited.mutate && inherited.settings.caConfigMap === 'minio-ca');
    const ownCa = select(subjects({ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/ca-configmap': 'team-ca' }), withCa);
    assert.ok(ownCa.mutate && ownCa.settings.caConfigMap === 'team-ca');
  });

  it('refuses hostile or invalid annotation values with the reason, instead of injecting them', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/endpoint': 'http://x:9000/$(id)' }, /minio-irsa\.io\/endpoint/],
      [{ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/s3' }, /not a MinIO role ARN/],
      [{ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/token-expiration': '60' }, /600/],
      [{ 'minio-irsa.io/audience': 'a b' }, /minio-irsa\.io\/audience/],
      [{ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/region': 'us\neast' }, /minio-irsa\.io\/region/],
    ];
    for (const [annotations, pattern] of cases) {
      const selection = select(subjects(annotations), defaults);
      assert.equal(selection.mutate, false, JSON.stringify(annotations));
      assert.ok(!selection.mutate && selection.reason === 'invalid-annotation');
      assert.match(!selection.mutate ? (selection.warning ?? '') : '', pattern);
    }
  });

  it('pod and namespace opt-outs win; with --namespace-opt-in only labelled namespaces are mutated', () => {
    const on = { 'minio-irsa.io/inject': 'true' };
    assert.deepEqual(select(subjects(on, { podLabels: { 'minio-irsa.io/webhook': 'disabled' } }), defaults), { mutate: false, reason: 'pod-opted-out' });
    assert.deepEqual(select(subjects(on, { podAnnotations: { 'minio-irsa.io/inject': 'false' } }), defaults), { mutate: false, reason: 'pod-opted-out' });
    assert.deepEqual(select(subjects(on, { namespaceLabels: { 'minio-irsa.io/webhook': 'disabled' } }), defaults), { mutate: false, reason: 'namespace-opted-out' });
    const optIn = { ...defaults, namespaceOptIn: true };
    assert.deepEqual(select(subjects(on), optIn), { mutate: false, reason: 'namespace-not-opted-in' });
    assert.deepEqual(select(subjects(on, { namespaceLabels: undefined }), optIn), { mutate: false, reason: 'namespace-not-opted-in' });
    assert.equal(select(subjects(on, { namespaceLabels: { 'minio-irsa.io/webhook': 'enabled' } }), optIn).mutate, true);
  });
});

const lookups = (annotations: Record<string, string> | undefined): Lookups => ({
  serviceAccountAnnotations: async () => annotations,
  namespaceLabels: () => ({}),
});
const admissionReview = (object: unknown, overrides: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'apps', object, ...overrides },
});
const POD = { metadata: { name: 'p', namespace: 'apps' }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'x', env: [{ name: 'A', value: '1' }] }] } };
const decoded = (patch: string | undefined): { op: string; path: string; value: unknown }[] => JSON.parse(Buffer.from(patch ?? '', 'base64').toString('utf8')) as { op: string; path: string; value: unknown }[];

describe('webhook admission', () => {
  it('answers with the uid and a base64 JSON Patch of the inject core\'s operations under /spec', async () => {
    const { out, outcome } = await review(admissionReview(POD), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    assert.equal(out.response.uid, 'u-1');
    assert.equal(out.response.allowed, true);
    assert.equal(out.response.patchType, 'JSONPatch');
    const patch = decoded(out.response.patch);
    assert.deepEqual(patch.map((op) => `${op.op} ${op.path}`), ['add /spec/volumes', ...Array(5).fill('add /spec/containers/0/env/-'), 'add /spec/containers/0/volumeMounts']);
    assert.deepEqual(patch[1]?.value, { name: 'AWS_ROLE_ARN', value: settings.roleArn });
    assert.equal(outcome.result, 'mutated');
    assert.equal(outcome.operations, 7);
  });

  it('an injected pod (a reinvocation) gets no patch; a pod of a ServiceAccount that did not opt in neither', async () => {
    const first = await review(admissionReview(POD), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    // Apply the patch by hand (adds only) and review the result again.
    const injected = structuredClone(POD) as unknown as Record<string, unknown>;
    for (const op of decoded(first.out.response.patch)) {
      const parts = op.path.split('/').slice(1);
      const last = parts.pop() ?? '';
      let target: unknown = injected;
      for (const part of parts) target = (target as Record<string, unknown>)[part];
      if (last === '-') (target as unknown[]).push(op.value);
      else (target as Record<string, unknown>)[last] = op.value;
    }
    const again = await review(admissionReview(injected), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    assert.equal(again.out.response.patch, undefined);
    assert.equal(again.outcome.reason, 'already-injected');
    const plain = await review(admissionReview(POD), defaults, lookups({}));
    assert.equal(plain.out.response.patch, undefined);
    assert.equal(plain.outcome.reason, 'not-opted-in');
  });

  it('static keys: allowed as is, with a warning, unless the ServiceAccount allows them', async () => {
    const keyed = { ...POD, spec: { ...POD.spec, containers: [{ name: 'app', env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 's' }] }] } };
    const refused = await review(admissionReview(keyed), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    assert.equal(refused.out.response.patch, undefined);
    assert.match(refused.out.response.warnings?.[0] ?? '', /container app sets static keys/);
    const allowed = await review(admissionReview(keyed), defaults, lookups({ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/allow-static-keys': 'true' }));
    assert.ok(allowed.out.response.patch);
  });

  it('a pod spec that is not what the API reads (posted by hand): allowed as it is, with the reason; never a failure', async () => {
    const on = lookups({ 'minio-irsa.io/inject': 'true' });
    const malformed = await review(admissionReview({ ...POD, spec: { volumes: {}, containers: [{ name: 'b', env: 'A=1' }] } }), defaults, on);
    assert.equal(malformed.out.response.patch, undefined);
    assert.deepEqual([malformed.outcome.result, malformed.outcome.reason], ['invalid', 'malformed']);
    assert.equal(malformed.out.response.warnings?.[0], "minio-irsa: the pod spec's volumes is not a list, containers[0].env is not a list; pod not injected");
    // Names and annotations that are not strings, with members named like JavaScript's own.
    const odd = { metadata: { name: 'p', annotations: { 'minio-irsa.io/skip-containers': { toString: 1 } } }, spec: { containers: [{ name: { toString: 'x' }, image: { valueOf: 1 }, env: [{ name: { toString: 2 } }] }] } };
    const mutated = await review(admissionReview(odd), defaults, on);
    assert.equal(mutated.outcome.result, 'mutated');
  });

  it('defaults the ServiceAccount to "default", names generated pods, and leaves other kinds and operations alone', async () => {
    let asked = '';
    const spy: Lookups = { serviceAccountAnnotations: async (namespace, name) => ((asked = `${namespace}/${name}`), undefined), namespaceLabels: () => undefined };
    const generated = await review(admissionReview({ metadata: { generateName: 'web-7d9-' }, spec: { containers: [] } }), defaults, spy);
    assert.equal(asked, 'apps/default');
    assert.equal(generated.outcome.pod, 'web-7d9-*');
    assert.equal((await review(admissionReview(POD, { operation: 'UPDATE' }), defaults, spy)).outcome.reason, 'not-a-pod');
    assert.equal((await review(admissionReview(POD, { kind: { kind: 'Deployment' } }), defaults, spy)).outcome.reason, 'not-a-pod');
  });

  it('rejects what is not an AdmissionReview v1 with a request and a uid', async () => {
    for (const body of [null, [], { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, admissionReview(POD, { uid: '' }), admissionReview(POD, { uid: 'x'.repeat(200) })]) {
      await assert.rejects(review(body, defaults, lookups({})), BadAdmissionReview, JSON.stringify(body).slice(0, 80));
    }
  });

  it('the edges of a review: exact limits, names, ServiceAccounts, labels, results', async () => {
    const on = lookups({ 'minio-irsa.io/inject': 'true' });
    assert.equal((await review(admissionReview(POD, { uid: 'u'.repeat(128) }), defaults, on)).out.response.uid, 'u'.repeat(128));
    await assert.rejects(review({ ...admissionReview(POD), kind: 'Other' }, defaults, on), BadAdmissionReview);
    await assert.rejects(review({ ...admissionReview(POD), apiVersion: 'v1' }, defaults, on), BadAdmissionReview);
    assert.equal((await review(admissionReview(POD), defaults, on)).outcome.pod, 'p');
    assert.equal((await review(admissionReview({ ...POD, metadata: { name: '', generateName: 'g-' } }), defaults, on)).outcome.pod, 'g-*');
    assert.equal((await review(admissionReview({ ...POD, metadata: { name: 5 } }), defaults, on)).outcome.pod, '*');
    let asked = '';
    await review(admissionReview(POD), defaults, { serviceAccountAnnotations: async (namespace, name) => ((asked = `${namespace}/${name}`), undefined), namespaceLabels: () => undefined });
    assert.equal(asked, 'apps/web');
    const optedOut = await review(admissionReview({ ...POD, metadata: { name: 'p', labels: { 'minio-irsa.io/webhook': 'disabled', other: 5 } } }), defaults, on);
    assert.equal(optedOut.outcome.reason, 'pod-opted-out');
    assert.equal(optedOut.outcome.result, 'skipped');
    const invalid = await review(admissionReview(POD), defaults, lookups({ 'minio-irsa.io/inject': 'true', 'minio-irsa.io/region': 'a b' }));
    assert.equal(invalid.outcome.result, 'invalid');
    assert.equal(invalid.out.response.allowed, true);
    assert.match(invalid.out.response.warnings?.[0] ?? '', /^minio-irsa: annotation minio-irsa\.io\/region on the ServiceAccount: .*; pod not injected$/);
    assert.equal((await review(admissionReview(POD), defaults, lookups({}))).outcome.result, 'skipped');
  });

  it('escapes JSON Pointer segments (RFC 6901)', () => {
    assert.equal(jsonPointer(['spec', 'a/b', 'c~d', 0, '-']), '/spec/a~1b/c~0d/0/-');
  });

  it('caps warnings at the apiserver\'s limit', async () => {
    const spec = { containers: [{ name: 'c'.repeat(300), env: [{ name: 'AWS_REGION', value: 'x' }] }] };
    const { out } = await review(admissionReview({ metadata: { name: 'p' }, spec }), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    assert.ok((out.response.warnings?.[0]?.length ?? 0) <= 250);
    assert.match(out.response.warnings?.[0] ?? '', /\.\.\.$/);
    // A warning of exactly 250 characters is kept whole.
    const name = 'c'.repeat(250 - 'minio-irsa: container : AWS_REGION kept as the manifest sets it'.length);
    const exact = await review(admissionReview({ metadata: { name: 'p' }, spec: { containers: [{ name, env: [{ name: 'AWS_REGION', value: 'x' }] }] } }), defaults, lookups({ 'minio-irsa.io/inject': 'true' }));
    assert.equal(exact.out.response.warnings?.[0], `minio-irsa: container ${name}: AWS_REGION kept as the manifest sets it`);
    assert.equal(exact.out.response.warnings?.[0]?.length, 250);
  });
});

describe('webhook certificates and manifests', () => {
  it('a serving certificate for the Service names (and extra hosts), signed by the CA, not a CA itself', async () => {
    const hosts = serviceHosts('hook', 'ns', ['127.0.0.1']);
    assert.deepEqual(hosts, ['hook.ns.svc', 'hook.ns.svc.cluster.local', 'hook.ns', 'hook', '127.0.0.1']);
    const certs = await generateCertificates(hosts, 30, new Date('2026-01-01T00:00:00Z'));
    const leaf = new X509Certificate(certs.certPem);
    const ca = new X509Certificate(certs.caPem);
    assert.ok(leaf.verify(ca.publicKey));
    assert.equal(leaf.ca, false);
    assert.equal(ca.ca, true);
    assert.equal(leaf.checkHost('hook.ns.svc'), 'hook.ns.svc');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkHost('other.ns.svc'), undefined);
    assert.equal(new Date(leaf.validTo).toISOString().slice(0, 10), '2026-01-31');
    assert.match(certs.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.notEqual((await generateCertificates(hosts, 30)).caPem, certs.caPem);
  });

  it('the Deployment runs serve with the settings it was rendered with; Fail and cert-manager on request', () => {
    const server = { settings: { ...settings, region: 'eu-1' }, roleArn: undefined, isolation: 'prefix', namespaceOptIn: true };
    assert.deepEqual(serveArguments(server), ['webhook', 'serve', '--tls-cert-file', '/etc/minio-irsa/webhook/tls.crt', '--tls-key-file', '/etc/minio-irsa/webhook/tls.key', '--endpoint', 'https://minio.lan:9000', '--client-id', 'sts.amazonaws.com', '--token-path', settings.tokenPath, '--token-expiration', '3600', '--isolation', 'prefix', '--region', 'eu-1', '--namespace-opt-in']);
    const text = renderWebhook({ name: 'hook', namespace: 'ns', image: 'img:1', replicas: 2, failurePolicy: 'Fail', timeoutSeconds: 5, server, tls: { kind: 'cert-manager' } });
    const docs = parseAllDocuments(text).map((doc) => doc.toJS() as { kind: string; metadata: { annotations?: Record<string, string> }; webhooks?: { failurePolicy: string; namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] }; clientConfig: Record<string, unknown> }[] });
    assert.deepEqual(docs.map((doc) => doc.kind), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Issuer', 'Certificate', 'Service', 'Deployment', 'PodDisruptionBudget', 'MutatingWebhookConfiguration']);
    const config = docs.at(-1);
    assert.equal(config?.metadata.annotations?.['cert-manager.io/inject-ca-from'], 'ns/hook');
    assert.equal(config?.webhooks?.[0]?.failurePolicy, 'Fail');
    assert.equal(config?.webhooks?.[0]?.clientConfig['caBundle'], undefined);
    assert.deepEqual(config?.webhooks?.[0]?.namespaceSelector.matchExpressions[1], { key: 'minio-irsa.io/webhook', operator: 'In', values: ['enabled'] });
  });

  it('the Deployment is hardened and scraped, its TLS mount read-only; the header says how to opt in and how to rotate', () => {
    const server = { settings, roleArn: undefined, isolation: 'bucket', namespaceOptIn: false };
    const generated = renderWebhook({ name: 'h', namespace: 'n', image: 'i:1', replicas: 2, failurePolicy: 'Ignore', timeoutSeconds: 5, server, tls: { kind: 'generated', caPem: 'CA', certPem: 'C', keyPem: 'K' } });
    assert.match(generated, /^# minio-irsa webhook: mutates pods whose ServiceAccount opts in \(minio-irsa\.io\/role-arn, minio-irsa\.io\/audience,\n# minio-irsa\.io\/inject: "true", or eks\.amazonaws\.com\/role-arn\)\. failurePolicy Ignore\.\n# Serving certificate valid for h\.n\.svc; re-run and apply to rotate it\.\n/);
    const withCertManager = renderWebhook({ name: 'h', namespace: 'n', image: 'i:1', replicas: 2, failurePolicy: 'Ignore', timeoutSeconds: 5, server, tls: { kind: 'cert-manager' } });
    assert.doesNotMatch(withCertManager, /re-run and apply to rotate/);
    const deployment = parseAllDocuments(generated).map((doc) => doc.toJS() as { kind: string; spec?: { template?: { metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown>; volumeMounts: { readOnly: boolean }[] }[] } } } }).find((doc) => doc.kind === 'Deployment');
    const template = deployment?.spec?.template;
    assert.deepEqual(template?.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' });
    assert.equal(template?.metadata.labels['minio-irsa.io/webhook'], 'disabled', 'the webhook never mutates itself');
    assert.deepEqual(template?.spec.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(template?.spec.containers[0]?.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.equal(template?.spec.containers[0]?.volumeMounts[0]?.readOnly, true);
  });

  it('--url renders the configuration alone, pointing at the URL with the caBundle', () => {
    const text = renderWebhookUrl({ name: 'hook', url: 'https://127.0.0.1:8443/mutate', caPem: 'PEM', failurePolicy: 'Ignore', timeoutSeconds: 3, namespaceOptIn: false, excludedNamespaces: ['kube-system'] });
    const docs = parseAllDocuments(text).map((doc) => doc.toJS() as { kind: string; webhooks: { clientConfig: { url: string; caBundle: string }; timeoutSeconds: number }[] });
    assert.equal(docs.length, 1);
    assert.deepEqual(docs[0]?.webhooks[0]?.clientConfig, { url: 'https://127.0.0.1:8443/mutate', caBundle: Buffer.from('PEM').toString('base64') });
    assert.equal(docs[0]?.webhooks[0]?.timeoutSeconds, 3);
  });
});

describe('the webhook image', () => {
  it('pins an exact Node that package.json engines accepts, runs as the uid the Deployment demands, and serves by default', async () => {
    const { readFileSync } = await import('node:fs');
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const engines = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
    const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(engines);
    assert.ok(minimum, `engines.node is ${engines}`);
    // Both stages build FROM the NODE_IMAGE build argument; its default is the pinned release.
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? '';
    const images = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => (match[1] === '${NODE_IMAGE}' ? base : (match[1] ?? '')));
    assert.equal(images.length, 2);
    for (const image of images) {
      const version = /^node:(\d+)\.(\d+)\.(\d+)-alpine$/.exec(image);
      assert.ok(version, `${image} is not pinned to an exact Node release`);
      const [major, minor] = [Number(version[1]), Number(version[2])];
      assert.ok(major > Number(minimum[1]) || (major === Number(minimum[1]) && minor >= Number(minimum[2])), `${image} is older than engines ${engines}`);
    }
    assert.match(dockerfile, /^USER 65532:65532$/m);
    const server = { settings, roleArn: undefined, isolation: 'prefix', namespaceOptIn: false };
    const docs = parseAllDocuments(renderWebhook({ name: 'h', namespace: 'n', image: 'i:1', replicas: 2, failurePolicy: 'Ignore', timeoutSeconds: 5, server, tls: { kind: 'cert-manager' } })).map((doc) => doc.toJS() as { kind: string; spec?: { template?: { spec: { securityContext: { runAsUser: number }; containers: { args: string[] }[] } } } });
    const pod = docs.find((doc) => doc.kind === 'Deployment')?.spec?.template?.spec;
    assert.equal(pod?.securityContext.runAsUser, 65532);
    assert.deepEqual(pod?.containers[0]?.args.slice(0, 2), ['webhook', 'serve']);
    assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/bin\/minio-irsa\.js"\]$/m);
  });
});

describe('webhook server: slow clients', () => {
  it('a request still arriving after its time is cut off; an idle kept-alive connection is not', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-timeout-'));
    const certs = await generateCertificates(['localhost'], 1);
    writeFileSync(join(dir, 'tls.crt'), certs.certPem);
    writeFileSync(join(dir, 'tls.key'), certs.keyPem);
    const running = await serve({
      address: '127.0.0.1', port: 0, metricsAddress: '127.0.0.1', metricsPort: 0, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'),
      defaults, lookups: { ...lookups({}), synced: true }, metrics: await createMetrics(), shutdownDelayMs: 0, drainMs: 100, requestTimeoutMs: 800,
    });
    const connect = () => tlsConnect({ host: '127.0.0.1', port: running.port, rejectUnauthorized: false });
    try {
      // Headers, then a body that never comes in full.
      const slow = connect();
      const started = Date.now();
      slow.write(`POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion"`);
      const reply = await new Promise<string>((resolve) => {
        let text = '';
        slow.on('data', (chunk: Buffer) => (text += chunk.toString()));
        slow.on('close', () => resolve(text));
      });
      const waited = Date.now() - started;
      assert.ok(waited >= 700 && waited < 5000, `cut off after ${waited} ms`);
      assert.match(reply, /^HTTP\/1\.1 408 /);
      // A connection that is idle longer than that between two requests is still served.
      const idle = connect();
      const health = () => new Promise<string>((resolve) => {
        idle.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      assert.match(await health(), /^HTTP\/1\.1 200 /);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.match(await health(), /^HTTP\/1\.1 200 /);
      idle.destroy();
    } finally {
      await running.shutdown();
    }
  });
});
