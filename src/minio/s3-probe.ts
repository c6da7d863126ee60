import { randomBytes } from 'node:crypto';
import type { TemporaryCredentials } from './sts.js';

// Prove the temporary credentials against S3: what the policy must allow (its own prefix)
// must work, and what it must deny (another prefix) must be denied. Either failing fails
// the probe.

export interface ProbeStep {
  step: string;
  /** ok: as it must be; fail: not as it must be; denied: refused where either answer is fine. */
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
  /** A key outside it, which must be denied... */
  foreignPrefix: string;
  /** ...in this bucket (default: the same bucket). */
  foreignBucket?: string;
  caPem?: string | undefined;
}

/**
 * Where a workload may write, and a place it must not: its own bucket and a bucket of
 * nobody's (isolation "bucket"), or <prefix><sub>/ and another prefix of the shared bucket.
 */
export function probePlaces(isolation: string, prefix: string, sub: string): Pick<ProbeInput, 'ownPrefix' | 'foreignPrefix' | 'foreignBucket'> {
  return isolation === 'bucket'
    ? { ownPrefix: prefix, foreignPrefix: '', foreignBucket: `minio-irsa-elsewhere-${Date.now().toString(36)}` }
    : { ownPrefix: `${prefix}${sub}/`, foreignPrefix: `${prefix}minio-irsa-elsewhere/` };
}

/** The S3 calls the probe makes; the real client in probeS3, scripted ones in tests. */
export interface S3Operations {
  listBuckets(): Promise<number>;
  putObject(bucket: string, key: string, body: Buffer): Promise<void>;
  getObject(bucket: string, key: string): Promise<Buffer>;
  removeObject(bucket: string, key: string): Promise<void>;
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).name ?? 'Error';
}

type Expectation = 'allow' | 'deny' | 'either';

export async function runProbe(s3: S3Operations, input: Pick<ProbeInput, 'bucket' | 'ownPrefix' | 'foreignPrefix' | 'foreignBucket'>): Promise<ProbeStep[]> {
  const steps: ProbeStep[] = [];
  const attempt = async (step: string, expect: Expectation, run: () => Promise<string>): Promise<boolean> => {
    try {
      const message = await run();
      steps.push(expect === 'deny' ? { step, status: 'fail', message: `allowed, but the policy must deny it (${message}): the role policy is broader than this workload's prefix` } : { step, status: 'ok', message });
      return true;
    } catch (error) {
      const code = codeOf(error);
      if (code !== 'AccessDenied') steps.push({ step, status: 'fail', message: `${code}: ${(error as Error).message}` });
      else if (expect === 'deny') steps.push({ step, status: 'ok', message: 'AccessDenied, as it must be' });
      else if (expect === 'either') steps.push({ step, status: 'denied', message: 'AccessDenied (the least-privilege policy does not list buckets)' });
      else steps.push({ step, status: 'fail', message: "AccessDenied in the workload's own prefix: the role policy does not grant it (check the bucket, the prefix and the policy: minio-irsa minio policy)" });
      return false;
    }
  };

  await attempt('list buckets', 'either', async () => `${await s3.listBuckets()} bucket(s) visible`);
  const key = `${input.ownPrefix}minio-irsa-probe-${randomBytes(4).toString('hex')}`;
  const body = `minio-irsa probe ${new Date().toISOString()}`;
  if (await attempt(`put ${input.bucket}/${key}`, 'allow', async () => (await s3.putObject(input.bucket, key, Buffer.from(body)), 'written'))) {
    await attempt(`get ${input.bucket}/${key}`, 'allow', async () => {
      if ((await s3.getObject(input.bucket, key)).toString() !== body) throw Object.assign(new Error('read back different content'), { code: 'Mismatch' });
      return 'read back';
    });
    await attempt(`delete ${input.bucket}/${key}`, 'allow', async () => (await s3.removeObject(input.bucket, key), 'deleted'));
  }
  const foreign = `${input.foreignPrefix}minio-irsa-probe-${randomBytes(4).toString('hex')}`;
  const foreignBucket = input.foreignBucket ?? input.bucket;
  const wrote = await attempt(`put outside its own place: ${foreignBucket}/${foreign}`, 'deny', async () => (await s3.putObject(foreignBucket, foreign, Buffer.from('x')), 'written'));
  if (wrote) await s3.removeObject(foreignBucket, foreign).catch(() => undefined);
  return steps;
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
  return runProbe(
    {
      listBuckets: async () => (await client.listBuckets()).length,
      putObject: async (bucket, key, body) => void (await client.putObject(bucket, key, body)),
      getObject: async (bucket, key) => {
        const chunks: Buffer[] = [];
        for await (const chunk of await client.getObject(bucket, key)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
      removeObject: (bucket, key) => client.removeObject(bucket, key),
    },
    input,
  );
}
