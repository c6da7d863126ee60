import { XMLParser } from 'fast-xml-parser';
import { OperationError } from '../errors.js';
import { httpRequest, NetworkError, type HttpResponse } from '../net.js';
import { registerSecret } from '../secrets.js';
import { assertMinio } from './recognise.js';
import { printable } from '../encode.js';
import type { Credentials } from './sigv4.js';

// STS AssumeRoleWithWebIdentity against MinIO: an UNSIGNED form POST to the S3 port (a
// signed request would be routed to AssumeRole instead).

export interface TemporaryCredentials extends Credentials {
  sessionToken: string;
  expiration: Date;
}

export type StsProblem =
  | 'wrong-audience'
  | 'unknown-role'
  | 'expired-token'
  | 'token-not-yet-valid'
  | 'jwks-unreachable'
  | 'undefined-policy'
  | 'iam-not-initialized'
  | 'invalid-token'
  | 'unknown';

/** MinIO's STS error, with what it most likely means for this setup. */
export class StsError extends OperationError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly minioMessage: string,
    readonly problem: StsProblem,
    hint: string,
  ) {
    super(`STS ${code || `HTTP ${status}`}: ${minioMessage}`, hint);
  }
}

export interface ExchangeInput {
  endpoint: string;
  token: string;
  roleArn: string;
  durationSeconds?: number;
  /** CA of MinIO's own certificate, when it is private. */
  caPem?: string | undefined;
}

// MinIO escapes quotes in messages as numeric character references (&#34;).
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, htmlEntities: true });

export async function assumeRoleWithWebIdentity(input: ExchangeInput): Promise<TemporaryCredentials> {
  registerSecret(input.token);
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', WebIdentityToken: input.token, RoleArn: input.roleArn });
  if (input.durationSeconds !== undefined) form.set('DurationSeconds', String(input.durationSeconds));
  let response: HttpResponse;
  try {
    response = await httpRequest(new URL('/', input.endpoint).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      caPem: input.caPem,
      peer: 'minio',
    });
  } catch (error) {
    if (error instanceof NetworkError) {
      const hint = error.kind === 'tls' ? error.hint : 'check the MinIO S3 endpoint (--endpoint): host, port, http vs https, and that MinIO is running';
      throw new OperationError(`cannot reach MinIO's STS at ${input.endpoint}: ${error.message}`, hint, { cause: error });
    }
    throw error;
  }
  assertMinio(response, input.endpoint);
  const text = response.body.toString('utf8');
  const parsed = safeParse(text);
  if (response.status >= 300) throw stsError(response.status, parsed, text);
  const result = (parsed['AssumeRoleWithWebIdentityResponse'] as Record<string, Record<string, Record<string, string>>> | undefined)?.['AssumeRoleWithWebIdentityResult']?.['Credentials'];
  if (!result?.['AccessKeyId'] || !result['SecretAccessKey'] || !result['SessionToken']) {
    throw new OperationError(`MinIO's STS answered ${response.status} without credentials`, 'is --endpoint really MinIO\'s S3 API port (not the console)?');
  }
  for (const secret of [result['SecretAccessKey'], result['SessionToken'], result['AccessKeyId']]) registerSecret(secret);
  return {
    accessKeyId: result['AccessKeyId'],
    secretAccessKey: result['SecretAccessKey'],
    sessionToken: result['SessionToken'],
    expiration: new Date(result['Expiration'] ?? 0),
  };
}

function safeParse(text: string): Record<string, unknown> {
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function stsError(status: number, parsed: Record<string, unknown>, raw: string): StsError {
  const error = (parsed['ErrorResponse'] as Record<string, Record<string, string>> | undefined)?.['Error'] ?? (parsed['Error'] as Record<string, string> | undefined);
  const code = printable(String(error?.['Code'] ?? ''));
  const message = printable(String(error?.['Message'] ?? raw.slice(0, 300)));
  const [problem, hint] = diagnose(status, code, message);
  return new StsError(status, code, message, problem, hint);
}

/** MinIO's messages, mapped to what the user should fix (docs/security.md, "what MinIO answers"). */
export function diagnose(status: number, code: string, message: string): [StsProblem, string] {
  const m = message.toLowerCase();
  if (code === 'STSIAMNotInitialized' || (status === 503 && m.includes('iam'))) {
    return ['iam-not-initialized', "MinIO's IAM is not initialised, usually because the OpenID provider failed at startup (config URL unreachable or CA not trusted): check MinIO's log for \"Unable to initialize OpenID\""];
  }
  if (m.includes('azp') || m.includes('audience') || m.includes(' aud')) {
    return ['wrong-audience', "the token's audience differs from MinIO's client id: the projected token's audience must equal MINIO_IDENTITY_OPENID_CLIENT_ID"];
  }
  if (m.includes('rolearn') && m.includes('not defined')) {
    return [
      'unknown-role',
      "MinIO has no such role: either the ARN is not MinIO's (compare: minio-irsa role-arn --from-admin or --from-logs; check MINIO_REGION), or MinIO's OpenID provider failed at startup (its log says \"Unable to initialize OpenID\" and it keeps retrying: fix discovery reachability and the CA, see minio-irsa cluster check)",
    ];
  }
  if (m.includes('expired')) return ['expired-token', 'the token has expired (MinIO allows no clock skew): use a fresh token and check both clocks'];
  if (m.includes('used before issued') || m.includes('not valid yet') || m.includes('nbf')) {
    return ['token-not-yet-valid', "the token is not valid yet: MinIO's clock is behind the cluster's (MinIO allows no skew); sync both with NTP"];
  }
  if (m.includes('none of the given policies') || m.includes('policy') && m.includes('not defined')) {
    return ['undefined-policy', 'the role policy does not exist in MinIO: create it (minio-irsa render policy) or fix MINIO_IDENTITY_OPENID_ROLE_POLICY'];
  }
  if (m.includes('x509') || m.includes('certificate') || m.includes('dial tcp') || m.includes('connection refused') || m.includes('no such host') || m.includes('jwks')) {
    return ['jwks-unreachable', "MinIO cannot fetch the issuer's keys (JWKS): check that MinIO reaches the config URL and jwks_uri and trusts the cluster CA (certs/CAs)"];
  }
  if (m.includes('token') || m.includes('signature') || m.includes('kid') || m.includes('jwt')) {
    return ['invalid-token', 'MinIO rejected the token: is it signed by this cluster\'s service-account key, and is this the right cluster?'];
  }
  return ['unknown', "see MinIO's message above and its server log"];
}
