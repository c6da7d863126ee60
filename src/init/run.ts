import { CancelledError, IrsaError, UsageError } from '../errors.js';
import { restartDeadline } from '../timeout.js';
import type { InitStep, StepRecord } from './types.js';

// Runs the steps in order, each with the whole --timeout for itself. A failed step, a "no",
// or a manual step the rest cannot do without ends the run: what is done stays done, and
// the next run continues from there (every step observes before it acts).

export interface FailedRecord extends Omit<StepRecord, 'status'> {
  status: 'failed';
  hint?: string | undefined;
  /** Bad input (a flag, a file): exit 2 rather than 1. */
  usage?: boolean;
}

export type InitRecord = StepRecord | FailedRecord;

export interface RunHooks {
  started?(step: InitStep<unknown>): Promise<void>;
  finished?(record: InitRecord): void;
}

export async function runSteps<Context>(steps: readonly InitStep<Context>[], context: Context, hooks: RunHooks = {}): Promise<InitRecord[]> {
  const records: InitRecord[] = [];
  for (const step of steps) {
    restartDeadline();
    await hooks.started?.(step as InitStep<unknown>);
    const started = Date.now();
    let record: InitRecord;
    try {
      const outcome = await step.run(context);
      record = { id: step.id, title: step.title, durationMs: Date.now() - started, ...outcome };
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      const known = error instanceof IrsaError;
      record = {
        id: step.id,
        title: step.title,
        durationMs: Date.now() - started,
        status: 'failed',
        message: known ? error.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
        hint: known ? error.hint : 'run again with --debug and report the stack trace',
        usage: error instanceof UsageError,
      } as FailedRecord;
      if (!known && error instanceof Error) (record as FailedRecord & { stack?: string }).stack = error.stack;
    }
    records.push(record);
    hooks.finished?.(record);
    if (record.status === 'failed' || record.blocking) break;
  }
  return records;
}
