import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { injectDocuments } from './manifests.js';
import type { PartOutcome, PartRequest } from './parallel.js';

// One part of a large input, injected on its own thread (parallel.ts). A usage error (bad
// YAML, static keys) goes back as data, so the caller can report the first one in input
// order; anything else is a bug and ends the worker with its error.

const { pieces, source, firstLine, settings, options } = workerData as PartRequest;
let outcome: PartOutcome;
try {
  outcome = { ok: true, ...injectDocuments(pieces, source, firstLine, settings, options) };
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  outcome = { ok: false, message: error.message, hint: error.hint };
}
parentPort?.postMessage(outcome);
