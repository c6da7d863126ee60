// init's wall time against a warm rig (targets: a first `init --yes` under 3 s excluding
// MinIO's restarts; a re-run that changes nothing under 1.5 s), and where the time goes
// (each step's durationMs from -o json).
//   node --import tsx bench/init.ts        (BENCH_RUNS=7 by default)
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../test/helpers/cli.js';
import { Rig } from '../test/rig/index.js';

interface Step {
  id: string;
  durationMs: number;
  message: string;
}

const runs = Number(process.env['BENCH_RUNS'] ?? 7);
const rig = await Rig.start();
try {
  const work = mkdtempSync(join(rig.dir, 'bench-init-'));
  const env = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
  const init = async (extra: string[]) => {
    const args = ['init', '--yes', '-o', 'json', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--minio-certs-dir', rig.s3.certsDir, '--create-service-account', ...extra];
    const started = performance.now();
    const result = await runCli(args, { cwd: work, env, timeoutMs: 300_000 });
    const wall = performance.now() - started;
    if (result.code !== 0) throw new Error(`init: ${result.stderr}${result.stdout}`);
    return { wall, steps: (JSON.parse(result.stdout) as { steps: Step[] }).steps };
  };
  const line = (steps: Step[]) => steps.map((step) => `${step.id} ${step.durationMs}`).join(', ');

  const first = await init(['--skip-doctor']);
  // The restarts are MinIO's own start-up time: the CA step restarts once (MinIO checks a new
  // provider against the CAs it loaded), the restart step once.
  const restartMs = first.steps.filter((step) => /restarted/.test(step.message)).reduce((sum, step) => sum + step.durationMs, 0);
  console.log(`first init --yes --skip-doctor: ${first.wall.toFixed(0)} ms wall, of which ~${restartMs} ms in steps that restarted MinIO (target < 3000 ms excluding them: ${(first.wall - restartMs).toFixed(0)} ms)`);
  console.log(`  steps (ms): ${line(first.steps)}`);

  for (const [label, extra] of [['re-run, nothing changes (--skip-doctor)', ['--skip-doctor']], ['re-run with doctor at the end', []]] as const) {
    const walls: number[] = [];
    let last: Step[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await init([...extra]);
      walls.push(run.wall);
      last = run.steps;
    }
    walls.sort((a, b) => a - b);
    console.log(`${label}, ${runs} runs: median ${walls[Math.floor(walls.length / 2)]?.toFixed(0)} ms, min ${walls[0]?.toFixed(0)}, max ${walls.at(-1)?.toFixed(0)} (target < 1500 ms)`);
    console.log(`  steps of the last run (ms): ${line(last)}`);
  }
} finally {
  await rig.stop();
}
