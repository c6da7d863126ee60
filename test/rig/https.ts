import { request } from 'node:https';

export interface HttpsResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpsOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  ca?: string;
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

/** A plain HTTPS request (the rig's own admin and probe client, independent of src/). */
export function httpsRequest(url: string, options: HttpsOptions = {}): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        headers: { ...options.headers },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout requesting ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
