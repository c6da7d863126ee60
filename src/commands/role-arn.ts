import { readFile } from 'node:fs/promises';
import { OperationError, UsageError } from '../errors.js';
import { deriveRoleArn, parseRoleArn, roleArnsFromLogs, roleIdOf } from '../minio/arn.js';
import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { logger } from '../ui/logger.js';
import { writeJson, writeOut } from '../ui/output.js';

interface RoleArnFlags extends FlagValues {
  config?: string;
  fromLogs?: string;
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

/** Derive the role ARN, or find it in MinIO's startup log and check it against the derivation. */
export async function roleArnCommand(flags: RoleArnFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const { clientId, region } = await resolveSettings(['clientId', 'region'], flags, profile);
  const derived = deriveRoleArn(clientId, region ?? '');
  if (flags.fromLogs === undefined) {
    emit(flags.output, [derived], 'derived', clientId);
    return;
  }

  const source = flags.fromLogs === '-' ? 'stdin' : flags.fromLogs;
  const found = roleArnsFromLogs(await readLogs(flags.fromLogs));
  if (!found || found.length === 0) {
    throw new OperationError(
      `no "IAM Roles:" line with a role ARN in ${source}`,
      'MinIO prints "IAM Roles: arn:minio:iam:..." at startup (not with --quiet) once an OpenID provider with a role policy (MINIO_IDENTITY_OPENID_ROLE_POLICY) is loaded: pass the log of its latest start',
    );
  }
  if (flags.all) {
    emit(flags.output, found, 'logs', clientId);
    return;
  }
  const roleId = roleIdOf(clientId);
  const match = found.find((arn) => parseRoleArn(arn)?.roleId === roleId);
  if (!match) {
    throw new OperationError(
      `none of the role ARNs in ${source} (${found.join(', ')}) belongs to client id "${clientId}" (role id ${roleId})`,
      'pass the --client-id that MinIO is configured with (MINIO_IDENTITY_OPENID_CLIENT_ID), or --all to list every ARN',
    );
  }
  if (match !== derived) {
    const serverRegion = parseRoleArn(match)?.region ?? '';
    logger.warn(
      `MinIO's ARN has region "${serverRegion}" but the derivation used "${region ?? ''}": ` +
        (serverRegion ? `MinIO has a region set; use --region ${serverRegion} (minio.region in the profile)` : 'MinIO has no region set; drop --region (minio.region)'),
    );
  }
  emit(flags.output, [match], 'logs', clientId);
}

function emit(output: 'text' | 'json', arns: string[], source: 'derived' | 'logs', clientId: string): void {
  if (output === 'json') writeJson({ source, clientId, roleArns: arns });
  else writeOut(arns.join('\n'));
}
