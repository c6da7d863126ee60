import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CORE_SCHEMA, load } from 'js-yaml';
import { readBlock } from '../../src/inject/block-reader.js';
import { jsonObjects } from '../../src/inject/json-path.js';
import { runAws } from '../helpers/aws.js';
import { BIN, ROOT, run, runCli } from '../helpers/cli.js';
import { goParse } from '../helpers/goyaml.js';
import { configureHealthy } from '../helpers/healthy.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { Rig } from '../rig/index.js';

// inject against the real apiserver and MinIO: what it writes is accepted by the apiserver
// (server-side dry run and a real create), and the variables it adds are the only
// configuration the real aws CLI needs to reach MinIO with the pod's token.

// What a typical chart renders (a Deployment with probes, a Service, a ConfigMap, a CronJob).
const CHART = `# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: http}}
          env:
            - name: LOG_LEVEL
              value: info
          volumeMounts:
            - {name: cache, mountPath: /cache}
      volumes:
        - {name: cache, emptyDir: {}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: apps}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: web
          restartPolicy: OnFailure
          containers: [{name: backup, image: amazon/aws-cli}]
`;

type GoObject = { kind: string };
const WORKLOADS = new Set(['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob']);

describe('inject against the real rig', () => {
  let rig: Rig;
  let work: string;
  let adminEnv: Record<string, string>;

  before(async () => {
    rig = await Rig.start();
    ({ work, adminEnv } = await configureHealthy(rig));
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => rig?.stop());

  it('a chart\'s manifests, injected, pass the apiserver\'s server-side dry run; as a Helm post-renderer (stdin to stdout) too', async () => {
    const injected = await runCli(['inject'], { cwd: work, input: CHART });
    assert.equal(injected.code, 0, injected.stderr);
    assert.match(injected.stderr, /injected 2 \(Deployment apps\/web, CronJob apps\/backup\); already injected 0; opted out 0; other objects passed through 1/);
    const applied = await rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], injected.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /deployment\.apps\/web created \(server dry run\)/);
    assert.match(applied.stdout, /cronjob\.batch\/backup created \(server dry run\)/);
  });

  it('as a post-renderer of the real helm: helm template keeps its Source comments, helm install puts injected workloads into the apiserver', async () => {
    const chart = join(ROOT, 'test/fixtures/charts/web');
    const postRenderer = ['--post-renderer', BIN, '--post-renderer-args', 'inject'];
    const helm = (args: string[]) => run(rig.binaries.helm, args, { cwd: work, env: { HELM_CACHE_HOME: join(work, 'helm-cache'), HELM_CONFIG_HOME: join(work, 'helm-config'), HELM_DATA_HOME: join(work, 'helm-data'), NO_COLOR: '1' } });
    const template = await helm(['template', 'shop', chart, '--namespace', 'apps', ...postRenderer]);
    assert.equal(template.code, 0, template.stderr);
    assert.match(template.stdout, /^# Source: web\/templates\/service\.yaml$/m);
    const docs = parseAllDocuments(template.stdout).map((doc) => doc.toJS() as { kind: string; spec?: { template?: { spec: { initContainers?: { env?: { name: string }[] }[] } } } });
    assert.deepEqual(docs.map((doc) => doc.kind), ['ServiceAccount', 'Service', 'Deployment', 'CronJob']);
    assert.ok(docs[2]?.spec?.template?.spec.initContainers?.[0]?.env?.some((item) => item.name === 'AWS_ROLE_ARN'), 'init containers are injected too');

    const install = await helm(['install', 'shop', chart, '--namespace', 'apps', '--kubeconfig', rig.cluster.kubeconfig, ...postRenderer]);
    assert.equal(install.code, 0, install.stderr);
    const deployment = JSON.parse((await rig.kubectl(['get', 'deployment', '-n', 'apps', 'shop-web', '-o', 'json'])).stdout) as { spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[]; volumes?: { name: string }[] } } } };
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0]?.env?.map((item) => [item.name, item.value]) ?? []);
    assert.equal(env['AWS_ENDPOINT_URL_STS'], rig.s3.endpoint);
    assert.ok(deployment.spec.template.spec.volumes?.some((volume) => volume.name === 'minio-irsa-token'));
    const cronjob = await rig.kubectl(['get', 'cronjob', '-n', 'apps', 'shop-web-backup', '-o', 'jsonpath={.spec.jobTemplate.spec.template.spec.containers[0].env[0].name}']);
    assert.equal(cronjob.stdout, 'AWS_ROLE_ARN');
  });

  it('popular charts as the real helm renders them (metrics-server, ingress-nginx, cert-manager): every workload injected as Go reads it, every other object byte for byte, all accepted by the apiserver', async () => {
    const helm = (args: string[]) => run(rig.binaries.helm, args, { cwd: work, env: { HELM_CACHE_HOME: join(work, 'helm-cache'), HELM_CONFIG_HOME: join(work, 'helm-config'), HELM_DATA_HOME: join(work, 'helm-data'), NO_COLOR: '1' } });
    // Helm's empty documents (a template that renders nothing) are no objects.
    const goRead = (text: string): GoObject[] => goParse(text).filter((object): object is GoObject => object !== null);
    assert.deepEqual(Object.keys(rig.binaries.charts).sort(), ['cert-manager', 'ingress-nginx', 'metrics-server']);
    for (const [name, chart] of Object.entries(rig.binaries.charts)) {
      const rendered = await helm(['template', 'rel', chart, '--namespace', 'apps', '--kube-version', '1.34.4']);
      assert.equal(rendered.code, 0, `${name}: ${rendered.stderr}`);
      const injected = await runCli(['inject'], { cwd: work, input: rendered.stdout });
      assert.equal(injected.code, 0, `${name}: ${injected.stderr}`);
      // The reference: what Go (kubectl) read of the chart, injected the JSON way (the data edited as data).
      const before = goRead(rendered.stdout);
      const asJson = await runCli(['inject'], { cwd: work, input: before.map((object) => JSON.stringify(object)).join('\n') });
      assert.equal(asJson.code, 0, asJson.stderr);
      const expected = jsonObjects(asJson.stdout);
      assert.equal(expected.rest, asJson.stdout.length);
      assert.deepEqual(goRead(injected.stdout), expected.objects, name);
      const workloads = before.filter((object) => WORKLOADS.has(object.kind));
      assert.ok(workloads.length > 0, name);
      assert.match(injected.stderr, new RegExp(`^injected ${workloads.length} .*other objects passed through ${before.length - workloads.length}$`, 'm'), name);
      // Objects without a pod template are the chart's own bytes.
      const pieces = (text: string) => text.split(/^---\n/m);
      const workloadKind = new RegExp(`^kind: (?:${[...WORKLOADS].join('|')})$`, 'm');
      const kept = pieces(rendered.stdout).filter((piece) => !workloadKind.test(piece));
      for (const piece of kept) assert.ok(pieces(injected.stdout).includes(piece), `${name}: ${piece.slice(0, 200)}`);
      const applied = await rig.kubectl(['apply', '--dry-run=server', '-o', 'yaml', '-f', '-'], injected.stdout);
      assert.equal(applied.code, 0, `${name}: ${applied.stderr}`);
      // YAML as kubectl writes it (last-applied-configuration and all) is what inject's own
      // reader is for: it takes every workload, reading it as js-yaml does; all are injected already.
      assert.match(applied.stdout, /^ {6}kubectl\.kubernetes\.io\/last-applied-configuration: \|$/m, name);
      const objects = load(applied.stdout, { schema: CORE_SCHEMA }) as { items: { kind: string }[] };
      assert.equal(objects.items.filter((object) => WORKLOADS.has(object.kind)).length, workloads.length, name);
      assert.deepEqual(readBlock(applied.stdout), objects, name);
      const again = await runCli(['inject'], { cwd: work, input: applied.stdout });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, new RegExp(`^injected 0; already injected ${workloads.length};`, 'm'), name);
    }
  });

  it('after kustomize (kubectl kustomize | minio-irsa inject): the overlay\'s output is injected and accepted', async () => {
    const dir = mkdtempSync(join(work, 'kustomize-'));
    writeFileSync(join(dir, 'manifests.yaml'), CHART);
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: prod-\ncommonLabels: {env: prod}\nresources: [manifests.yaml]\n');
    const built = await rig.kubectl(['kustomize', dir]);
    assert.equal(built.code, 0, built.stderr);
    const injected = await runCli(['inject'], { cwd: work, input: built.stdout });
    assert.equal(injected.code, 0, injected.stderr);
    assert.match(injected.stderr, /injected 2 \(Deployment apps\/prod-web, CronJob apps\/prod-backup\)/);
    const applied = await rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], injected.stdout);
    assert.equal(applied.code, 0, applied.stderr);
  });

  it('JSON objects one after another (kubectl get -o json, twice), and one object then YAML: read and applied as kubectl reads them', async () => {
    const deployment = (name: string) => JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'apps' }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'nginx' }] } } } }, null, 2);
    for (const input of [`${deployment('one')}\n${deployment('two')}\n`, `${deployment('one')}\n---\n${CHART.split('---')[1] ?? ''}`]) {
      // kubectl takes the input as it is...
      const plain = await rig.kubectl(['apply', '--dry-run=server', '-f', '-'], input);
      assert.equal(plain.code, 0, plain.stderr);
      const injected = await runCli(['inject'], { cwd: work, input });
      assert.equal(injected.code, 0, injected.stderr);
      assert.match(injected.stderr, /^injected 2 /m);
      // ...and the output, the same objects, with what inject added.
      const applied = await rig.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-', '-o', 'json'], injected.stdout);
      assert.equal(applied.code, 0, applied.stderr);
      const items = (JSON.parse(applied.stdout) as { items: { metadata: { name: string }; spec: { template?: { spec: { volumes?: { name: string }[] } }; jobTemplate?: { spec: { template: { spec: { volumes?: { name: string }[] } } } } } }[] }).items;
      assert.deepEqual(items.map((item) => item.metadata.name), plain.stdout.match(/\/([\w-]+) (?:created|configured|unchanged)/g)?.map((found) => found.slice(1).split(' ')[0]));
      for (const item of items) {
        const volumes = item.spec.template?.spec.volumes ?? item.spec.jobTemplate?.spec.template.spec.volumes ?? [];
        assert.ok(volumes.some((volume) => volume.name === 'minio-irsa-token'), item.metadata.name);
      }
    }
  });

  it('files and directories: every manifest in them, in a stable order', async () => {
    const dir = join(mkdtempSync(join(work, 'manifests-')), 'k8s');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.yaml'), CHART);
    writeFileSync(join(dir, 'sub', 'pod.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j', namespace: 'apps' }, spec: { serviceAccountName: 'web', containers: [{ name: 'c', image: 'nginx' }] } }));
    writeFileSync(join(dir, 'README.md'), 'not a manifest');
    const result = await runCli(['inject', dir], { cwd: work });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /injected 3 \(Deployment apps\/web, CronJob apps\/backup, Pod apps\/j\)/);
    assert.equal(parseAllDocuments(result.stdout).length, 4);
  });

  it('an injected pod, created for real, carries exactly what inject wrote; its variables alone get the aws CLI into MinIO', async () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: injected, namespace: apps}\nspec:\n  serviceAccountName: web\n  containers: [{name: app, image: amazon/aws-cli}]\n`;
    const injected = await runCli(['inject'], { cwd: work, input: pod });
    assert.equal(injected.code, 0, injected.stderr);
    const created = await rig.kubectl(['apply', '-f', '-'], injected.stdout);
    assert.equal(created.code, 0, created.stderr);
    const live = JSON.parse((await rig.kubectl(['get', 'pod', '-n', 'apps', 'injected', '-o', 'json'], '')).stdout) as {
      spec: { containers: { env: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; projected?: { sources: { serviceAccountToken?: { audience: string; expirationSeconds: number } }[] } }[] };
    };
    const env = Object.fromEntries(live.spec.containers[0]?.env.map((item) => [item.name, item.value]) ?? []);
    const volume = live.spec.volumes.find((item) => item.name === 'minio-irsa-token');
    const audience = volume?.projected?.sources[0]?.serviceAccountToken?.audience ?? '';
    assert.equal(audience, 'sts.amazonaws.com');
    // What the kubelet would project into the pod: a token for its ServiceAccount with that audience.
    const tokenFile = join(work, 'pod-token');
    writeFileSync(tokenFile, await rig.cluster.requestToken('apps', 'web', audience, 600), { mode: 0o600 });
    const vars = { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile } as Record<string, string>;
    const file = join(work, 'from-pod.txt');
    writeFileSync(file, 'hi\n');
    const put = await runAws(rig.binaries.aws, ['s3', 'cp', file, 's3://apps-web/from-pod.txt'], vars);
    assert.equal(put.code, 0, put.stderr);
    void adminEnv;
  });
});
