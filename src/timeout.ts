// The bound on every network request (the global --timeout). A module of its own so that
// setting it does not load the network code into commands that never use it.
let timeoutMs = 15_000;

export function setNetworkTimeout(ms: number): void {
  timeoutMs = ms;
}

export function networkTimeout(): number {
  return timeoutMs;
}
