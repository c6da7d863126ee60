// doctor's wall time against a warm, healthy rig (target: under 1.5 s), and where it goes:
// the slowest checks of a run (each check's durationMs, from -o json).
//   node --import tsx bench/doctor.ts        (BENCH_RUNS=9 by default)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../test/helpers/cli.js';
import { Rig } from '../test/rig/index.js';

const runs = Number(process.env['BENCH_RUNS'] ?? 9);
const rig = await Rig.start();
try {
  const work = mkdtempSync(join(rig.dir, 'bench-'));
  const env = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
  writeFileSync(join(work, 'minio-irsa.yaml'), `kube:\n  kubeconfig: ${rig.cluster.kubeconfig}\nissuer:\n  configUrl: ${rig.cluster.configUrl}\nminio:\n  endpoint: ${rig.s3.endpoint}\nworkload:\n  namespace: apps\n  serviceAccount: web\n  bucket: apps-web\n`);
  const cli = async (args: string[]) => {
    const result = await runCli(args, { cwd: work, env });
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  await cli(['cluster', 'apply', '--yes']);
  rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
  await rig.s3.restart({});
  await cli(['minio', 'policy', '--apply']);
  await cli(['minio', 'configure', '--apply']);
  await rig.s3.restart({});
  await rig.cluster.createServiceAccount('apps', 'web');
  await cli(['doctor']); // warm the page cache
  const walls: number[] = [];
  let slowest: [string, number][] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await cli(['doctor', '-o', 'json']);
    walls.push(performance.now() - started);
    const report = JSON.parse(result.stdout) as { categories: { checks: { id: string; durationMs: number }[] }[] };
    slowest = report.categories.flatMap((c) => c.checks.map((check) => [check.id, check.durationMs] as [string, number])).sort((a, b) => b[1] - a[1]).slice(0, 5);
  }
  walls.sort((a, b) => a - b);
  const median = walls[Math.floor(walls.length / 2)] ?? 0;
  console.log(`doctor, healthy warm rig, ${runs} runs: median ${median.toFixed(0)} ms, min ${walls[0]?.toFixed(0)} ms, max ${walls.at(-1)?.toFixed(0)} ms (target < 1500 ms)`);
  console.log(`slowest checks of the last run: ${slowest.map(([id, ms]) => `${id} ${ms} ms`).join(', ')}`);
} finally {
  await rig.stop();
}
