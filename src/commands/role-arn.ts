import { printable } from '../encode.js';
import { OperationError, UsageError } from '../errors.js';
import { deriveRoleArn } from '../minio/arn.js';
import { arnFromAdmin, arnFromRoles, crossCheck, type ArnFinding } from '../minio/arn-sources.js';
import { scanLogCommand, scanLogFile } from '../minio/log-reader.js';
import { decimalInteger, InvalidValue } from '../validate.js';
import { CLAIM_BASED_ROLE_ARN } from '../render/workload.js';
import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { logger } from '../ui/logger.js';
import { writeJson, writeOut } from '../ui/output.js';
import { adminClientFor, type AdminFlags } from './admin-flags.js';

interface RoleArnFlags extends FlagValues, AdminFlags {
  config?: string;
  fromLogs?: string;
  fromCommand?: string;
  fromAdmin?: boolean;
  all?: boolean;
  commandTimeout: string;
  output: 'text' | 'json';
}

/** The line on which MinIO says why its OpenID provider did not load. */
const NOT_LOADED = /Unable to initialize OpenID/;

function parsedSeconds(raw: unknown, flag: string): number {
  try {
    return decimalInteger(raw, 1, 3600, 'seconds');
  } catch (error) {
    if (error instanceof InvalidValue) throw new UsageError(`${flag} ${error.message}`, `pass a valid ${flag}`);
    throw error;
  }
}

/**
 * Derive the role ARN, or read it from MinIO (its log, a command printing its log, its admin
 * API), cross-checking every source against the derivation and explaining differences.
 */
export async function roleArnCommand(flags: RoleArnFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const { clientId, region, provider, isolation } = await resolveSettings(['clientId', 'region', 'provider', 'isolation'], flags, profile);
  if (flags.fromLogs !== undefined && flags.fromCommand !== undefined) throw new UsageError('--from-logs and --from-command both name a log', 'pass one of them');
  const fromServer = flags.fromLogs !== undefined || flags.fromCommand !== undefined || flags.fromAdmin;
  if (isolation === 'bucket' && !fromServer) {
    // A claim-based provider has no role: MinIO ignores the ARN and picks the policy by sub.
    if (flags.output === 'text') logger.info("--isolation bucket: MinIO's claim-based provider has no role ARN; workloads send this one, which MinIO ignores (the token's sub names the policy)");
    emit(flags.output, { source: 'claim-based', clientId, roleArns: [CLAIM_BASED_ROLE_ARN] });
    return;
  }
  const findings: ArnFinding[] = [];

  const commandTimeout = flags.fromCommand === undefined ? 0 : parsedSeconds(flags.commandTimeout, '--command-timeout');
  const logSource =
    flags.fromLogs !== undefined
      ? { scan: () => scanLogFile(flags.fromLogs as string, NOT_LOADED), origin: flags.fromLogs === '-' ? 'stdin' : printable(flags.fromLogs) }
      : flags.fromCommand !== undefined
        ? { scan: () => scanLogCommand(flags.fromCommand as string, commandTimeout * 1000, NOT_LOADED), origin: `the output of "${printable(flags.fromCommand)}"` }
        : undefined;
  if (logSource) {
    const { roles, kept } = await logSource.scan();
    const reason = kept.at(-1);
    if (!roles && reason) {
      // One symptom, several causes: MinIO names the one that stopped its provider.
      throw new OperationError(`no "IAM Roles:" line in ${logSource.origin}: MinIO did not load its OpenID provider`, `MinIO's log says: ${reason.trim().slice(0, 400)} (minio-irsa doctor checks each link it depends on)`);
    }
    if (flags.all && roles && roles.length > 0) {
      emit(flags.output, { source: 'logs', clientId, roleArns: roles });
      return;
    }
    findings.push(arnFromRoles(roles, clientId, logSource.origin)); // throws the explanatory error when there is none
  }
  if (flags.fromAdmin) {
    const admin = await adminClientFor(flags, profile);
    findings.push(await arnFromAdmin(admin, provider));
  }
  if (findings.length === 0) {
    emit(flags.output, { source: 'derived', clientId, roleArns: [deriveRoleArn(clientId, region ?? '')] });
    return;
  }
  const check = crossCheck(clientId, region, findings);
  for (const explanation of check.explanations) logger.warn(explanation);
  if (findings.every((finding) => finding.arn === undefined)) throw new OperationError('MinIO did not report a role ARN', check.explanations[0]);
  if (check.agree && flags.output === 'text') logger.success(`${check.findings.map((f) => f.source).join(', ')} agree`);
  const primary = findings.find((f) => f.arn === check.arn)?.source ?? 'derived';
  emit(flags.output, { source: primary, clientId, roleArns: [check.arn], agree: check.agree, findings: check.findings, explanations: check.explanations });
}

function emit(output: 'text' | 'json', result: { source: string; clientId: string; roleArns: string[]; [key: string]: unknown }): void {
  if (output === 'json') writeJson(result);
  else writeOut(result.roleArns.join('\n'));
}
