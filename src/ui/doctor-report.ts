import type { CheckOutcome, CheckStatus } from '../checks/types.js';
import { printable } from '../encode.js';
import { redact } from '../secrets.js';
import { color, symbols } from './color.js';

// doctor's report: the chain as one line (the broken link at a glance), then the checks by
// category with the reason, the fix and a link to docs/checks.md under each problem. The JSON
// form is versioned (docs/checks.md, "JSON output").

export const DOCTOR_SCHEMA_VERSION = 1;
const DOCS = 'docs/checks.md';

/** The links in the order a token travels, and the checks that judge each. */
export const CHAIN: { link: string; checks: string[] }[] = [
  { link: 'workload', checks: ['workload.spec'] },
  { link: 'token', checks: ['exchange.token'] },
  { link: 'MinIO STS', checks: ['exchange.sts', 'minio.forgery', 'minio.clock'] },
  { link: 'provider', checks: ['minio.admin', 'minio.provider', 'minio.policy', 'minio.region'] },
  { link: 'discovery/JWKS', checks: ['kube.anonymous', 'kube.anonymous-scope', 'kube.binding', 'kube.discovery', 'kube.issuer-unique'] },
  { link: 'apiserver (CA)', checks: ['kube.connect', 'kube.distribution', 'kube.ca', 'tls.ca-expiry'] },
  { link: 'S3', checks: ['minio.endpoint', 'exchange.probe'] },
];

/** Least to most severe: a link shows its worst check; "skip" only when none of them ran. */
const SEVERITY: readonly CheckStatus[] = ['skip', 'ok', 'warn', 'fail'];

export function linkStatus(outcomes: readonly CheckOutcome[], ids: readonly string[]): CheckStatus {
  const ranks = outcomes.filter((o) => ids.includes(o.id)).map((o) => SEVERITY.indexOf(o.status));
  return SEVERITY[Math.max(0, ...ranks)] as CheckStatus;
}

export interface DoctorJson {
  schemaVersion: number;
  success: boolean;
  counts: Record<CheckStatus, number>;
  chain: { link: string; status: CheckStatus }[];
  categories: { name: string; checks: { id: string; description: string; result: CheckStatus; critical: boolean; message: string; hint?: string | undefined; fix: string[]; details: string[]; docs: string; durationMs: number }[] }[];
}

const clean = (text: string): string => printable(redact(text));
const MARK: Record<CheckStatus, () => string> = { ok: () => symbols.ok, warn: () => symbols.warn, fail: () => symbols.fail, skip: () => symbols.skip };

type JsonCheck = DoctorJson['categories'][number]['checks'][number];

function jsonCheck(o: CheckOutcome): JsonCheck {
  return {
    id: o.id,
    description: o.description,
    result: o.status,
    critical: Boolean(o.critical),
    message: clean(o.message),
    ...(o.hint ? { hint: clean(o.hint) } : {}),
    fix: (o.fix ?? []).map(clean),
    details: (o.details ?? []).map(clean),
    docs: `${DOCS}#${o.id.replace(/\./g, '')}`,
    durationMs: o.durationMs,
  };
}

function chainLine(chain: DoctorJson['chain']): string {
  return chain.map(({ link, status }) => `${MARK[status]()} ${link}`).join(color.dim(' → '));
}

function categoryHeader(name: string): string[] {
  return [color.bold(name), '-'.repeat(name.length)];
}

/** One check: its line, and under a problem the fix, the details and where the docs are. */
function checkLines(check: JsonCheck): string[] {
  const lines = [`${MARK[check.result]()} ${check.description}: ${check.result === 'fail' ? color.red(check.message) : check.message}`];
  if (check.result === 'fail' || check.result === 'warn') {
    if (check.hint) lines.push(`    ${color.dim('fix:')} ${check.hint}`);
    for (const detail of check.details) lines.push(`    ${color.dim(detail)}`);
    lines.push(`    ${color.dim(`see ${check.docs}`)}`);
  }
  return lines;
}

/**
 * On a terminal, checks are printed as they finish but in the list's order: a check's line
 * waits only for those above it. The picture and the summary follow at the end.
 */
export function streamingPrinter(order: readonly { id: string; category: string }[], write: (text: string) => void = (text) => process.stderr.write(text)): (outcome: CheckOutcome) => void {
  // Grouped by category as the full report is (a category's checks need not be adjacent in the list).
  const categories = [...new Set(order.map((item) => item.category))];
  order = categories.flatMap((name) => order.filter((item) => item.category === name));
  const finished = new Map<string, CheckOutcome>();
  let next = 0;
  let category = '';
  return (outcome) => {
    finished.set(outcome.id, outcome);
    const lines: string[] = [];
    for (let item = order[next]; item && finished.has(item.id); item = order[++next]) {
      const done = finished.get(item.id) as CheckOutcome;
      if (done.category !== category) {
        if (category) lines.push('');
        category = done.category;
        lines.push(...categoryHeader(category));
      }
      lines.push(...checkLines(jsonCheck(done)));
    }
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
  };
}

export function doctorReport(outcomes: readonly CheckOutcome[]): { json: DoctorJson; print: (options?: { streamed?: boolean }) => void } {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const outcome of outcomes) counts[outcome.status]++;
  const chain = CHAIN.map(({ link, checks }) => ({ link, status: linkStatus(outcomes, checks) }));
  const names = [...new Set(outcomes.map((o) => o.category))];
  const json: DoctorJson = {
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    success: counts.fail === 0,
    counts,
    chain,
    categories: names.map((name) => ({
      name,
      checks: outcomes.filter((o) => o.category === name).map(jsonCheck),
    })),
  };
  const print = (options: { streamed?: boolean } = {}) => {
    const picture = chainLine(chain);
    const lines: string[] = options.streamed ? [] : [picture, ''];
    for (const critical of outcomes.filter((o) => o.critical && o.status === 'fail')) lines.push(color.red(color.bold(`CRITICAL: ${clean(critical.message)}`)), '');
    if (!options.streamed) {
      for (const category of json.categories) {
        lines.push(...categoryHeader(category.name));
        for (const check of category.checks) lines.push(...checkLines(check));
        lines.push('');
      }
    } else lines.push(picture, '');
    const summary = counts.fail ? color.red(`${counts.fail} check(s) failed`) : counts.warn ? color.yellow(`all checks passed, ${counts.warn} warning(s)`) : color.green('all checks passed');
    lines.push(`${summary}${counts.skip ? color.dim(` (${counts.skip} skipped)`) : ''}`);
    process.stderr.write(`${lines.join('\n')}\n`);
  };
  return { json, print };
}
