// --timeout: the deadline for a command's network work as a whole. The CLI starts it; every
// request then gets an abort signal for the time that is left, so two requests in a row
// cannot take twice the budget, and a server that trickles bytes cannot stretch it. Time
// spent waiting for the user's answer does not count: prompts restart the clock. Library use
// without a started deadline (tests, a longer-lived caller) bounds each request by the budget.
// A module of its own so that setting it does not load the network code.
let budgetMs = 15_000;
let deadline: number | undefined;

/** Start the command's deadline (the CLI does, from --timeout). */
export function setNetworkTimeout(ms: number): void {
  budgetMs = ms;
  deadline = Date.now() + ms;
}

/** After a question was answered: the user's thinking time is not network time. */
export function restartDeadline(): void {
  if (deadline !== undefined) deadline = Date.now() + budgetMs;
}

/** For work that waits on purpose (doctor --wait): that much longer. */
export function extendDeadline(ms: number): void {
  if (deadline !== undefined) deadline += ms;
}

/** The whole budget, for messages. */
export function networkTimeout(): number {
  return budgetMs;
}

/** What is left (0 once the deadline has passed); the whole budget when none was started. */
export function remainingMs(): number {
  return deadline === undefined ? budgetMs : Math.max(0, deadline - Date.now());
}

/** `promise`'s value, or undefined once `ms` have passed first (the work itself is not stopped). */
export function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An abort signal that fires when the deadline passes. */
export function deadlineSignal(): AbortSignal {
  return AbortSignal.timeout(Math.max(1, remainingMs()));
}
