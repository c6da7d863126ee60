// Validators for user input. Each returns the normalised value or throws InvalidValue with
// a sentence saying what a valid value looks like; the caller adds where the value came from.

import { isIP } from 'node:net';
import { hasControl, printable } from './encode.js';

export class InvalidValue extends Error {}

/** A value quoted back to the user: control characters made visible. */
export function shown(value: unknown): string {
  return `"${printable(String(value))}"`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * Every textual value: a string (a YAML `true` or `123` where a name belongs is a mistake,
 * not a name), not empty, without control characters or line breaks.
 */
export function text(raw: unknown): string {
  if (typeof raw !== 'string') {
    if (typeof raw === 'number' || typeof raw === 'boolean') throw new InvalidValue(`must be a string, not the ${typeof raw} ${String(raw)} (quote it in YAML: '${String(raw)}')`);
    throw new InvalidValue(`must be a string, not ${raw === null || raw === undefined ? 'empty' : Array.isArray(raw) ? 'a list' : 'a mapping'}`);
  }
  const value = raw.trim();
  if (value === '') throw new InvalidValue('must not be empty');
  if (hasControl(value)) throw new InvalidValue(`${shown(value)} contains control characters or line breaks`);
  return value;
}

/** A whole number written in decimal digits only (no 0x10, 1e4, 12.0 or +5). */
export function decimalInteger(raw: unknown, min: number, max: number, unit = ''): number {
  const value = typeof raw === 'number' ? raw : /^\d{1,15}$/.test(typeof raw === 'string' ? raw.trim() : '') ? Number((raw as string).trim()) : NaN;
  const range = `from ${min} to ${max}${unit ? ` ${unit}` : ''}`;
  if (!Number.isSafeInteger(value)) throw new InvalidValue(`${shown(raw)} must be a whole number in decimal digits, ${range}`);
  if (value < min || value > max) throw new InvalidValue(`${shown(raw)} must be ${range}`);
  return value;
}

// Host names and IP literals as they may appear in a URL we write into files: no character a
// shell, an env file or YAML treats specially (WHATWG URLs allow $ ' ( ) ; & in hosts).
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\[[0-9A-Fa-f:.]+\]$/;
const URL_PATH = /^(?:\/[A-Za-z0-9._~%-]*)*$/;

export function dns1123Label(raw: unknown): string {
  const value = text(raw);
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new InvalidValue(
      `${shown(value)} is not a valid DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  return value;
}

export function dns1123Subdomain(raw: unknown): string {
  const value = text(raw);
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new InvalidValue(
      `${shown(value)} is not a valid DNS-1123 name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    );
  }
  return value;
}

function url(raw: unknown): URL {
  const value = text(raw);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidValue(`${shown(value)} is not a URL`);
  }
  if (/\s/.test(value)) throw new InvalidValue(`${shown(value)} must not contain spaces`);
  if (parsed.username || parsed.password) throw new InvalidValue(`${shown(value)} must not carry credentials (user:password@)`);
  if (!HOST.test(parsed.hostname)) throw new InvalidValue(`${shown(value)} has a host name with characters no host has (letters, digits, '-' and '.', or an IP address)`);
  if (!URL_PATH.test(parsed.pathname)) throw new InvalidValue(`${shown(value)} has characters in its path that a discovery or S3 URL does not need (letters, digits, '.', '_', '~', '-', '%' and '/')`);
  return parsed;
}

/** Also an empty one ("https://host/?"): URL.search and URL.hash are '' for those. */
function hasQueryOrFragment(parsed: URL): boolean {
  return /[?#]/.test(parsed.href);
}

/** The issuer discovery URL MinIO will fetch: https, ending in the discovery path. */
export function configUrl(raw: unknown): string {
  const parsed = url(raw);
  if (parsed.protocol !== 'https:') {
    throw new InvalidValue(`${shown(parsed.href)} is not https: MinIO fetches the issuer over TLS and Kubernetes only serves discovery for an https issuer`);
  }
  if (!parsed.pathname.endsWith(DISCOVERY_PATH)) {
    const base = parsed.pathname.replace(/\/+$/, '');
    throw new InvalidValue(`${shown(parsed.href)} does not end in ${DISCOVERY_PATH} (did you mean ${parsed.origin}${base}${DISCOVERY_PATH}?)`);
  }
  if (hasQueryOrFragment(parsed)) throw new InvalidValue(`${shown(parsed.href)} must not have a query or fragment`);
  return parsed.href;
}

/** MinIO's S3 API endpoint: http(s)://host[:port], no path. */
export function s3Endpoint(raw: unknown): string {
  const parsed = url(raw);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidValue(`${shown(parsed.href)} must start with https:// or http://`);
  }
  if (parsed.pathname !== '/' || hasQueryOrFragment(parsed)) {
    throw new InvalidValue(`${shown(parsed.href)} must be just scheme, host and port (the S3 API endpoint, e.g. https://minio.example.com:9000)`);
  }
  return parsed.origin;
}

export function region(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(value)) throw new InvalidValue(`${shown(value)} is not a valid region (letters, digits, '.', '_' and '-')`);
  return value;
}

/** An OpenID provider name as MinIO knows it; "_" is the default (unnamed) provider. */
export function providerName(raw: unknown): string {
  const value = text(raw);
  if (value !== '_' && !/^[A-Za-z0-9]([A-Za-z0-9_]{0,30}[A-Za-z0-9])?$/.test(value)) {
    throw new InvalidValue(`${shown(value)} is not a valid provider name ("_" for the default provider, or letters, digits and '_', becoming the _<NAME> suffix of the MINIO_IDENTITY_OPENID_* variables)`);
  }
  return value;
}

/** The OpenID client id, which is also the token audience. */
export function clientId(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9._~:/@+=-]{0,254}$/.test(value)) {
    throw new InvalidValue(`${shown(value)} is not a usable client id (up to 255 letters, digits and . _ ~ : / @ + = -, such as sts.amazonaws.com or https://minio.example.com)`);
  }
  return value;
}

const POLICY_NAME = /^[A-Za-z0-9_.@+=-]{1,128}$/;

export function policyNames(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(text) : text(raw).split(',');
  const names = items.map((item) => item.trim()).filter((item) => item !== '');
  if (names.length === 0) throw new InvalidValue('must name at least one policy');
  for (const name of names) {
    if (!POLICY_NAME.test(name)) throw new InvalidValue(`${shown(name)} is not a valid policy name (letters, digits and _.@+=-)`);
  }
  return [...new Set(names)];
}

export function displayName(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new InvalidValue(`${shown(value)} is not a valid display name (letters, digits, '.', '_' and '-')`);
  return value;
}

export function roleArn(raw: unknown): string {
  const value = text(raw);
  if (!/^arn:minio:iam:[A-Za-z0-9._-]*::role\/[A-Za-z0-9_-]+$/.test(value)) {
    throw new InvalidValue(`${shown(value)} is not a MinIO role ARN (arn:minio:iam:<region>::role/<id>)`);
  }
  return value;
}

/** Kubernetes refuses projected tokens that live shorter than 10 minutes. */
export function tokenExpiration(raw: unknown): number {
  return decimalInteger(raw, 600, 4294967295, "seconds (Kubernetes' minimum is 600)");
}

const PATH_SEGMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** An absolute path inside a container: plain segments only, so it is safe in every format. */
function containerPath(raw: unknown, example: string): string {
  const value = text(raw);
  const parts = value.split('/').slice(1);
  if (!value.startsWith('/') || value.length > 1024 || parts.some((part) => !PATH_SEGMENT.test(part) || part === '.' || part === '..')) {
    throw new InvalidValue(`${shown(value)} must be an absolute file path of plain names (letters, digits, '.', '_' and '-'), such as ${example}`);
  }
  return value;
}

/** Where AWS_WEB_IDENTITY_TOKEN_FILE points inside the pod: an absolute file path. */
export function tokenPath(raw: unknown): string {
  const value = containerPath(raw, '/var/run/secrets/eks.amazonaws.com/serviceaccount/token');
  if (value.split('/').length < 3) throw new InvalidValue(`${shown(value)} must be a file inside a directory (the directory becomes the volume mount)`);
  return value;
}

export function bucket(raw: unknown): string {
  const value = text(raw);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(value)) {
    throw new InvalidValue(`${shown(value)} is not a valid bucket name (3-63 lowercase letters, digits, '.' and '-')`);
  }
  return value;
}

/** An object key prefix: empty, or segments ending in '/'. */
export function prefix(raw: unknown): string {
  if (raw === '' || raw === null) return '';
  const value = text(raw).replace(/^\/+/, '').replace(/\/+$/, '');
  if (value === '') return '';
  if (value.length > 512 || value.split('/').some((part) => !PATH_SEGMENT.test(part) || part === '.' || part === '..')) {
    throw new InvalidValue(`${shown(value)} is not a plain key prefix: segments of letters, digits, '.', '_' and '-' separated by '/' (no wildcards, '$', quotes, spaces or dot segments)`);
  }
  return `${value}/`;
}

export function image(raw: unknown): string {
  const value = text(raw);
  if (value.length > 512 || !/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(value)) throw new InvalidValue(`${shown(value)} is not a container image reference`);
  return value;
}

/** An absolute file path inside a container, in a directory of its own (a database). */
export function absolutePath(raw: unknown): string {
  const value = containerPath(raw, '/db/app.db');
  if (value.split('/').length < 3) throw new InvalidValue(`${shown(value)} must be a file inside a directory (the directory becomes the volume mount)`);
  return value;
}

/** A path on this machine, to read or write: any name the file system allows, but printable. */
export function filePath(raw: unknown): string {
  return text(raw);
}

/** A path that may start with ~/ (as in the README's profile), expanded like a shell does. */
export function homePath(raw: unknown, home = process.env['HOME'] ?? ''): string {
  const value = filePath(raw);
  if (value === '~') return home;
  return value.startsWith('~/') && home ? `${home.replace(/\/+$/, '')}/${value.slice(2)}` : value;
}

/** A validator for one of a fixed set of words. */
function oneOf<T extends string>(values: readonly T[], what: string): (raw: unknown) => T {
  return (raw) => {
    const value = text(raw);
    if (!(values as readonly string[]).includes(value)) throw new InvalidValue(`${shown(value)} is not ${what} (${values.join(', ')})`);
    return value as T;
  };
}

export const ISOLATION_MODES = ['bucket', 'prefix', 'prefix-nolist'] as const;
export type Isolation = (typeof ISOLATION_MODES)[number];

/** How workloads are kept apart (docs/security.md, "Isolation"). */
export const isolation = oneOf(ISOLATION_MODES, 'an isolation mode');

export const MINIO_LOCATIONS = ['host', 'container', 'cluster'] as const;
export type MinioLocation = (typeof MINIO_LOCATIONS)[number];

/** Where MinIO runs: it decides how MinIO gets the CA, its settings and its restart. */
export const minioLocation = oneOf(MINIO_LOCATIONS, 'a MinIO location');

export function mcAlias(raw: unknown): string {
  const value = text(raw);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)) throw new InvalidValue(`${shown(value)} is not an mc alias name (letters, digits, '_' and '-')`);
  return value;
}

/** Where the apiserver calls a webhook run outside the cluster: https, no query or fragment (the apiserver's own rule). */
export function webhookUrl(raw: unknown): string {
  const parsed = url(raw);
  if (parsed.protocol !== 'https:') throw new InvalidValue(`${shown(parsed.href)} is not https: the apiserver calls webhooks over TLS only`);
  if (hasQueryOrFragment(parsed)) throw new InvalidValue(`${shown(parsed.href)} must not have a query or fragment`);
  return parsed.href;
}

/** A name a certificate is issued for: a DNS-1123 subdomain or an IP address. */
export function certificateHost(raw: unknown): string {
  const value = text(raw);
  if (isIP(value)) return value;
  try {
    return dns1123Subdomain(value);
  } catch {
    throw new InvalidValue(`${shown(value)} is neither a DNS name (lower-case letters, digits, '-' and '.') nor an IP address`);
  }
}

/** An address to listen on: an IP address. */
export function listenAddress(raw: unknown): string {
  const value = text(raw);
  if (!isIP(value)) throw new InvalidValue(`${shown(value)} is not an IP address to listen on (0.0.0.0, ::, 127.0.0.1)`);
  return value;
}
