// Mutation testing, our own small way: plant one plausible bug at a time in a pure-logic
// module, run that module's unit tests, and count the mutants they kill. Not in CI (slow).
//
//   npm run mutate                 every module below
//   npm run mutate -- validate     only modules whose path contains "validate"
//   MUTATE_MAX=40 npm run mutate   at most 40 mutants per module (sampled evenly)
//   MUTATE_SHARD=1/2 npm run mutate   every second module from the first (run shards in
//                                  separate copies of the tree: a mutant is seen by all tests)
//
// A survivor is a line a bug can hide in: kill it with a test, or explain why it is
// equivalent (the program behaves the same). The working tree is restored after each mutant,
// also on Ctrl-C; still, run it in a copy of the tree if you build or test meanwhile.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * Module -> the unit tests that must catch bugs in it, and optionally the functions whose
 * lines are mutated (the module's pure logic; its I/O is proven by the e2e suite).
 */
interface Target {
  tests: string[];
  only?: string[];
}
const TARGETS: Record<string, string[] | Target> = {
  'src/encode.ts': ['encode.test.ts', 'template.test.ts', 'boundaries.test.ts'],
  'src/render/template.ts': ['template.test.ts', 'render.test.ts', 'encode.test.ts', 'boundaries.test.ts'],
  'src/render/policy.ts': ['render.test.ts'],
  'src/render/minio-env.ts': ['render.test.ts', 'encode.test.ts'],
  'src/render/workload.ts': ['render.test.ts'],
  'src/render/litestream.ts': ['render.test.ts'],
  'src/validate.ts': ['validate.test.ts', 'hardening.test.ts', 'boundaries.test.ts'],
  'src/secrets.ts': ['secrets.test.ts', 'boundaries.test.ts'],
  'src/fs-safe.ts': ['secrets.test.ts', 'boundaries.test.ts'],
  'src/minio/client-secret.ts': ['secrets.test.ts', 'boundaries.test.ts'],
  'src/minio/arn.ts': ['arn.test.ts', 'boundaries.test.ts'],
  'src/minio/arn-sources.ts': ['minio-logic.test.ts', 'boundaries.test.ts'],
  'src/minio/sigv4.ts': ['sigv4-sts.test.ts'],
  'src/minio/sts.ts': { tests: ['sigv4-sts.test.ts', 'boundaries.test.ts'], only: ['diagnose'] },
  'src/minio/s3-probe.ts': { tests: ['hardening.test.ts'], only: ['runProbe'] },
  'src/minio/recognise.ts': ['hardening.test.ts'],
  'src/minio/log-reader.ts': { tests: ['hardening.test.ts'], only: ['scanLog'] },
  'src/profile.ts': ['profile.test.ts', 'hardening.test.ts'],
  'src/profile-file.ts': ['profile.test.ts', 'hardening.test.ts'],
  'src/kube/detect.ts': ['cluster-logic.test.ts', 'boundaries.test.ts'],
  'src/kube/remediation.ts': ['cluster-logic.test.ts', 'boundaries.test.ts'],
  // waitForPublicDiscovery is a timed retry loop: a mutant of its clock comparison differs by a millisecond.
  'src/kube/probe.ts': { tests: ['kube-logic.test.ts'], only: ['accessOf', 'probeAnonymous'] },
  'src/kube/rbac.ts': { tests: ['kube-logic.test.ts'], only: ['desiredBinding', 'isOurs', 'sameGrant', 'decideRbac'] },
  'src/kube/discovery.ts': ['kube-logic.test.ts', 'boundaries.test.ts'],
  'src/kube/version.ts': { tests: ['hardening.test.ts'], only: ['kubernetesVersion'] },
  'src/net.ts': { tests: ['hardening.test.ts', 'kube-logic.test.ts', 'boundaries.test.ts'], only: ['classifyNetworkError'] },
  'src/checks/types.ts': ['doctor-logic.test.ts'],
  'src/checks/minio.ts': { tests: ['doctor-logic.test.ts'], only: ['notLoadedCauses', 'clockSkewSeconds'] },
  'src/ui/doctor-report.ts': { tests: ['doctor-logic.test.ts'], only: ['linkStatus', 'doctorReport'] },
  'src/checks/workload.ts': { tests: ['doctor-logic.test.ts'], only: ['inspectPodSpec', 'parseWorkloadRef'] },
  'src/inject/core.ts': ['inject.test.ts', 'webhook.test.ts'],
  'src/inject/manifests.ts': ['inject.test.ts'],
  'src/inject/block-reader.ts': ['block-reader.test.ts'],
  'src/inject/general-path.ts': ['inject.test.ts'],
  'src/inject/go-reading.ts': ['inject.test.ts'],
  'src/inject/fast-path.ts': ['inject.test.ts'],
  'src/inject/json-path.ts': ['inject.test.ts'],
  'src/inject/plan.ts': ['inject.test.ts', 'webhook.test.ts'],
  'src/webhook/opt-in.ts': ['webhook.test.ts'],
  'src/webhook/admission.ts': ['webhook.test.ts'],
  'src/render/webhook.ts': ['webhook.test.ts'],
};

/** The line numbers (1-based) inside the named top-level functions. */
function linesOf(source: string, functions: readonly string[] | undefined): Set<number> | undefined {
  if (!functions) return undefined;
  const lines = source.split('\n');
  const inside = new Set<number>();
  for (const name of functions) {
    const start = lines.findIndex((line) => new RegExp(`^export (async )?function ${name}\\b|^(async )?function ${name}\\b`).test(line));
    if (start === -1) throw new Error(`no function ${name}`);
    for (let i = start; i < lines.length; i++) {
      inside.add(i + 1);
      if (i > start && lines[i] === '}') break;
    }
  }
  return inside;
}

interface Mutant {
  line: number;
  before: string;
  after: string;
}

// One plausible one-token bug each: comparisons, logic, boundaries, constants, negations.
const OPERATORS: [RegExp, string][] = [
  [/===/g, '!=='],
  [/!==/g, '==='],
  [/ < /g, ' <= '],
  [/ <= /g, ' < '],
  [/ > /g, ' >= '],
  [/ >= /g, ' > '],
  [/ && /g, ' || '],
  [/ \|\| /g, ' && '],
  [/\btrue\b/g, 'false'],
  [/\bfalse\b/g, 'true'],
  [/if \(!/g, 'if ('],
  [/ \+ 1\b/g, ' - 1'],
  [/ - 1\b/g, ' + 1'],
  [/\.some\(/g, '.every('],
  [/\.every\(/g, '.some('],
  [/\.startsWith\(/g, '.endsWith('],
  [/\.endsWith\(/g, '.startsWith('],
  [/\?\? /g, '&& '],
  [/return true;/g, 'return false;'],
  [/return false;/g, 'return true;'],
];

function isCode(line: string): boolean {
  const trimmed = line.trim();
  // Types are erased before the tests run: a mutant there (a union member "| { ok: true }")
  // cannot change behaviour, so it is not planted.
  return trimmed !== '' && !trimmed.startsWith('//') && !trimmed.startsWith('*') && !trimmed.startsWith('/*') && !trimmed.startsWith('import ') && !/^(export )?(type|interface) /.test(trimmed) && !trimmed.startsWith('| ');
}

/** Lines inside interface and object-type declarations (erased like every type). */
function typeLines(source: string): Set<number> {
  const inside = new Set<number>();
  let open = false;
  source.split('\n').forEach((text, index) => {
    if (/^(export )?(interface|type) .*\{$/.test(text)) open = true;
    if (open) inside.add(index + 1);
    if (open && /^\}/.test(text)) open = false;
  });
  return inside;
}

function mutantsOf(source: string, only?: Set<number>): Mutant[] {
  const mutants: Mutant[] = [];
  const types = typeLines(source);
  source.split('\n').forEach((text, index) => {
    if (!isCode(text) || types.has(index + 1) || (only && !only.has(index + 1))) return;
    for (const [pattern, replacement] of OPERATORS) {
      for (const match of text.matchAll(pattern)) {
        const at = match.index ?? 0;
        mutants.push({ line: index + 1, before: text, after: `${text.slice(0, at)}${replacement}${text.slice(at + match[0].length)}` });
      }
    }
  });
  return mutants;
}

function sample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)] as T);
}

/** True when the tests pass. A mutant that hangs them is killed at the time limit (it is caught). */
function runTests(tests: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    // Its own process group: a mutant that loops forever is stopped with every test process
    // the runner started, not only the runner (orphans would spin on and skew what follows).
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...tests.map((t) => join(ROOT, 'test/unit', t))], { cwd: ROOT, stdio: 'ignore', detached: true, env: { ...process.env, CI: '1' } });
    const killGroup = () => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, Number(process.env['MUTATE_TIMEOUT_MS'] ?? 45_000));
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve(code === 0);
    });
  });
}

const filter = process.argv[2];
const max = Number(process.env['MUTATE_MAX'] ?? 60);
let restore: (() => void) | undefined;
process.on('SIGINT', () => {
  restore?.();
  process.exit(130);
});

let killedTotal = 0;
let total = 0;
const survivors: string[] = [];
const [shard, shards] = (process.env['MUTATE_SHARD'] ?? '1/1').split('/').map(Number) as [number, number];
for (const [index, [file, target]] of Object.entries(TARGETS).entries()) {
  if (filter && !file.includes(filter)) continue;
  if (index % shards !== shard - 1) continue;
  const { tests, only } = Array.isArray(target) ? { tests: target, only: undefined } : target;
  const path = join(ROOT, file);
  const original = readFileSync(path, 'utf8');
  if (!(await runTests(tests))) {
    console.error(`${file}: its tests fail without any mutant; fix them first`);
    process.exitCode = 1;
    continue;
  }
  const mutants = sample(mutantsOf(original, linesOf(original, only)), max);
  let killed = 0;
  restore = () => writeFileSync(path, original);
  try {
    for (const mutant of mutants) {
      const lines = original.split('\n');
      lines[mutant.line - 1] = mutant.after;
      writeFileSync(path, lines.join('\n'));
      if (await runTests(tests)) survivors.push(`${file}:${mutant.line}\n    - ${mutant.before.trim()}\n    + ${mutant.after.trim()}`);
      else killed++;
    }
  } finally {
    restore();
    restore = undefined;
  }
  killedTotal += killed;
  total += mutants.length;
  console.log(`${file}: ${killed}/${mutants.length} killed`);
}
console.log(`\nsurvivors:\n${survivors.map((s) => `  ${s}`).join('\n') || '  none'}`);
console.log(`\nmutation score: ${killedTotal}/${total} = ${total ? ((100 * killedTotal) / total).toFixed(1) : '0'}% killed by the unit tests alone`);
