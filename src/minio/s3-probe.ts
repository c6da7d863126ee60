import { randomBytes } from 'node:crypto';
import type { TemporaryCredentials } from './sts.js';

// Prove the temporary credentials against S3 with the minio client: what the policy allows
// must work, and what it must deny must be denied.

export interface ProbeStep {
  step: string;
  status: 'ok' | 'denied' | 'fail';
  message: string;
}

export interface ProbeInput {
  endpoint: string;
  region: string;
  credentials: TemporaryCredentials;
  bucket: string;
  /** <prefix><sub>/: the only place the generated policy lets this workload write. */
  ownPrefix: string;
  /** A key outside it, which must be denied. */
  foreignPrefix: string;
  caPem?: string | undefined;
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).name ?? 'Error';
}

export async function probeS3(input: ProbeInput): Promise<ProbeStep[]> {
  const Minio = await import('minio');
  const { Agent } = await import('node:https');
  const url = new URL(input.endpoint);
  const client = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    useSSL: url.protocol === 'https:',
    accessKey: input.credentials.accessKeyId,
    secretKey: input.credentials.secretAccessKey,
    sessionToken: input.credentials.sessionToken,
    region: input.region,
    pathStyle: true,
    ...(input.caPem && url.protocol === 'https:' ? { transportAgent: new Agent({ ca: input.caPem }) } : {}),
  });
  const steps: ProbeStep[] = [];
  const attempt = async (step: string, run: () => Promise<string>, mustDeny = false): Promise<boolean> => {
    try {
      const message = await run();
      steps.push(mustDeny ? { step, status: 'fail', message: `allowed, but the policy must deny it: ${message}` } : { step, status: 'ok', message });
      return true;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'AccessDenied') steps.push({ step, status: mustDeny ? 'ok' : 'denied', message: mustDeny ? 'AccessDenied, as it must be' : 'AccessDenied' });
      else steps.push({ step, status: 'fail', message: `${code}: ${(error as Error).message}` });
      return false;
    }
  };

  await attempt('list buckets', async () => `${(await client.listBuckets()).length} bucket(s) visible`);
  const key = `${input.ownPrefix}minio-irsa-probe-${randomBytes(4).toString('hex')}`;
  const body = `minio-irsa probe ${new Date().toISOString()}`;
  if (await attempt(`put ${input.bucket}/${key}`, async () => (await client.putObject(input.bucket, key, Buffer.from(body)), 'written'))) {
    await attempt(`get ${input.bucket}/${key}`, async () => {
      const stream = await client.getObject(input.bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      if (Buffer.concat(chunks).toString() !== body) throw Object.assign(new Error('read back different content'), { code: 'Mismatch' });
      return 'read back';
    });
    await attempt(`delete ${input.bucket}/${key}`, async () => (await client.removeObject(input.bucket, key), 'deleted'));
  }
  const foreign = `${input.foreignPrefix}minio-irsa-probe-${randomBytes(4).toString('hex')}`;
  const wrote = await attempt(`put outside its prefix: ${input.bucket}/${foreign}`, async () => (await client.putObject(input.bucket, foreign, Buffer.from('x')), 'written'), true);
  if (wrote) await client.removeObject(input.bucket, foreign).catch(() => undefined);
  return steps;
}
