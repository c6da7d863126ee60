import { createHash } from 'node:crypto';

// MinIO's role ARN for a role-policy OpenID provider: only the client id and the server's
// region go in (cmd/config/identity/openid in MinIO's source).
export function deriveRoleArn(clientId: string, region = ''): string {
  return `arn:minio:iam:${region}::role/${roleIdOf(clientId)}`;
}

/** base64url-without-padding(SHA-1(client id)). */
export function roleIdOf(clientId: string): string {
  return createHash('sha1').update(clientId, 'utf8').digest('base64url');
}

export interface ParsedArn {
  region: string;
  roleId: string;
}

export function parseRoleArn(arn: string): ParsedArn | undefined {
  const match = /^arn:minio:iam:([^:]*)::role\/([A-Za-z0-9_-]+)$/.exec(arn);
  return match ? { region: match[1] ?? '', roleId: match[2] ?? '' } : undefined;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what we strip
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const ARN = /arn:minio:iam:[A-Za-z0-9._-]*::role\/[A-Za-z0-9_-]+/g;

/**
 * The ARNs of the last "IAM Roles:" line in MinIO's startup output. Handles plain lines,
 * "INFO: " prefixed lines (RELEASE.2024-07-13 and later), ANSI colours (a TTY) and --json
 * log lines. The last line wins: a log spanning restarts ends with the current roles.
 */
export function roleArnsFromLogs(log: string): string[] | undefined {
  let found: string[] | undefined;
  for (const line of log.split('\n')) found = roleArnsFromLine(line) ?? found;
  return found;
}

/** The ARNs on one log line, if it is an "IAM Roles:" line (logs are read line by line). */
export function roleArnsFromLine(rawLine: string): string[] | undefined {
  const message = messageOf(rawLine.replace(/\r$/, '').replace(ANSI, ''));
  const at = message.indexOf('IAM Roles:');
  if (at === -1) return undefined;
  return [...new Set(message.slice(at).match(ARN) ?? [])];
}

function messageOf(line: string): string {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON after all: read it as text.
  }
  return trimmed;
}
