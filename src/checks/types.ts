import { IrsaError } from '../errors.js';

// Checks as objects in a list (linkerd check, expo-doctor): each has a stable id (its anchor in
// docs/checks.md), a category, what it needs, and runs against a shared context without
// throwing; the runner orders, skips, retries and times them; the printer groups them.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  message: string;
  hint?: string | undefined;
  /** Commands that fix it, when there are such. */
  fix?: string[] | undefined;
  details?: string[] | undefined;
  /** A failure that undoes the whole point (a forgeable secret): shown first and loudest. */
  critical?: boolean | undefined;
}

export interface Check<Context> {
  id: string;
  category: string;
  description: string;
  /** Ids of checks that must pass (ok or warn) before this one can run. */
  requires?: readonly string[];
  /** Ids of checks to wait for (whatever their result), to explain a symptom by them. */
  after?: readonly string[];
  /** Why this check cannot run here (no admin credentials, no --probe ...), with how to enable it. */
  unavailable?(context: Context): string | undefined;
  /** It can become true by itself (after a restart): --wait retries it until the deadline. */
  retryable?: boolean;
  run(context: Context): Promise<CheckResult>;
}

export interface CheckOutcome extends CheckResult {
  id: string;
  category: string;
  description: string;
  durationMs: number;
}

export interface RunOptions {
  /** Ids to leave out (shown as skipped). */
  skip?: ReadonlySet<string>;
  /** Retry retryable failures until this many milliseconds have passed. */
  waitMs?: number;
  /** Called as each check finishes (results stream; the printer keeps the list's order). */
  onResult?: (outcome: CheckOutcome) => void;
}

function fromError(error: unknown): CheckResult {
  if (error instanceof IrsaError) return { status: 'fail', message: error.message, hint: error.hint };
  return { status: 'fail', message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
}

async function runOne<Context>(check: Check<Context>, context: Context, deadline: number): Promise<CheckResult> {
  for (;;) {
    let result: CheckResult;
    try {
      result = await check.run(context);
    } catch (error) {
      result = fromError(error);
    }
    if (result.status !== 'fail' || !check.retryable || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Runs every check whose requirements are met, in waves; independent checks run concurrently. */
export async function runChecks<Context>(checks: readonly Check<Context>[], context: Context, options: RunOptions = {}): Promise<CheckOutcome[]> {
  const done = new Map<string, CheckOutcome>();
  const deadline = Date.now() + (options.waitMs ?? 0);
  let pending = [...checks];
  while (pending.length > 0) {
    const ready = pending.filter((check) => [...(check.requires ?? []), ...(check.after ?? [])].every((id) => done.has(id) || !checks.some((c) => c.id === id)));
    if (ready.length === 0) throw new Error(`check requirements form a cycle: ${pending.map((c) => c.id).join(', ')}`);
    const results = await Promise.all(
      ready.map(async (check): Promise<CheckOutcome> => {
        const base = { id: check.id, category: check.category, description: check.description };
        const started = Date.now();
        const finish = (result: CheckResult): CheckOutcome => {
          const outcome = { ...base, ...result, durationMs: Date.now() - started };
          options.onResult?.(outcome);
          return outcome;
        };
        if (options.skip?.has(check.id)) return finish({ status: 'skip', message: 'skipped: --skip' });
        const blocked = (check.requires ?? []).find((id) => {
          const status = done.get(id)?.status;
          return status === 'fail' || status === 'skip';
        });
        if (blocked) return finish({ status: 'skip', message: `skipped: needs "${done.get(blocked)?.description ?? blocked}"` });
        const reason = check.unavailable?.(context);
        if (reason) return finish({ status: 'skip', message: `skipped: ${reason}` });
        return finish(await runOne(check, context, deadline));
      }),
    );
    for (const result of results) done.set(result.id, result);
    pending = pending.filter((check) => !done.has(check.id));
  }
  return checks.map((check) => done.get(check.id) as CheckOutcome);
}
