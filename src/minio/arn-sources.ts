import { OperationError } from '../errors.js';
import type { AdminClient } from './admin.js';
import { deriveRoleArn, parseRoleArn, roleArnsFromLogs, roleIdOf } from './arn.js';

// The role ARN from three places: derived offline, MinIO's startup log, MinIO's admin API.
// They must agree; when they do not, say which and why.

export type ArnSource = 'derived' | 'logs' | 'admin';

export interface ArnFinding {
  source: ArnSource;
  arn: string | undefined;
  detail: string;
}

/** The ARN of this client id among the ARNs found in a log. */
export function arnFromLog(log: string, clientId: string, origin: string): ArnFinding {
  return arnFromRoles(roleArnsFromLogs(log), clientId, origin);
}

/** The same, from the ARNs of the log's last "IAM Roles:" line (undefined: there was none). */
export function arnFromRoles(found: string[] | undefined, clientId: string, origin: string): ArnFinding {
  if (!found || found.length === 0) {
    throw new OperationError(
      `no "IAM Roles:" line with a role ARN in ${origin}`,
      'MinIO prints "IAM Roles: arn:minio:iam:..." at startup (not with --quiet) once an OpenID provider with a role policy (MINIO_IDENTITY_OPENID_ROLE_POLICY) is loaded: pass the log of its latest start',
    );
  }
  const roleId = roleIdOf(clientId);
  const match = found.find((arn) => parseRoleArn(arn)?.roleId === roleId);
  // One role: it is MinIO's, whatever client id it belongs to (the cross-check says why).
  // Several and none of them ours: there is no telling which one is meant.
  if (!match && found.length > 1) {
    throw new OperationError(
      `none of the role ARNs in ${origin} (${found.join(', ')}) belongs to client id "${clientId}" (role id ${roleId})`,
      'pass the --client-id that MinIO is configured with (MINIO_IDENTITY_OPENID_CLIENT_ID), or --all to list every ARN',
    );
  }
  return { source: 'logs', arn: match ?? found[0], detail: `${origin}: ${found.join(' ')}` };
}

export async function arnFromAdmin(admin: AdminClient, provider: string): Promise<ArnFinding> {
  const providers = await admin.listOpenIdProviders();
  const item = providers.find((p) => p.name === provider);
  if (!item) {
    return { source: 'admin', arn: undefined, detail: `no OpenID provider "${provider}" in MinIO (providers: ${providers.map((p) => p.name).join(', ') || 'none'}); added ones appear after a restart` };
  }
  if (!item.roleArn) {
    return { source: 'admin', arn: undefined, detail: `provider "${provider}" has no role ARN: it has no role policy, or MinIO has not loaded it yet (restart MinIO)` };
  }
  return { source: 'admin', arn: item.roleArn, detail: `provider "${provider}" in MinIO's admin API` };
}

export interface CrossCheck {
  findings: ArnFinding[];
  /** The ARN MinIO itself uses when it told us one, else the derived one. */
  arn: string;
  agree: boolean;
  explanations: string[];
}

export function crossCheck(clientId: string, region: string | undefined, findings: ArnFinding[]): CrossCheck {
  const derived = deriveRoleArn(clientId, region ?? '');
  const all: ArnFinding[] = [{ source: 'derived', arn: derived, detail: `client id "${clientId}", region "${region ?? ''}"` }, ...findings];
  const server = findings.find((f) => f.source === 'admin' && f.arn) ?? findings.find((f) => f.source === 'logs' && f.arn);
  const explanations: string[] = [];
  for (const finding of findings) {
    if (!finding.arn) {
      explanations.push(`${finding.source}: ${finding.detail}`);
      continue;
    }
    if (finding.arn === derived) continue;
    const theirs = parseRoleArn(finding.arn);
    const ours = parseRoleArn(derived);
    if (theirs && ours && theirs.roleId !== ours.roleId) {
      explanations.push(`${finding.source}: role id ${theirs.roleId} is not derived from client id "${clientId}" (that gives ${ours.roleId}): MinIO's provider uses another client id; pass the one in MINIO_IDENTITY_OPENID_CLIENT_ID as --client-id`);
    }
    if (theirs && ours && theirs.region !== ours.region) {
      explanations.push(
        `${finding.source}: region "${theirs.region}" differs from "${ours.region}": ` +
          (theirs.region ? `MinIO has a region set (MINIO_REGION or site region): set --region ${theirs.region} (minio.region)` : 'MinIO has no region set: drop --region (minio.region)'),
      );
    }
  }
  const arns = new Set(all.map((f) => f.arn).filter((arn): arn is string => arn !== undefined));
  return { findings: all, arn: server?.arn ?? derived, agree: arns.size === 1 && all.every((f) => f.arn), explanations };
}
