// The admission webhook under load, on loopback, on this machine:
//  1. closed loop at concurrency 1, 16 and 64: throughput, latency seen by the caller (p50/p99)
//     and, for minio-irsa, server-side latency (each admission's durationMs from its log line);
//  2. open loop at a fixed 500 requests/s for 10 s (target: server-side p99 < 2 ms);
//  3. memory (RSS) over 100k requests (target: flat);
//  4. the overhead on pod creation through the real kube-apiserver: N pods without a webhook,
//     with minio-irsa's, with EKS's.
// Side by side with aws/amazon-eks-pod-identity-webhook when a build of it is available
// (EKS_WEBHOOK_BIN, or bench/build-eks-webhook.sh SOURCE_DIR, which caches it), same load.
//   npm run bench:webhook        (BENCH_REQUESTS, BENCH_PODS to scale it)
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from '../test/helpers/cli.js';
import { Rig } from '../test/rig/index.js';
import { freePort, ManagedProcess, sleep } from '../test/rig/process.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 5000);
const PODS = Number(process.env['BENCH_PODS'] ?? 100);
const MEMORY_REQUESTS = 100_000;
const ARN = 'arn:minio:iam:::role/bench';

function eksBinary(): string | undefined {
  if (process.env['EKS_WEBHOOK_BIN']) return process.env['EKS_WEBHOOK_BIN'];
  const cache = process.env['MINIO_IRSA_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'minio-irsa');
  const dir = existsSync(cache) ? readdirSync(cache).find((entry) => entry.startsWith('eks-pod-identity-webhook-')) : undefined;
  return dir ? join(cache, dir, 'amazon-eks-pod-identity-webhook') : undefined;
}

/** A pod as a Deployment's ReplicaSet creates it: two containers, probes, resources, env. */
function admissionReview(uid: string): string {
  const container = (name: string) => ({
    name,
    image: `registry.example.com/team/${name}:1.4.2`,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
    volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-7d9c6b5f4-', namespace: 'bench', labels: { app: 'web', 'pod-template-hash': '7d9c6b5f4' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9c6b5f4', uid: '0d4c1f6e-3b7a-4c55-9d1e-7f2a8b9c0d1e', controller: true, blockOwnerDeletion: true }] },
    spec: {
      serviceAccountName: 'web',
      containers: [container('web'), container('sidecar')],
      volumes: [{ name: 'kube-api-access-abcde', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
    },
  };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bench',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  });
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (value: number): string => `${value.toFixed(2)} ms`;

interface Target {
  name: string;
  url: string;
  process: ManagedProcess;
  pid(): number | undefined;
}

function post(agent: Agent, url: string, body: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'POST', agent, ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200 || !text.includes('"patch"')) reject(new Error(`${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve(performance.now() - started);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function closedLoop(target: Target, ca: string, concurrency: number, count: number, tag: string): Promise<{ rps: number; latencies: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        latencies.push(await post(agent, target.url, admissionReview(`${tag}-${index}`), ca));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: count / seconds, latencies: latencies.sort((a, b) => a - b) };
}

async function openLoop(target: Target, ca: string, rate: number, seconds: number, tag: string): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < rate * seconds; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(post(agent, target.url, admissionReview(`${tag}-${index}`), ca).then((latency) => void latencies.push(latency)));
  }
  await Promise.all(pending);
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

/** minio-irsa logs each admission's server-side durationMs: those of one phase, by uid. */
function serverLatencies(log: string, tag: string): number[] {
  const pattern = new RegExp(`"uid":"${tag}-\\d+".*?"durationMs":([0-9.]+)`, 'g');
  return [...log.matchAll(pattern)].map((match) => Number(match[1])).sort((a, b) => a - b);
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function podCreation(rig: Rig, count: number, tag: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index++) {
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${tag}-${index}`, namespace: 'bench' }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'nginx' }] } };
    const started = performance.now();
    const result = await rig.cluster.request('POST', '/api/v1/namespaces/bench/pods', body);
    latencies.push(performance.now() - started);
    if (result.status !== 201) throw new Error(`create pod: ${result.status} ${result.body.slice(0, 300)}`);
  }
  return latencies.sort((a, b) => a - b);
}

const rig = await Rig.start({ minio: false });
const processes: ManagedProcess[] = [];
try {
  await rig.cluster.createServiceAccount('bench', 'web');
  await rig.kubectl(['annotate', 'serviceaccount', '-n', 'bench', 'web', 'minio-irsa.io/inject=true', `eks.amazonaws.com/role-arn=${ARN}`]);
  const certs = join(rig.dir, 'webhook-certs');
  const made = await runCli(['webhook', 'certs', '--out-dir', certs, '--host', '127.0.0.1']);
  if (made.code !== 0) throw new Error(made.stderr);
  const ca = readFileSync(join(certs, 'ca.crt'), 'utf8');

  const targets: Target[] = [];
  const ours = new ManagedProcess('minio-irsa webhook', join(rig.dir, 'minio-irsa-webhook.log'));
  processes.push(ours);
  ours.start(process.execPath, [BIN, 'webhook', 'serve', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', 'https://minio.example.com:9000', '--isolation', 'prefix', '--address', '127.0.0.1', '--port', '0', '--metrics-address', '127.0.0.1', '--metrics-port', '0', '--tls-cert-file', join(certs, 'tls.crt'), '--tls-key-file', join(certs, 'tls.key'), '--shutdown-delay', '0']);
  const listening = await ours.waitForLog(/"msg":"listening".*"port":(\d+)/, 30_000);
  const oursPid = Number(/"pid":(\d+)/.exec(ours.currentLog())?.[1] ?? NaN);
  targets.push({ name: 'minio-irsa', url: `https://127.0.0.1:${listening[1]}/mutate`, process: ours, pid: () => (Number.isNaN(oursPid) ? undefined : oursPid) });

  const eks = eksBinary();
  if (eks && existsSync(eks)) {
    const port = await freePort();
    const metrics = await freePort();
    const theirs = new ManagedProcess('eks-pod-identity-webhook', join(rig.dir, 'eks-webhook.log'));
    processes.push(theirs);
    theirs.start(eks, ['--in-cluster=false', '--kubeconfig', rig.cluster.kubeconfig, '--tls-cert', join(certs, 'tls.crt'), '--tls-key', join(certs, 'tls.key'), '--port', String(port), '--metrics-port', String(metrics), '--annotation-prefix', 'eks.amazonaws.com', '--token-audience', 'sts.amazonaws.com', '--service-account-lookup-grace-period', '100ms']);
    await theirs.waitUntil('its /healthz', async () => {
      const agent = new Agent({ ca });
      return new Promise<boolean>((resolve) => request(`https://127.0.0.1:${port}/healthz`, { agent, ca }, (res) => resolve(res.statusCode === 200)).on('error', () => resolve(false)).end());
    }, 30_000);
    await sleep(1000); // its informer syncs after /healthz answers
    targets.push({ name: 'eks-pod-identity-webhook', url: `https://127.0.0.1:${port}/mutate`, process: theirs, pid: () => undefined });
  } else {
    console.log('EKS pod-identity webhook: no build found (EKS_WEBHOOK_BIN, or bench/build-eks-webhook.sh SOURCE_DIR); minio-irsa alone');
  }

  console.log(`admission load, loopback, ${REQUESTS} requests per phase, pod of 2 containers (${admissionReview('x').length} bytes)`);
  for (const target of targets) {
    await closedLoop(target, ca, 16, 2000, `warm-${target.name}`);
    for (const concurrency of [1, 16, 64]) {
      const tag = `c${concurrency}-${target.name}`;
      const { rps, latencies } = await closedLoop(target, ca, concurrency, REQUESTS, tag);
      await sleep(200);
      const server = target.name === 'minio-irsa' ? serverLatencies(target.process.currentLog(), tag) : [];
      const serverText = server.length ? `; server-side p50 ${ms(percentile(server, 50))}, p99 ${ms(percentile(server, 99))}` : '';
      console.log(`  ${target.name.padEnd(25)} concurrency ${String(concurrency).padStart(2)}: ${rps.toFixed(0).padStart(5)} req/s; caller p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}${serverText}`);
    }
    const tag = `rate-${target.name}`;
    const latencies = await openLoop(target, ca, 500, 10, tag);
    await sleep(200);
    const server = target.name === 'minio-irsa' ? serverLatencies(target.process.currentLog(), tag) : [];
    console.log(`  ${target.name.padEnd(25)} 500 req/s for 10 s: caller p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}${server.length ? `; server-side p50 ${ms(percentile(server, 50))}, p99 ${ms(percentile(server, 99))} (target p99 < 2 ms)` : ''}`);
  }

  const ourTarget = targets[0];
  if (ourTarget && process.env['BENCH_MEMORY'] !== '0') {
    const samples: string[] = [];
    for (let done = 0; done < MEMORY_REQUESTS; done += 20_000) {
      samples.push(`${done / 1000}k: ${rssMiB(ourTarget.pid()).toFixed(0)} MiB`);
      await closedLoop(ourTarget, ca, 16, 20_000, `mem-${done}`);
    }
    samples.push(`${MEMORY_REQUESTS / 1000}k: ${rssMiB(ourTarget.pid()).toFixed(0)} MiB`);
    console.log(`  minio-irsa RSS over ${MEMORY_REQUESTS / 1000}k requests (concurrency 16): ${samples.join(', ')}`);
  }

  console.log(`pod creation through the real kube-apiserver, ${PODS} pods each, sequential:`);
  const report = (name: string, latencies: number[]) => console.log(`  ${name.padEnd(32)} p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, mean ${ms(latencies.reduce((a, b) => a + b, 0) / latencies.length)}`);
  await podCreation(rig, 20, 'warm');
  report('no webhook', await podCreation(rig, PODS, 'plain'));
  for (const target of targets) {
    const rendered = await runCli(['render', 'webhook', '--name', 'bench', '--url', target.url, '--ca-file', join(certs, 'ca.crt'), '--failure-policy', 'Fail']);
    const applied = await rig.kubectl(['apply', '-f', '-'], rendered.stdout);
    if (applied.code !== 0) throw new Error(applied.stderr);
    await sleep(2000); // the apiserver picks up webhook configurations asynchronously
    await podCreation(rig, 20, `warm-${target.name}`);
    report(`with ${target.name}`, await podCreation(rig, PODS, `pod-${target.name}`));
    const pod = JSON.parse((await rig.kubectl(['get', 'pod', '-n', 'bench', `pod-${target.name}-0`, '-o', 'json'])).stdout) as { spec: { volumes?: { name: string }[] } };
    console.log(`    (mutated: token volume ${pod.spec.volumes?.map((volume) => volume.name).filter((name) => name !== 'kube-api-access-' && !name.startsWith('kube-api-access')).join(', ') || 'none'})`);
    await rig.kubectl(['delete', 'mutatingwebhookconfiguration', 'bench']);
    await sleep(2000);
  }
} finally {
  for (const child of processes) await child.stop();
  await rig.stop();
}
