import { signV4, type Credentials } from '../../src/minio/sigv4.js';

/**
 * A signed S3 request; `unsignedHeaders` are added after signing, as an attacker could add
 * them to a request signed with their own credentials.
 */
export async function s3Request(
  endpoint: string,
  credentials: Credentials,
  method: string,
  path: string,
  options: { body?: string; unsignedHeaders?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(path, endpoint);
  const headers = signV4({ method, url, region: 'us-east-1', ...(options.body === undefined ? {} : { body: options.body }) }, credentials);
  const response = await fetch(url, { method, headers: { ...headers, ...options.unsignedHeaders }, ...(options.body === undefined ? {} : { body: options.body }) });
  return { status: response.status, body: await response.text() };
}
