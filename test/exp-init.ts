import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Rig } from './rig/index.js';
import { runCli } from './helpers/cli.js';
const rig = await Rig.start();
try {
  const work = mkdtempSync(join(rig.dir, 'init-'));
  const env = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
  const args = ['init', '--yes', '--kubeconfig', rig.cluster.kubeconfig, '--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web', '--minio-certs-dir', rig.s3.certsDir, '--create-service-account'];
  for (let i = 0; i < 2; i++) {
    const t = Date.now();
    const r = await runCli(args, { cwd: work, env, timeoutMs: 180_000 });
    console.log(`--- run ${i} exit ${r.code} in ${Date.now() - t} ms\n${r.stderr}\n${r.stdout}`);
  }
  console.log((await import('node:fs')).readFileSync(join(work, 'minio-irsa.yaml'), 'utf8'));
} finally { await rig.stop(); }
