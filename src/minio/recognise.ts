import { OperationError } from '../errors.js';
import { printable } from '../encode.js';
import type { HttpResponse } from '../net.js';

// Before trusting an answer, make sure MinIO gave it: every MinIO response carries
// "Server: MinIO" and an x-amz-request-id; a console port, a proxy's login page or another
// web server does not.

export function isMinioResponse(response: Pick<HttpResponse, 'headers'>): boolean {
  const server = response.headers['server'];
  return (typeof server === 'string' && /minio/i.test(server)) || typeof response.headers['x-amz-request-id'] === 'string';
}

export class NotMinioError extends OperationError {}

export function assertMinio(response: HttpResponse, endpoint: string): void {
  if (isMinioResponse(response)) return;
  const server = typeof response.headers['server'] === 'string' ? `, Server: ${printable(response.headers['server'])}` : '';
  const type = typeof response.headers['content-type'] === 'string' ? `, ${printable(response.headers['content-type'].split(';')[0] ?? '')}` : '';
  throw new NotMinioError(
    `${endpoint} is not MinIO's S3 API (it answered HTTP ${response.status}${server}${type})`,
    "point --endpoint at MinIO's S3 API port (often 9000), not the console (often 9001) or a proxy's page",
  );
}
