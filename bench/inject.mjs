// inject's throughput: it runs on every `helm install` as a post-renderer, so it must stay
// linear in its input. Generates N MB of realistic manifests (Deployments with comments,
// Services, ConfigMaps), pipes them through `minio-irsa inject`, reports wall time and peak
// memory (target: 10 MB in well under a second). BENCH_MB sets the size (default 10);
// BENCH_SHAPE=list puts the objects in one List; json and flow write it as JSON.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const megabytes = Number(process.env.BENCH_MB ?? 10);
const bin = fileURLToPath(new URL('../bin/minio-irsa.js', import.meta.url));
const deployment = (i) => `# Source: chart/templates/deployment-${i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: apps
  labels: {app: web-${i}, tier: frontend}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web-${i}}
  template:
    metadata:
      labels: {app: web-${i}}
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
          env:
            - name: LOG_LEVEL   # verbosity
              value: info
          resources: {limits: {cpu: 500m, memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web-${i}, namespace: apps}
spec:
  selector: {app: web-${i}}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-${i}, namespace: apps}
data: {config.yaml: "key: value"}
---
`;
let input = '';
for (let i = 0; input.length < megabytes * 1024 * 1024; i++) input += deployment(i);
// BENCH_SHAPE=list: the same objects as one List, as `kubectl get deploy,svc,cm -A -o yaml` writes them.
if (process.env.BENCH_SHAPE === 'list') {
  const items = input.split(/^---\n/m).filter(Boolean).map((object) => object.replace(/^# .*\n/, '').trimEnd().split('\n').map((line, index) => `${index === 0 ? '- ' : '  '}${line}`).join('\n'));
  input = `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
}
// BENCH_SHAPE=json: the objects as one JSON List (kubectl get -o json); flow: the same after a
// comment, which makes it a YAML document that is a JSON object.
if (process.env.BENCH_SHAPE === 'json' || process.env.BENCH_SHAPE === 'flow') {
  const { parseAllDocuments } = await import('yaml');
  const items = parseAllDocuments(input).map((doc) => doc.toJS()).filter(Boolean);
  input = `${process.env.BENCH_SHAPE === 'flow' ? '# Source: kubectl get -o json\n' : ''}${JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`;
}
const sizeMb = (input.length / 1024 / 1024).toFixed(1);

const args = [bin, 'inject', '--endpoint', 'https://minio.lan:9000'];
// BENCH_INSTRUCTIONS=1: one run under valgrind's callgrind with V8 made deterministic
// (--predictable): instructions repeat to ~0.2% where wall time varies by 10-30%; for
// comparing two versions of the code on a busy machine (Debian package valgrind; ~80 s for 10 MB).
if (process.env.BENCH_INSTRUCTIONS === '1') {
  const result = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--predictable', ...args], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (result.error) throw new Error(`valgrind: ${result.error.message} (install Debian's valgrind)`);
  const collected = /Collected : (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !collected) throw new Error(`inject under callgrind exited ${result.status}: ${result.stderr.slice(-2000)}`);
  console.log(`inject ${sizeMb} MB of manifests: ${(Number(collected[1]) / 1e9).toFixed(3)} G instructions (callgrind, node --predictable)`);
  process.exit(0);
}

const runs = [];
for (let round = 0; round < 3; round++) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`inject exited ${result.status}: ${result.stderr}`);
  // Peak RSS and CPU seconds: CPU time is steadier than wall time on a busy machine.
  const [peakKb, user, system] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  runs.push({ ms, peakKb, cpuMs: 1000 * (user + system), outMb: result.stdout.length / 1024 / 1024 });
}
runs.sort((a, b) => a.ms - b.ms);
const mid = runs[1];
console.log(`inject ${sizeMb} MB of manifests: median ${mid.ms.toFixed(0)} ms wall (min ${runs[0].ms.toFixed(0)}, max ${runs[2].ms.toFixed(0)}), ${mid.cpuMs.toFixed(0)} ms CPU, peak RSS ${(mid.peakKb / 1024).toFixed(0)} MiB, ${mid.outMb.toFixed(1)} MB out`);
