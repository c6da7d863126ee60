import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rig } from '../rig/index.js';
import { runCli } from './cli.js';

/**
 * A rig set up the way a user would, with the product itself: a profile (bucket isolation,
 * workload apps/web in bucket apps-web), discovery opened, the CA on MinIO, the policy and
 * the provider, MinIO restarted. Returns the profile's directory and the admin environment.
 */
export async function configureHealthy(rig: Rig): Promise<{ work: string; adminEnv: Record<string, string> }> {
  const work = mkdtempSync(join(rig.dir, 'healthy-'));
  const adminEnv = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
  writeFileSync(
    join(work, 'minio-irsa.yaml'),
    `version: 1\nkube:\n  kubeconfig: ${rig.cluster.kubeconfig}\nissuer:\n  configUrl: ${rig.cluster.configUrl}\nminio:\n  endpoint: ${rig.s3.endpoint}\nworkload:\n  namespace: apps\n  serviceAccount: web\n  bucket: apps-web\n`,
  );
  const cli = async (args: string[]) => {
    const result = await runCli(args, { cwd: work, env: adminEnv });
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  };
  await cli(['cluster', 'apply', '--yes']);
  rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
  await rig.s3.restart({});
  await cli(['minio', 'policy', '--apply']);
  await cli(['minio', 'configure', '--apply']);
  await rig.s3.restart({});
  await rig.cluster.createServiceAccount('apps', 'web');
  return { work, adminEnv };
}
