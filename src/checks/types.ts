import { IrsaError } from '../errors.js';

// Checks as objects in a list (linkerd check, expo-doctor): each says what it checks, runs
// against a shared context, and never throws; the runner groups and prints them.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  message: string;
  hint?: string | undefined;
  details?: string[] | undefined;
}

export interface Check<Context> {
  id: string;
  category: string;
  description: string;
  /** Ids of checks that must pass (ok or warn) before this one can run. */
  requires?: readonly string[];
  run(context: Context): Promise<CheckResult>;
}

export interface CheckOutcome extends CheckResult {
  id: string;
  category: string;
  description: string;
}

function fromError(error: unknown): CheckResult {
  if (error instanceof IrsaError) return { status: 'fail', message: error.message, hint: error.hint };
  return { status: 'fail', message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}` };
}

/** Runs every check whose requirements are met, in waves; independent checks run concurrently. */
export async function runChecks<Context>(checks: readonly Check<Context>[], context: Context): Promise<CheckOutcome[]> {
  const done = new Map<string, CheckOutcome>();
  let pending = [...checks];
  while (pending.length > 0) {
    const ready = pending.filter((check) => (check.requires ?? []).every((id) => done.has(id) || !checks.some((c) => c.id === id)));
    if (ready.length === 0) throw new Error(`check requirements form a cycle: ${pending.map((c) => c.id).join(', ')}`);
    const results = await Promise.all(
      ready.map(async (check): Promise<CheckOutcome> => {
        const blocked = (check.requires ?? []).find((id) => {
          const status = done.get(id)?.status;
          return status === 'fail' || status === 'skip';
        });
        const base = { id: check.id, category: check.category, description: check.description };
        if (blocked) return { ...base, status: 'skip', message: `skipped: needs "${done.get(blocked)?.description ?? blocked}"` };
        try {
          return { ...base, ...(await check.run(context)) };
        } catch (error) {
          return { ...base, ...fromError(error) };
        }
      }),
    );
    for (const result of results) done.set(result.id, result);
    pending = pending.filter((check) => !done.has(check.id));
  }
  return checks.map((check) => done.get(check.id) as CheckOutcome);
}
