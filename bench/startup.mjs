// Cold-start wall time of `minio-irsa --help`, `render pod` and `inject` against `node -e 0`.
// Every run is a fresh process. Cases are interleaved round by round so that load on a
// shared machine hits all of them alike; prints medians and the ratio to bare Node
// (target <= 1.3). BENCH_RUNS sets the rounds (default 21).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.env.BENCH_RUNS ?? 21);
const bin = fileURLToPath(new URL('../bin/minio-irsa.js', import.meta.url));
const cases = {
  'node -e 0': ['-e', '0'],
  'minio-irsa --help': [bin, '--help'],
  'minio-irsa render pod': [bin, 'render', 'pod', '--endpoint', 'https://minio.lan:9000', '--service-account', 'web'],
  // A Helm post-renderer starts it on every install: its start is render's (stdin here is empty).
  'minio-irsa inject': [bin, 'inject', '--endpoint', 'https://minio.lan:9000'],
};

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) time(args); // file cache warm; each process still starts cold
for (let round = 0; round < rounds; round += 1) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(time(args));
}
const base = median(samples['node -e 0']);
console.log(`${rounds} interleaved runs per case, node ${process.version}`);
for (const [name, values] of Object.entries(samples)) {
  const value = median(values);
  console.log(`${name.padEnd(24)} median ${value.toFixed(1).padStart(7)} ms   ratio ${(value / base).toFixed(2)}`);
}
