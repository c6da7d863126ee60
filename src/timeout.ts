// --timeout: the deadline for a command's network work as a whole. Every request gets an
// abort signal for the time that is left, so two requests in a row cannot take twice the
// budget, and a server that trickles bytes cannot stretch it. Time spent waiting for the
// user's answer does not count: prompts restart the clock. A module of its own so that
// setting it does not load the network code into commands that never use it.
let budgetMs = 15_000;
let deadline = Date.now() + budgetMs;

export function setNetworkTimeout(ms: number): void {
  budgetMs = ms;
  deadline = Date.now() + ms;
}

/** After a question was answered: the user's thinking time is not network time. */
export function restartDeadline(): void {
  deadline = Date.now() + budgetMs;
}

/** The whole budget, for messages. */
export function networkTimeout(): number {
  return budgetMs;
}

/** What is left of the budget (0 once it has passed). */
export function remainingMs(): number {
  return Math.max(0, deadline - Date.now());
}

/** An abort signal that fires when the deadline passes. */
export function deadlineSignal(): AbortSignal {
  return AbortSignal.timeout(Math.max(1, remainingMs()));
}
