import { clusterChecks } from '../checks/cluster.js';
import type { DoctorContext, DoctorSettings } from '../checks/context.js';
import { exchangeChecks } from '../checks/exchange.js';
import { kubeExtraChecks } from '../checks/kube-extra.js';
import { minioChecks } from '../checks/minio.js';
import { parseWorkloadRef, workloadChecks } from '../checks/workload.js';
import { runChecks, type Check, type CheckOutcome } from '../checks/types.js';
import { ReportedFailure, UsageError } from '../errors.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues } from '../profile.js';
import { doctorReport, streamingPrinter } from '../ui/doctor-report.js';
import { writeJson } from '../ui/output.js';
import { decimalInteger, InvalidValue } from '../validate.js';
import { minioCa, type AdminFlags } from './admin-flags.js';

// doctor: every link of the chain checked, read-only unless --probe; the broken one named,
// with its fix. The checks are one ordered list; this file only gathers the inputs.

/** Without a kubeconfig there is no cluster to check: skipped, saying how to enable it. */
function withoutClusterSkipped(check: Check<DoctorContext>): Check<DoctorContext> {
  if (check.id !== 'kube.connect') return check.id === 'kube.ca' ? { ...check, category: 'TLS and CA' } : check;
  return {
    ...check,
    async run(context) {
      try {
        return await check.run(context);
      } catch (error) {
        if (error instanceof UsageError && /no kubeconfig found/.test(error.message)) return { status: 'skip', message: 'skipped: no cluster access (no kubeconfig): pass --kubeconfig PATH to check the cluster side' };
        throw error;
      }
    },
  };
}

export const DOCTOR_CHECKS: Check<DoctorContext>[] = [
  ...(clusterChecks as Check<DoctorContext>[]).map(withoutClusterSkipped),
  ...kubeExtraChecks,
  ...minioChecks,
  ...exchangeChecks,
  ...workloadChecks,
];

export const CATEGORIES = [...new Set(DOCTOR_CHECKS.map((check) => check.category))];

export interface DoctorFlags extends FlagValues, AdminFlags {
  config?: string;
  caFile?: string;
  probe?: boolean;
  category?: string[];
  skip?: string[];
  wait?: string;
  minioLog?: string;
  minioLogCommand?: string;
  pod?: string[];
  workload?: string[];
  allWorkloads?: boolean;
  output: 'text' | 'json';
}

const OPENID_LINE = /OpenID/i;

/** The checks and every check they need, transitively, in the list's order. */
export function withPrerequisites(selected: readonly Check<DoctorContext>[]): Check<DoctorContext>[] {
  const needed = new Set(selected.map((check) => check.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const check of DOCTOR_CHECKS) {
      if (!needed.has(check.id)) continue;
      for (const id of check.requires ?? []) {
        if (!needed.has(id)) {
          needed.add(id);
          grew = true;
        }
      }
    }
  }
  return DOCTOR_CHECKS.filter((check) => needed.has(check.id));
}

export async function doctorCommand(flags: DoctorFlags): Promise<void> {
  // On a terminal the checks appear as they finish (in order); elsewhere the whole report at once, picture first.
  const streamed = flags.output === 'text' && process.stderr.isTTY === true;
  const report = await runDoctor(flags, streamed);
  if (flags.output === 'json') writeJson(report.json);
  else report.print({ streamed });
  if (!report.json.success) throw new ReportedFailure(`${report.json.counts.fail} check(s) failed`);
}

/** Every check, as data and as a printer; init ends with the same. */
export async function runDoctor(flags: DoctorFlags, streamed = false): Promise<ReturnType<typeof doctorReport>> {
  const profile = await loadProfile(flags.config);
  let waitSeconds = 0;
  try {
    waitSeconds = flags.wait === undefined ? 0 : decimalInteger(flags.wait, 0, 3600, 'seconds');
  } catch (error) {
    if (error instanceof InvalidValue) throw new UsageError(`--wait ${error.message}`, 'pass --wait SECONDS');
    throw error;
  }
  if (waitSeconds > 0) (await import('../timeout.js')).extendDeadline(waitSeconds * 1000);
  const categories = (flags.category ?? []).map((name) => name.toLowerCase());
  for (const name of categories) {
    if (!CATEGORIES.some((category) => category.toLowerCase() === name)) throw new UsageError(`--category "${name}" is not a category`, `use one of: ${CATEGORIES.join(', ')}`);
  }
  for (const id of flags.skip ?? []) {
    if (!DOCTOR_CHECKS.some((check) => check.id === id)) throw new UsageError(`--skip "${id}" is not a check id`, `see docs/checks.md; ids: ${DOCTOR_CHECKS.map((c) => c.id).join(', ')}`);
  }
  const workloadRefs = [...(flags.pod ?? []), ...(flags.workload ?? [])];
  for (const ref of workloadRefs) {
    try {
      parseWorkloadRef(ref);
    } catch (error) {
      throw new UsageError(`--pod/--workload ${(error as Error).message}`, 'pass --pod NAMESPACE/NAME or --workload KIND/NAMESPACE/NAME');
    }
  }
  const required = await resolveSettings(['clientId', 'provider', 'isolation', 'rolePolicy', 'prefix', 'tokenExpiration', 'namespace'], flags, profile);
  const settings: DoctorSettings = { ...required };
  for (const name of ['kubeconfig', 'context', 'configUrl', 'endpoint', 'region', 'roleArn', 'serviceAccount', 'bucket', 'alias'] as const) {
    const value = await resolveIfGiven(name, flags, profile);
    if (value !== undefined) Object.assign(settings, { [name]: value });
  }

  let adminUnavailable: string | undefined;
  let admin: DoctorContext['options']['admin'];
  const minioCaPem = await minioCa(flags);
  if (settings.endpoint || settings.alias) {
    const { NoAdminCredentials, resolveAdmin } = await import('../minio/credentials.js');
    try {
      const target = await resolveAdmin({ alias: settings.alias, accessKey: flags.adminUser, secretKeyFile: flags.adminSecretFile, endpoint: settings.endpoint, caPem: minioCaPem });
      settings.endpoint ??= target.endpoint;
      admin = async () => new (await import('../minio/admin.js')).AdminClient(target);
    } catch (error) {
      if (!(error instanceof NoAdminCredentials)) throw error;
      adminUnavailable = 'no admin credentials: pass --alias NAME, or set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD, or --admin-user with --admin-secret-file';
    }
  }

  const minioLog =
    flags.minioLog !== undefined || flags.minioLogCommand !== undefined
      ? async () => {
          const { scanLogCommand, scanLogFile } = await import('../minio/log-reader.js');
          const scan = flags.minioLog !== undefined ? await scanLogFile(flags.minioLog, OPENID_LINE) : await scanLogCommand(flags.minioLogCommand as string, 60_000, OPENID_LINE);
          return scan.kept;
        }
      : undefined;

  const context: DoctorContext = {
    target: { kubeconfig: settings.kubeconfig, context: settings.context },
    configUrl: settings.configUrl,
    caFile: flags.caFile,
    settings,
    options: { probe: Boolean(flags.probe), minioCaPem, minioLog, admin, adminUnavailable },
    memo: new Map(),
    workloadRefs,
    allWorkloads: Boolean(flags.allWorkloads),
    results: new Map(),
  };
  const selected = categories.length === 0 ? DOCTOR_CHECKS : DOCTOR_CHECKS.filter((check) => categories.includes(check.category.toLowerCase()));
  // A category's checks need their prerequisites run (the cluster connection ...): they run,
  // and only the chosen categories are reported.
  const stream = streamed ? streamingPrinter(selected) : undefined;
  const onResult = (outcome: CheckOutcome): void => {
    context.results?.set(outcome.id, outcome);
    if (selected.some((check) => check.id === outcome.id)) stream?.(outcome);
  };
  const outcomes = await runChecks(withPrerequisites(selected), context, { skip: new Set(flags.skip ?? []), waitMs: waitSeconds * 1000, onResult });
  return doctorReport(outcomes.filter((outcome) => selected.some((check) => check.id === outcome.id)));
}
