import { join } from 'node:path';
import { writeIfChanged } from '../../fs-safe.js';
import type { InitContext } from '../context.js';
import { restartMinio } from '../restart.js';
import { providerLoaded } from '../provider-state.js';
import type { InitStep, StepOutcome } from '../types.js';

// Step 5: MinIO must trust the cluster CA to fetch discovery. Exported into the output
// folder, then delivered by where MinIO runs. MinIO validates a provider against the CAs it
// loaded when it is added, so a newly delivered CA is loaded (restart) before the provider.

export const CA_FILE_NAME = 'kubernetes-ca.crt';

export const caStep: InitStep<InitContext> = {
  id: 'ca',
  title: 'Cluster CA for MinIO',
  async run(context) {
    const exported = join(context.flags.outDir, CA_FILE_NAME);
    if (context.dryRun) return { status: 'planned', message: `(plan) would write ${exported} and deliver it to MinIO's certs/CAs/` };
    const ca = context.ca;
    if (!ca) throw new Error('ca runs after discovery');
    await context.ensureOutDir();
    const written = await writeIfChanged(exported, ca.pem, { mode: 0o644, force: Boolean(context.flags.force), flag: '--out-dir' });
    const configUrl = await context.answer('configUrl');
    if (await providerLoaded(context, configUrl)) {
      return { status: 'unchanged', message: `${exported} ${written}; MinIO already loads the provider from ${configUrl}, so it trusts this CA` };
    }
    const certsDir = context.known('minioCertsDir');
    if (certsDir) {
      const target = join(certsDir, 'CAs', CA_FILE_NAME);
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(certsDir, 'CAs'), { recursive: true });
      const delivered = await writeIfChanged(target, ca.pem, { mode: 0o644, force: Boolean(context.flags.force), flag: '--minio-certs-dir' });
      if (delivered === 'unchanged') {
        return { status: 'unchanged', message: `${target} already holds this CA` };
      }
      return afterDelivery(context, `CA written to ${target}`);
    }
    if (context.flags.caDelivered) return { status: 'unchanged', message: `${exported} ${written}; MinIO trusts it (--ca-delivered)` };
    const how = deliveryInstructions(context, exported);
    if (context.prompter.interactive && !context.yes) {
      for (const line of how) process.stderr.write(`    ${line}\n`);
      if (await context.prompter.confirm(`Is ${CA_FILE_NAME} in MinIO's certs/CAs/ now?`, '--ca-delivered', false)) return afterDelivery(context, 'CA copied by you');
    }
    return { status: 'manual', blocking: true, message: `copy ${exported} into MinIO's certs/CAs/ and restart MinIO, then run init again with --ca-delivered`, commands: how };
  },
};

/** A CA MinIO has not loaded yet: with admin access the provider is added next, so restart now. */
async function afterDelivery(context: InitContext, what: string): Promise<StepOutcome> {
  if (!context.admin) {
    context.restartReasons.push('it reads certs/CAs/ at startup only');
    return { status: 'done', message: `${what}; MinIO loads it at its next restart` };
  }
  const restart = await restartMinio(context, 'it reads certs/CAs/ at startup only, and checks a new provider against them');
  return { ...restart, message: `${what}; ${restart.message}` };
}

function deliveryInstructions(context: InitContext, exported: string): string[] {
  const location = context.known('minioLocation') ?? 'host';
  if (location === 'cluster') {
    return [
      "mount the cluster's own CA (ConfigMap kube-root-ca.crt, present in every namespace) into MinIO's certs/CAs/:",
      'kubectl patch -n MINIO_NAMESPACE deployment/minio --type json -p \'[{"op":"add","path":"/spec/template/spec/volumes/-","value":{"name":"kube-ca","configMap":{"name":"kube-root-ca.crt"}}},{"op":"add","path":"/spec/template/spec/containers/0/volumeMounts/-","value":{"name":"kube-ca","mountPath":"/root/.minio/certs/CAs/kubernetes-ca.crt","subPath":"ca.crt","readOnly":true}}]\'',
    ];
  }
  if (location === 'container') return [`mount ${exported} at /root/.minio/certs/CAs/${CA_FILE_NAME} (docker: -v ${exported}:/root/.minio/certs/CAs/${CA_FILE_NAME}:ro; compose: a volumes: entry), then restart the container`];
  return [`cp ${exported} ~/.minio/certs/CAs/   (of the user running MinIO, or <--certs-dir>/CAs/; or pass --minio-certs-dir DIR and init copies it)`, 'then restart MinIO'];
}
