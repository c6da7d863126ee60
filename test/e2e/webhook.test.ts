import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { runAws } from '../helpers/aws.js';
import { BIN, runCli } from '../helpers/cli.js';
import { configureHealthy } from '../helpers/healthy.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { Rig } from '../rig/index.js';
import { ManagedProcess } from '../rig/process.js';

// The webhook against the real kube-apiserver: registered by URL with its caBundle on
// loopback, called by the apiserver for every pod created with kubectl. Pods come back as
// `inject` would have written them, and their variables alone get the aws CLI into MinIO.

interface EnvVar {
  name: string;
  value?: string;
}
interface LivePod {
  metadata: { annotations?: Record<string, string> };
  spec: {
    containers: { name: string; env?: EnvVar[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    volumes?: { name: string; projected?: { sources: { serviceAccountToken?: Record<string, unknown> }[] } }[];
  };
}

const pod = (name: string, serviceAccount: string, extra = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: apps\n${extra}spec:\n  serviceAccountName: ${serviceAccount}\n  containers:\n    - {name: app, image: amazon/aws-cli}\n`;

const tokenVolume = (live: LivePod) => live.spec.volumes?.find((volume) => volume.name === 'minio-irsa-token');
/** A value deep in parsed YAML, or undefined. */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  return current;
}
const envOf = (live: LivePod, container = 0) => Object.fromEntries((live.spec.containers[container]?.env ?? []).map((item) => [item.name, item.value ?? '']));

describe('webhook serve, called by the real apiserver', () => {
  let rig: Rig;
  let work: string;
  let certs: string;
  let webhook: ManagedProcess;
  let port = 0;
  let metricsPort = 0;

  const startWebhook = async (): Promise<void> => {
    webhook.start(process.execPath, [BIN, '-c', join(work, 'minio-irsa.yaml'), 'webhook', 'serve', '--address', '127.0.0.1', '--port', String(port), '--metrics-address', '127.0.0.1', '--metrics-port', '0', '--tls-cert-file', join(certs, 'tls.crt'), '--tls-key-file', join(certs, 'tls.key'), '--shutdown-delay', '0'], { NO_COLOR: '1' });
    const match = await webhook.waitForLog(/"msg":"listening".*"port":(\d+),"metricsPort":(\d+)/, 30_000);
    port = Number(match[1]);
    metricsPort = Number(match[2]);
  };
  const register = async (failurePolicy: 'Ignore' | 'Fail'): Promise<void> => {
    const rendered = await runCli(['render', 'webhook', '--url', `https://127.0.0.1:${port}/mutate`, '--ca-file', join(certs, 'ca.crt'), '--failure-policy', failurePolicy], { cwd: work });
    assert.equal(rendered.code, 0, rendered.stderr);
    const applied = await rig.kubectl(['apply', '--validate=strict', '-f', '-'], rendered.stdout);
    assert.equal(applied.code, 0, applied.stderr);
  };
  const create = async (manifest: string) => rig.kubectl(['apply', '-f', '-'], manifest);
  const live = async (name: string): Promise<LivePod> => {
    const got = await rig.kubectl(['get', 'pod', '-n', 'apps', name, '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    return JSON.parse(got.stdout) as LivePod;
  };

  before(async () => {
    rig = await Rig.start();
    ({ work } = await configureHealthy(rig));
    certs = join(work, 'webhook-certs');
    const made = await runCli(['webhook', 'certs', '--out-dir', certs, '--host', '127.0.0.1'], { cwd: work });
    assert.equal(made.code, 0, made.stderr);
    webhook = new ManagedProcess('webhook', join(rig.dir, 'webhook.log'));
    await startWebhook();
    await register('Ignore');
    const annotated = await rig.kubectl(['annotate', 'serviceaccount', '-n', 'apps', 'web', 'minio-irsa.io/inject=true']);
    assert.equal(annotated.code, 0, annotated.stderr);
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => {
    await webhook?.stop();
    await rig?.stop();
  });

  it('a pod of an opted-in ServiceAccount comes back exactly as inject writes it, and its variables alone get the aws CLI into MinIO', async () => {
    const manifest = pod('mutated', 'web');
    const created = await create(manifest);
    assert.equal(created.code, 0, created.stderr);
    const got = await live('mutated');
    const injected = await runCli(['inject'], { cwd: work, input: manifest });
    assert.equal(injected.code, 0, injected.stderr);
    const expected = parse(injected.stdout) as LivePod;
    assert.deepEqual(got.spec.containers[0]?.env, expected.spec.containers[0]?.env);
    assert.deepEqual(
      got.spec.containers[0]?.volumeMounts?.filter((mount) => mount.name === 'minio-irsa-token'),
      expected.spec.containers[0]?.volumeMounts,
    );
    assert.deepEqual(tokenVolume(got)?.projected?.sources, tokenVolume(expected)?.projected?.sources);

    const env = envOf(got);
    const audience = String(tokenVolume(got)?.projected?.sources[0]?.serviceAccountToken?.['audience']);
    const tokenFile = join(work, 'webhook-pod-token');
    writeFileSync(tokenFile, await rig.cluster.requestToken('apps', 'web', audience, 600), { mode: 0o600 });
    const file = join(work, 'from-webhook.txt');
    writeFileSync(file, 'mutated by the webhook\n');
    const put = await runAws(rig.binaries.aws, ['s3', 'cp', file, 's3://apps-web/from-webhook.txt'], { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile });
    assert.equal(put.code, 0, put.stderr);
  });

  it('leaves alone: an opted-out pod, a skipped container, a variable the user set (with a warning kubectl prints), a ServiceAccount that did not opt in', async () => {
    const optedOut = await create(pod('opted-out', 'web', '  annotations: {minio-irsa.io/inject: "false"}\n'));
    assert.equal(optedOut.code, 0, optedOut.stderr);
    assert.equal(tokenVolume(await live('opted-out')), undefined);

    const twoContainers = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: sidecar\n  namespace: apps\n  annotations: {minio-irsa.io/skip-containers: proxy}\nspec:\n  serviceAccountName: web\n  containers:\n    - {name: app, image: amazon/aws-cli, env: [{name: AWS_REGION, value: eu-west-3}]}\n    - {name: proxy, image: envoyproxy/envoy}\n`;
    const sidecar = await create(twoContainers);
    assert.equal(sidecar.code, 0, sidecar.stderr);
    assert.match(sidecar.stderr, /Warning: minio-irsa: container app: AWS_REGION kept as the manifest sets it/);
    const got = await live('sidecar');
    assert.equal(envOf(got, 0)['AWS_REGION'], 'eu-west-3');
    assert.ok(envOf(got, 0)['AWS_ROLE_ARN']);
    assert.deepEqual(envOf(got, 1), {});
    assert.equal(got.spec.containers[1]?.volumeMounts?.some((mount) => mount.name === 'minio-irsa-token') ?? false, false);

    await rig.cluster.createServiceAccount('apps', 'plain');
    const plain = await create(pod('plain', 'plain'));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(tokenVolume(await live('plain')), undefined);
  });

  it('a ServiceAccount with eks.amazonaws.com/role-arn (as Helm charts expose it), created in the same apply as its pod, gets that ARN', async () => {
    const arn = envOf(await live('mutated'))['AWS_ROLE_ARN'] ?? '';
    assert.match(arn, /^arn:minio:iam:/);
    const both = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: charted\n  namespace: apps\n  annotations:\n    eks.amazonaws.com/role-arn: "${arn}"\n    eks.amazonaws.com/token-expiration: "7200"\n---\n${pod('charted', 'charted')}`;
    const created = await create(both);
    assert.equal(created.code, 0, created.stderr);
    const got = await live('charted');
    assert.equal(envOf(got)['AWS_ROLE_ARN'], arn);
    assert.equal(tokenVolume(got)?.projected?.sources[0]?.serviceAccountToken?.['expirationSeconds'], 7200);
  });

  it('a ServiceAccount naming a CA ConfigMap: its pods mount MinIO\'s CA and point AWS_CA_BUNDLE at it', async () => {
    const both = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: private-ca\n  namespace: apps\n  annotations:\n    minio-irsa.io/inject: "true"\n    minio-irsa.io/ca-configmap: minio-ca\n---\n${pod('private-ca', 'private-ca')}`;
    const created = await create(both);
    assert.equal(created.code, 0, created.stderr);
    const got = await live('private-ca');
    const volume = got.spec.volumes?.find((item) => item.name === 'minio-irsa-ca') as { configMap?: { name: string } } | undefined;
    assert.equal(volume?.configMap?.name, 'minio-ca');
    assert.equal(envOf(got)['AWS_CA_BUNDLE'], '/etc/minio-irsa/ca/ca.crt');
    assert.ok(got.spec.containers[0]?.volumeMounts?.some((mount) => mount.name === 'minio-irsa-ca' && mount.mountPath === '/etc/minio-irsa/ca' && mount.readOnly === true));
  });

  it('a pod with static keys is not injected, and kubectl says why; a hostile annotation is refused, not injected', async () => {
    const keyed = `apiVersion: v1\nkind: Pod\nmetadata: {name: keyed, namespace: apps}\nspec:\n  serviceAccountName: web\n  containers:\n    - {name: app, image: amazon/aws-cli, env: [{name: AWS_ACCESS_KEY_ID, value: AKIA}]}\n`;
    const created = await create(keyed);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Warning: minio-irsa: container app sets static keys/);
    assert.equal(tokenVolume(await live('keyed')), undefined);

    const hostile = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: hostile\n  namespace: apps\n  annotations:\n    minio-irsa.io/inject: "true"\n    minio-irsa.io/endpoint: "http://evil.example:9000/$(id)"\n---\n${pod('hostile', 'hostile')}`;
    const refused = await create(hostile);
    assert.equal(refused.code, 0, refused.stderr);
    assert.match(refused.stderr, /Warning: minio-irsa: annotation minio-irsa\.io\/endpoint on the ServiceAccount: .* pod not injected/);
    assert.equal(tokenVolume(await live('hostile')), undefined);
  });

  it('health, readiness and Prometheus metrics count what happened', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const mutated = /minio_irsa_webhook_admissions_total\{result="mutated",reason="none"\} (\d+)/.exec(metrics);
    assert.ok(mutated && Number(mutated[1]) >= 3, metrics.slice(0, 2000));
    assert.match(metrics, /minio_irsa_webhook_admissions_total\{result="skipped",reason="static-keys"\} 1/);
    assert.match(metrics, /minio_irsa_webhook_admissions_total\{result="invalid",reason="invalid-annotation"\} 1/);
    assert.match(metrics, /minio_irsa_webhook_admission_duration_seconds_bucket/);
    assert.match(webhook.currentLog(), /"msg":"admission".*"pod":"mutated".*"result":"mutated"/);
  });

  it('down: with failurePolicy Ignore pods are created unmutated; with Fail their creation is refused; SIGTERM stops it cleanly', async () => {
    await webhook.stop();
    assert.match(webhook.log(), /"msg":"stopped"/);
    assert.match(webhook.log(), /exited code=0/);
    const ignored = await create(pod('while-down', 'web'));
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.equal(tokenVolume(await live('while-down')), undefined);
    // doctor finds the pod that escaped the webhook.
    const doctor = await runCli(['doctor', '--category', 'Workloads', '--all-workloads', '--namespace', 'apps', '-o', 'json'], { cwd: work });
    const report = JSON.parse(doctor.stdout) as { categories: { checks: { id: string; result: string; message: string; details: string[] }[] }[] };
    const check = report.categories.flatMap((category) => category.checks).find((item) => item.id === 'workload.spec');
    assert.match([check?.message, ...(check?.details ?? [])].join('\n'), /pod\/apps\/while-down: its ServiceAccount opts in to the webhook, but the pod has no wiring/);

    await register('Fail');
    const refused = await create(pod('refused', 'web'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /failed calling webhook "pods\.webhook\.minio-irsa\.io"/);

    await startWebhook();
    const back = await create(pod('back', 'web'));
    assert.equal(back.code, 0, back.stderr);
    assert.ok(tokenVolume(await live('back')));
  });
});

describe('render webhook, against the real apiserver', () => {
  let rig: Rig;
  before(async () => {
    rig = await Rig.start({ minio: false });
    await rig.cluster.createNamespace('minio-irsa');
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('its manifests pass a strict server-side dry run, and its certificate is valid for the Service and signed by the caBundle', async () => {
    const rendered = await runCli(['render', 'webhook', '--endpoint', 'https://minio.example.com:9000', '--image', 'registry.example.com/minio-irsa:0.1.0']);
    assert.equal(rendered.code, 0, rendered.stderr);
    const applied = await rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], rendered.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    for (const object of ['deployment.apps/minio-irsa-webhook', 'poddisruptionbudget.policy/minio-irsa-webhook', 'mutatingwebhookconfiguration.admissionregistration.k8s.io/minio-irsa-webhook', 'secret/minio-irsa-webhook-tls', 'clusterrole.rbac.authorization.k8s.io/minio-irsa-webhook']) {
      assert.match(applied.stdout, new RegExp(`${object.replaceAll('.', '\\.')} (created|configured) \\(server dry run\\)`));
    }
    const docs = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS() as unknown);
    const find = (kind: string): unknown => docs.find((doc) => dig(doc, 'kind') === kind);
    const secret = find('Secret');
    const config = find('MutatingWebhookConfiguration');
    const deployment = find('Deployment');
    const cert = new X509Certificate(Buffer.from(String(dig(secret, 'data', 'tls.crt')), 'base64'));
    const ca = new X509Certificate(Buffer.from(String(dig(config, 'webhooks', 0, 'clientConfig', 'caBundle')), 'base64'));
    assert.equal(cert.checkHost('minio-irsa-webhook.minio-irsa.svc'), 'minio-irsa-webhook.minio-irsa.svc');
    assert.equal(cert.checkHost('evil.example.com'), undefined);
    assert.ok(cert.verify(ca.publicKey));
    assert.equal(dig(config, 'webhooks', 0, 'failurePolicy'), 'Ignore');
    assert.deepEqual(dig(config, 'webhooks', 0, 'namespaceSelector', 'matchExpressions', 0, 'values'), ['kube-system', 'minio-irsa']);
    assert.equal(dig(deployment, 'spec', 'template', 'spec', 'containers', 0, 'securityContext', 'readOnlyRootFilesystem'), true);
    assert.equal(dig(deployment, 'spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'), true);
    assert.equal(dig(deployment, 'spec', 'replicas'), 2);
  });
});
