import { signV4, type Credentials } from '../../src/minio/sigv4.js';

/**
 * A signed S3 request. `signedHeaders` are part of the signature; `unsignedHeaders` are
 * added after signing, as an attacker could add them to a request signed with their own
 * credentials.
 */
export async function s3Request(
  endpoint: string,
  credentials: Credentials,
  method: string,
  path: string,
  options: { body?: string; signedHeaders?: Record<string, string>; unsignedHeaders?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(path, endpoint);
  const headers = signV4(
    { method, url, region: 'us-east-1', ...(options.body === undefined ? {} : { body: options.body }), ...(options.signedHeaders ? { headers: options.signedHeaders } : {}) },
    credentials,
  );
  const response = await fetch(url, { method, headers: { ...headers, ...options.unsignedHeaders }, ...(options.body === undefined ? {} : { body: options.body }) });
  return { status: response.status, body: await response.text() };
}

/** The object keys (and common prefixes) a ListObjects answer names. */
export function listedNames(xml: string): string[] {
  return [...xml.matchAll(/<(?:Key|Prefix)>([^<]*)<\/(?:Key|Prefix)>/g)].map((match) => match[1] ?? '').filter((name) => name !== '');
}
