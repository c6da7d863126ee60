// Validators for user input. Each returns the normalised value or throws InvalidValue with
// a sentence saying what a valid value looks like; the caller adds where the value came from.

export class InvalidValue extends Error {}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export function text(raw: unknown): string {
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string') throw new InvalidValue('must be a string');
  const value = raw.trim();
  if (value === '') throw new InvalidValue('must not be empty');
  return value;
}

export function dns1123Label(raw: unknown): string {
  const value = text(raw);
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new InvalidValue(
      `"${value}" is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  return value;
}

export function dns1123Subdomain(raw: unknown): string {
  const value = text(raw);
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new InvalidValue(
      `"${value}" is not a valid DNS-1123 name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    );
  }
  return value;
}

function url(raw: unknown): URL {
  const value = text(raw);
  try {
    return new URL(value);
  } catch {
    throw new InvalidValue(`"${value}" is not a URL`);
  }
}

/** The issuer discovery URL MinIO will fetch: https, ending in the discovery path. */
export function configUrl(raw: unknown): string {
  const parsed = url(raw);
  if (parsed.protocol !== 'https:') {
    throw new InvalidValue(`"${parsed.href}" is not https: MinIO fetches the issuer over TLS and Kubernetes only serves discovery for an https issuer`);
  }
  if (!parsed.pathname.endsWith(DISCOVERY_PATH)) {
    const base = parsed.pathname.replace(/\/+$/, '');
    throw new InvalidValue(`"${parsed.href}" does not end in ${DISCOVERY_PATH} (did you mean ${parsed.origin}${base}${DISCOVERY_PATH}?)`);
  }
  if (parsed.search || parsed.hash) throw new InvalidValue(`"${parsed.href}" must not have a query or fragment`);
  return parsed.href;
}

/** MinIO's S3 API endpoint: http(s)://host[:port], no path. */
export function s3Endpoint(raw: unknown): string {
  const parsed = url(raw);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidValue(`"${parsed.href}" must start with https:// or http://`);
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new InvalidValue(`"${parsed.href}" must be just scheme, host and port (the S3 API endpoint, e.g. https://minio.example.com:9000)`);
  }
  return parsed.origin;
}

export function region(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(value)) throw new InvalidValue(`"${value}" is not a valid region (letters, digits, '.', '_' and '-')`);
  return value;
}

/** An OpenID provider name as MinIO knows it; "_" is the default (unnamed) provider. */
export function providerName(raw: unknown): string {
  const value = text(raw);
  if (value !== '_' && !/^[A-Za-z0-9]([A-Za-z0-9_]{0,30}[A-Za-z0-9])?$/.test(value)) {
    throw new InvalidValue(`"${value}" is not a valid provider name ("_" for the default provider, or letters, digits and '_', becoming the _<NAME> suffix of the MINIO_IDENTITY_OPENID_* variables)`);
  }
  return value;
}

/** The OpenID client id, which is also the token audience. */
export function clientId(raw: unknown): string {
  const value = text(raw);
  if (!/^[\x21-\x7e]+$/.test(value) || /[,"'\\$#`]/.test(value)) {
    throw new InvalidValue(`"${value}" is not a usable client id (printable characters without spaces, commas, quotes, '$', '#' or backslashes)`);
  }
  return value;
}

const POLICY_NAME = /^[A-Za-z0-9_.@+=-]{1,128}$/;

export function policyNames(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : text(raw).split(',');
  const names = items.map((item) => item.trim()).filter((item) => item !== '');
  if (names.length === 0) throw new InvalidValue('must name at least one policy');
  for (const name of names) {
    if (!POLICY_NAME.test(name)) throw new InvalidValue(`"${name}" is not a valid policy name (letters, digits and _.@+=-)`);
  }
  return [...new Set(names)];
}

export function displayName(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new InvalidValue(`"${value}" is not a valid display name (letters, digits, '.', '_' and '-')`);
  return value;
}

export function roleArn(raw: unknown): string {
  const value = text(raw);
  if (!/^arn:minio:iam:[A-Za-z0-9._-]*::role\/[A-Za-z0-9_-]+$/.test(value)) {
    throw new InvalidValue(`"${value}" is not a MinIO role ARN (arn:minio:iam:<region>::role/<id>)`);
  }
  return value;
}

/** Kubernetes refuses projected tokens that live shorter than 10 minutes. */
export function tokenExpiration(raw: unknown): number {
  const value = typeof raw === 'number' ? raw : Number(text(raw));
  if (!Number.isInteger(value) || value < 600) throw new InvalidValue(`"${String(raw)}" must be a whole number of seconds, at least 600 (Kubernetes' minimum)`);
  if (value > 4294967295) throw new InvalidValue(`"${String(raw)}" is too large`);
  return value;
}

/** Where AWS_WEB_IDENTITY_TOKEN_FILE points inside the pod: an absolute file path. */
export function tokenPath(raw: unknown): string {
  const value = text(raw);
  const parts = value.split('/');
  if (!value.startsWith('/') || value.endsWith('/') || parts.some((part, i) => i > 0 && (part === '' || part === '.' || part === '..'))) {
    throw new InvalidValue(`"${value}" must be an absolute file path such as /var/run/secrets/eks.amazonaws.com/serviceaccount/token`);
  }
  if (parts.length < 3) throw new InvalidValue(`"${value}" must be a file inside a directory (the directory becomes the volume mount)`);
  return value;
}

export function bucket(raw: unknown): string {
  const value = text(raw);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    throw new InvalidValue(`"${value}" is not a valid bucket name (3-63 lowercase letters, digits, '.' and '-')`);
  }
  return value;
}

/** An object key prefix: empty, or segments ending in '/'. */
export function prefix(raw: unknown): string {
  if (raw === '' || raw === null) return '';
  const value = text(raw).replace(/^\/+/, '');
  if (/[*?$\s{}]/.test(value) || value.split('/').some((part) => part === '.' || part === '..')) {
    throw new InvalidValue(`"${value}" is not a plain key prefix (no wildcards, '$', braces, spaces or dot segments)`);
  }
  return value === '' || value.endsWith('/') ? value : `${value}/`;
}

export function image(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(value)) throw new InvalidValue(`"${value}" is not a container image reference`);
  return value;
}

export function absolutePath(raw: unknown): string {
  const value = text(raw);
  if (!value.startsWith('/') || value.endsWith('/')) throw new InvalidValue(`"${value}" must be an absolute file path`);
  return value;
}

export function filePath(raw: unknown): string {
  return text(raw);
}

export function mcAlias(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)) throw new InvalidValue(`"${value}" is not an mc alias name (letters, digits, '_' and '-')`);
  return value;
}
