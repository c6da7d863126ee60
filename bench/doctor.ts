// doctor's wall time against a warm, healthy rig (target: under 1.5 s), and where it goes:
// the slowest checks of a run (each check's durationMs, from -o json).
//   node --import tsx bench/doctor.ts        (BENCH_RUNS=9 by default)
import { runCli } from '../test/helpers/cli.js';
import { configureHealthy } from '../test/helpers/healthy.js';
import { Rig } from '../test/rig/index.js';

const runs = Number(process.env['BENCH_RUNS'] ?? 9);
const rig = await Rig.start();
try {
  const { work, adminEnv: env } = await configureHealthy(rig);
  const cli = async (args: string[]) => {
    const result = await runCli(args, { cwd: work, env });
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
    return result;
  };
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
