import type { CheckOutcome } from '../checks/types.js';
import { printable } from '../encode.js';
import { redact } from '../secrets.js';
import { color, symbols } from './color.js';

// Check results, grouped by category: √ ok, ‼ warning, × failure, - skipped; the reason and
// the fix indented under each problem. Written to stderr; JSON goes to stdout instead.

const clean = (text: string): string => printable(redact(text));

const MARK = { ok: symbols.ok, warn: symbols.warn, fail: symbols.fail, skip: symbols.skip } as const;

export function printChecks(outcomes: readonly CheckOutcome[]): void {
  const lines: string[] = [];
  let category = '';
  for (const outcome of outcomes) {
    if (outcome.category !== category) {
      category = outcome.category;
      lines.push('', color.bold(category), '-'.repeat(category.length));
    }
    const message = clean(outcome.message);
    lines.push(`${MARK[outcome.status]} ${outcome.description}: ${outcome.status === 'fail' ? color.red(message) : message}`);
    if (outcome.hint) lines.push(`    ${color.dim(outcome.status === 'ok' ? 'note:' : 'fix:')} ${clean(outcome.hint)}`);
    for (const detail of outcome.details ?? []) lines.push(`    ${color.dim(clean(detail))}`);
  }
  const failed = outcomes.filter((o) => o.status === 'fail').length;
  const warned = outcomes.filter((o) => o.status === 'warn').length;
  lines.push('', failed ? color.red(`${failed} check(s) failed`) : warned ? color.yellow(`all checks passed, ${warned} warning(s)`) : color.green('all checks passed'));
  process.stderr.write(`${lines.join('\n')}\n`);
}
