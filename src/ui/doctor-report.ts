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

const RANK: Record<CheckStatus, number> = { skip: 0, ok: 1, warn: 2, fail: 3 };

export function linkStatus(outcomes: readonly CheckOutcome[], ids: readonly string[]): CheckStatus {
  const statuses = outcomes.filter((o) => ids.includes(o.id)).map((o) => o.status);
  const ran = statuses.filter((s) => s !== 'skip');
  if (ran.length === 0) return 'skip';
  return ran.reduce((worst, s) => (RANK[s] > RANK[worst] ? s : worst), 'ok' as CheckStatus);
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

export function doctorReport(outcomes: readonly CheckOutcome[]): { json: DoctorJson; print: () => void } {
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
      checks: outcomes
        .filter((o) => o.category === name)
        .map((o) => ({
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
        })),
    })),
  };
  const print = () => {
    const lines: string[] = [chain.map(({ link, status }) => `${MARK[status]()} ${link}`).join(color.dim(' → ')), ''];
    for (const critical of outcomes.filter((o) => o.critical && o.status === 'fail')) lines.push(color.red(color.bold(`CRITICAL: ${clean(critical.message)}`)), '');
    for (const category of json.categories) {
      lines.push(color.bold(category.name), '-'.repeat(category.name.length));
      for (const check of category.checks) {
        lines.push(`${MARK[check.result]()} ${check.description}: ${check.result === 'fail' ? color.red(check.message) : check.message}`);
        if (check.result === 'fail' || check.result === 'warn') {
          if (check.hint) lines.push(`    ${color.dim('fix:')} ${check.hint}`);
          for (const detail of check.details) lines.push(`    ${color.dim(detail)}`);
          lines.push(`    ${color.dim(`see ${check.docs}`)}`);
        }
      }
      lines.push('');
    }
    const summary = counts.fail ? color.red(`${counts.fail} check(s) failed`) : counts.warn ? color.yellow(`all checks passed, ${counts.warn} warning(s)`) : color.green('all checks passed');
    lines.push(`${summary}${counts.skip ? color.dim(` (${counts.skip} skipped)`) : ''}`);
    process.stderr.write(`${lines.join('\n')}\n`);
  };
  return { json, print };
}
