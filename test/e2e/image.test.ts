import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT, run, runCli, type CliResult } from '../helpers/cli.js';
import { runArguments, type Workload } from '../helpers/kubelet.js';
import { reportRigOnFailure } from '../helpers/rig-logs.js';
import { provisionImageTools, Rig, type ImageTools } from '../rig/index.js';
import { freePort, ManagedProcess } from '../rig/process.js';

// The webhook's image as users get it: built from the repository's Dockerfile (podman, FROM a
// local stand-in of the node base image: scripts/provision.sh says why), run with exactly the
// container settings of `render webhook`'s Deployment (user, read-only root, no capabilities,
// args, the Secret's certificate mounted, in-cluster credentials of its ServiceAccount), and
// called by the real apiserver. It reads ServiceAccounts through the rendered RBAC alone.

type Json = Record<string, unknown>;
interface EnvVar {
  name: string;
  value?: string;
}
interface LivePod {
  spec: { containers: { env?: EnvVar[]; volumeMounts?: { name: string }[] }[]; volumes?: { name: string; projected?: { sources: unknown[] } }[] };
}

const TAG = `localhost/minio-irsa:e2e-${process.pid}`;
const CONTAINER = `minio-irsa-webhook-e2e-${process.pid}`;
const NAMESPACE = 'minio-irsa';

const find = (docs: Json[], kind: string): Json => {
  const doc = docs.find((item) => item['kind'] === kind);
  assert.ok(doc, `render webhook printed no ${kind}`);
  return doc;
};

describe('the webhook image: built from the Dockerfile, run as its Deployment says, called by the real apiserver', () => {
  let rig: Rig;
  let tools: ImageTools;
  let podman: (args: string[], timeoutMs?: number) => Promise<CliResult>;
  let work: string;
  let container: ManagedProcess;
  let deployment: Workload;
  let metricsPort = 0;

  before(async () => {
    tools = provisionImageTools();
    rig = await Rig.start({ minio: false });
    const env = { CONTAINERS_CONF: tools.podmanConf };
    podman = (args, timeoutMs = 60_000) => run(tools.podman, args, { env, timeoutMs });
    // A container outlives its podman client when that is killed: remove it however the run ends.
    process.once('exit', () => {
      for (const args of [['rm', '--force', '--time', '0', CONTAINER], ['rmi', '--force', TAG]]) {
        try {
          execFileSync(tools.podman, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
    });
    work = join(rig.dir, 'image');
    mkdirSync(work);

    // --layers=false: no intermediate images left behind run after run (npm ci takes seconds).
    const built = await podman(['build', '--layers=false', '--network', 'host', '--build-arg', `NODE_IMAGE=${tools.nodeBase}`, '--tag', TAG, ROOT], 15 * 60_000);
    writeFileSync(join(rig.dir, 'podman-build.log'), `${built.stdout}\n${built.stderr}`);
    assert.equal(built.code, 0, `podman build failed; see ${join(rig.dir, 'podman-build.log')}\n${built.stderr.slice(-3000)}`);

    const certs = join(work, 'certs');
    const made = await runCli(['webhook', 'certs', '--out-dir', certs, '--host', '127.0.0.1']);
    assert.equal(made.code, 0, made.stderr);
    const rendered = await runCli(['render', 'webhook', '--image', TAG, '--replicas', '1', '--endpoint', 'https://minio.example.com:9000', '--tls-cert-file', join(certs, 'tls.crt'), '--tls-key-file', join(certs, 'tls.key'), '--ca-file', join(certs, 'ca.crt')]);
    assert.equal(rendered.code, 0, rendered.stderr);
    const applied = await rig.kubectl(['apply', '--validate=strict', '-f', '-'], rendered.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    const docs = parseAllDocuments(rendered.stdout).map((doc) => doc.toJS() as Json);
    deployment = find(docs, 'Deployment') as unknown as Workload;
    const serviceAccount = deployment.spec.template.spec.serviceAccountName;
    const token = await rig.cluster.requestToken(NAMESPACE, serviceAccount, rig.cluster.issuer);
    const { options, container: spec } = runArguments(deployment, docs, work, { token, caPem: rig.cluster.ca.certPem, namespace: NAMESPACE, apiserverPort: rig.cluster.port });

    // The webhook now registered by URL: the apiserver here has no Service network to reach it.
    const port = await freePort();
    metricsPort = await freePort();
    const byUrl = await runCli(['render', 'webhook', '--url', `https://127.0.0.1:${port}/mutate`, '--ca-file', join(certs, 'ca.crt')]);
    assert.equal(byUrl.code, 0, byUrl.stderr);
    const registered = await rig.kubectl(['apply', '--validate=strict', '-f', '-'], byUrl.stdout);
    assert.equal(registered.code, 0, registered.stderr);

    container = new ManagedProcess('webhook-container', join(rig.dir, 'webhook-container.log'));
    container.start(tools.podman, [
      'run', '--rm', '--name', CONTAINER, '--network', 'host', ...options, spec.image,
      // A pod has its own address; sharing the host's, the container listens on free loopback ports.
      ...spec.args, '--address', '127.0.0.1', '--port', String(port), '--metrics-address', '127.0.0.1', '--metrics-port', String(metricsPort),
    ], env);
    await container.waitForLog(/"msg":"listening"/, 60_000);

    await rig.cluster.createServiceAccount('apps', 'web');
    const annotated = await rig.kubectl(['annotate', 'serviceaccount', '-n', 'apps', 'web', 'minio-irsa.io/inject=true']);
    assert.equal(annotated.code, 0, annotated.stderr);
  });
  afterEach(reportRigOnFailure(() => rig));
  after(async () => {
    await container?.stop(40_000);
    await podman?.(['rmi', '--force', TAG]);
    await rig?.stop();
  });

  it('the image runs node as uid 65532 with no npm and no node_modules, on a read-only root, and is ready', async () => {
    const inspected = await podman(['image', 'inspect', '--format', '{{.Config.User}} {{.Size}}', TAG]);
    assert.equal(inspected.code, 0, inspected.stderr);
    const [user, size] = inspected.stdout.trim().split(' ');
    assert.equal(user, '65532:65532');
    process.stderr.write(`image ${TAG}: ${(Number(size) / 1e6).toFixed(0)} MB on the stand-in base\n`);
    const pid = await podman(['inspect', '--format', '{{.State.Pid}}', CONTAINER]);
    assert.equal(pid.code, 0, pid.stderr);
    const status = readFileSync(`/proc/${pid.stdout.trim()}/status`, 'utf8');
    assert.match(status, /^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
    assert.match(status, /^CapEff:\s+0+$/m);
    assert.match(readFileSync(`/proc/${pid.stdout.trim()}/cmdline`, 'utf8'), /^node\0\/app\/bin\/minio-irsa\.js\0webhook\0serve\0/);
    // Dependencies are bundled (tsup.image.config.ts): no npm, and no node_modules either.
    const npm = await podman(['run', '--rm', '--read-only', '--entrypoint', 'node', TAG, '-p', "['/usr/local/bin/npm', '/usr/local/lib/node_modules/npm', '/app/node_modules'].some((path) => require('fs').existsSync(path))"]);
    assert.equal(npm.stdout.trim(), 'false', npm.stderr);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status, 200);
  });

  it('a pod of an opted-in ServiceAccount comes back as inject (same settings as the Deployment) writes it', async () => {
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-image\n  namespace: apps\nspec:\n  serviceAccountName: web\n  containers:\n    - {name: app, image: amazon/aws-cli}\n';
    const created = await rig.kubectl(['apply', '-f', '-'], manifest);
    assert.equal(created.code, 0, created.stderr);
    const got = await rig.kubectl(['get', 'pod', '-n', 'apps', 'from-image', '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    const live = JSON.parse(got.stdout) as LivePod;

    // The Deployment's settings flags, without serve's own (TLS files).
    const args = deployment.spec.template.spec.containers[0]?.args ?? [];
    const settings: string[] = [];
    for (let index = 2; index < args.length; index += 2) {
      const [flag, value] = [args[index] ?? '', args[index + 1] ?? ''];
      assert.match(flag, /^--[a-z-]+$/);
      if (!flag.startsWith('--tls-')) settings.push(flag, value);
    }
    const injected = await runCli(['inject', ...settings], { input: manifest });
    assert.equal(injected.code, 0, injected.stderr);
    const expected = parse(injected.stdout) as LivePod;
    assert.ok(expected.spec.containers[0]?.env?.some((item) => item.name === 'AWS_ROLE_ARN'));
    assert.deepEqual(live.spec.containers[0]?.env, expected.spec.containers[0]?.env);
    assert.deepEqual(live.spec.containers[0]?.volumeMounts?.filter((mount) => mount.name.startsWith('minio-irsa')), expected.spec.containers[0]?.volumeMounts);
    // The apiserver adds its defaults (defaultMode) to what the webhook wrote.
    const sources = (pod: LivePod) => pod.spec.volumes?.filter((volume) => volume.name.startsWith('minio-irsa')).map((volume) => [volume.name, volume.projected?.sources]);
    assert.deepEqual(sources(live), sources(expected));
    // From its watch cache: the rendered RBAC lets its ServiceAccount list and watch.
    assert.match(container.currentLog(), /"msg":"admission".*"pod":"from-image".*"result":"mutated"/);
    assert.doesNotMatch(container.currentLog(), /"level":"(warn|error)"/, container.currentLog());
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /^minio_irsa_webhook_admissions_total\{result="mutated",reason="none"\} 1$/m);
  });

  it('SIGTERM (what the kubelet sends) drains and stops it: exit code 0', async () => {
    await container.stop(40_000);
    assert.match(container.currentLog(), /"msg":"stopped"/);
    assert.match(container.log(), /exited code=0/);
  });
});
