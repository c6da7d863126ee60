// Every secret the process learns (client secrets, admin keys, tokens, temporary
// credentials) is registered here, and every line the logger writes is scrubbed of them,
// so an error message that happens to quote one cannot leak it.

const known = new Set<string>();
const MIN_LENGTH = 6; // shorter values would scrub ordinary words out of messages

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_LENGTH) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[redacted]');
  return out;
}
