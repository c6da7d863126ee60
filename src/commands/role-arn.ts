import { readFile } from 'node:fs/promises';
import { OperationError, UsageError } from '../errors.js';
import { deriveRoleArn, roleArnsFromLogs } from '../minio/arn.js';
import { arnFromAdmin, arnFromLog, crossCheck, logsFromCommand, type ArnFinding } from '../minio/arn-sources.js';
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
  output: 'text' | 'json';
}

async function readLogs(source: string): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --from-logs ${source}: ${(error as Error).message}`, 'pass a readable log file, or - to read stdin');
  }
}

/**
 * Derive the role ARN, or read it from MinIO (its log, a command printing its log, its admin
 * API), cross-checking every source against the derivation and explaining differences.
 */
export async function roleArnCommand(flags: RoleArnFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const { clientId, region, provider } = await resolveSettings(['clientId', 'region', 'provider'], flags, profile);
  if (flags.fromLogs !== undefined && flags.fromCommand !== undefined) throw new UsageError('--from-logs and --from-command both name a log', 'pass one of them');
  const findings: ArnFinding[] = [];

  const logSource = flags.fromLogs !== undefined ? { text: readLogs(flags.fromLogs), origin: flags.fromLogs === '-' ? 'stdin' : flags.fromLogs } : flags.fromCommand !== undefined ? { text: logsFromCommand(flags.fromCommand), origin: `the output of "${flags.fromCommand}"` } : undefined;
  if (logSource) {
    const log = await logSource.text;
    const all = flags.all ? (roleArnsFromLogs(log) ?? []) : [];
    if (all.length > 0) {
      emit(flags.output, { source: 'logs', clientId, roleArns: all });
      return;
    }
    findings.push(arnFromLog(log, clientId, logSource.origin)); // throws the explanatory error when there is none

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
