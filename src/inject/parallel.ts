import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { InjectionSettings } from './core.js';
import { injectDocuments, injectManifests, isJsonText, lineBreaks, splitDocuments, type InjectOptions, type InjectReport } from './manifests.js';

// A large input (a big chart's output) is cut into contiguous runs of documents, injected on
// as many threads as the machine has cores (this one takes a run too), and joined back in
// order: documents are independent, so the result is byte for byte what one thread writes,
// and the error reported is the first one in the input, as one thread would report it.

/** Below this, starting a thread costs more than it saves. */
const PARALLEL_FROM_BYTES = 1 << 20;
const MAX_THREADS = 4;

export interface PartRequest {
  pieces: string[];
  source: string;
  firstLine: number;
  settings: InjectionSettings;
  options: InjectOptions;
}

export type PartOutcome = ({ ok: true } & { text: string; report: InjectReport }) | { ok: false; message: string; hint: string | undefined };

/** The worker entry next to this module: built (dist/inject-worker.js), or run from source by the tests (through tsx). */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = FROM_SOURCE ? new URL('./worker.ts', import.meta.url) : new URL('./inject-worker.js', import.meta.url);

function inWorker(request: PartRequest): Promise<PartOutcome> {
  return new Promise((resolve, reject) => {
    // From source the thread first registers tsx's loader (threads do not inherit it), then loads the entry.
    const worker = FROM_SOURCE
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}); });`, { eval: true, workerData: request })
      : new Worker(WORKER, { workerData: request });
    worker.once('message', (outcome: PartOutcome) => resolve(outcome));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the inject worker exited (${code}) without a result`)));
  });
}

function inThisThread(request: PartRequest): PartOutcome {
  try {
    return { ok: true, ...injectDocuments(request.pieces, request.source, request.firstLine, request.settings, request.options) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { ok: false, message: error.message, hint: error.hint };
  }
}

/** Contiguous runs of about equal size, each with the line it starts at. */
export function partition(pieces: readonly string[], parts: number): { pieces: string[]; firstLine: number }[] {
  const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const runs: { pieces: string[]; firstLine: number }[] = [];
  let current: string[] = [];
  let size = 0;
  let line = 1;
  let firstLine = 1;
  for (const piece of pieces) {
    current.push(piece);
    size += piece.length;
    line += lineBreaks(piece);
    if (size >= (total * (runs.length + 1)) / parts && runs.length < parts - 1) {
      runs.push({ pieces: current, firstLine });
      current = [];
      firstLine = line;
    }
  }
  if (current.length > 0) runs.push({ pieces: current, firstLine });
  return runs;
}

export async function injectManifestsInParallel(text: string, source: string, settings: InjectionSettings, options: InjectOptions): Promise<{ text: string; report: InjectReport }> {
  const threads = Math.min(availableParallelism(), MAX_THREADS);
  if (threads < 2 || text.length < PARALLEL_FROM_BYTES || isJsonText(text)) return injectManifests(text, source, settings, options);
  const [own, ...others] = partition(splitDocuments(text), threads).map((run): PartRequest => ({ ...run, source, settings, options }));
  if (!own) return injectManifests(text, source, settings, options);
  // The threads start first; this one works meanwhile.
  const running = others.map(inWorker);
  const outcomes = [inThisThread(own), ...(await Promise.all(running))];
  const report: InjectReport = { injected: [], unchanged: [], optedOut: [], passedThrough: 0, notes: [] };
  const texts: string[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) throw new UsageError(outcome.message, outcome.hint);
    texts.push(outcome.text);
    // One by one: a spread of 100k+ names would overflow the call stack.
    for (const key of ['injected', 'unchanged', 'optedOut', 'notes'] as const) for (const item of outcome.report[key]) report[key].push(item);
    report.passedThrough += outcome.report.passedThrough;
  }
  return { text: texts.join(''), report };
}
