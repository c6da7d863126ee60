// Command data (manifests, ARNs, JSON) goes to stdout and nothing else does.
export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeJson(value: unknown): void {
  writeOut(JSON.stringify(value, null, 2));
}

export function stdoutIsTerminal(): boolean {
  return Boolean(process.stdout.isTTY);
}

/** The file an --out flag names, or undefined for stdout (no --out, or "-" as for inject's inputs). */
export const outFile = (out: string | undefined): string | undefined => (out === '-' ? undefined : out);
