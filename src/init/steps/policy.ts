import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { writeIfChanged } from '../../fs-safe.js';
import { broadPolicyWarning, samePolicy } from '../../minio/policy.js';
import { policyNameFor, renderPolicy } from '../../render/policy.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 6a: the least-privilege policy (and, in bucket isolation, the workload's bucket).
// Read back first: a policy that already says the same is left alone.

export const policyStep: InitStep<InitContext> = {
  id: 'policy',
  title: 'Least-privilege policy',
  async run(context) {
    const settings = {
      bucket: await context.answer('bucket'),
      prefix: await context.answer('prefix'),
      isolation: await context.answer('isolation'),
      namespace: await context.answer('namespace'),
      serviceAccount: await context.answer('serviceAccount'),
      rolePolicy: await context.answer('rolePolicy'),
    };
    const policy = await renderPolicy(settings);
    const name = policyNameFor(settings);
    if (broadPolicyWarning([name])) throw new UsageError(`refusing to overwrite the built-in policy "${name}"`, 'choose another --role-policy');
    const admin = context.admin;
    if (!admin) {
      const file = join(context.flags.outDir, 'policy.json');
      if (context.dryRun) return { status: 'planned', message: `(plan) would write ${file}` };
    await context.ensureOutDir();
      const written = await writeIfChanged(file, policy, { mode: 0o644, force: Boolean(context.flags.force), flag: '--out-dir' });
      // Already written by an earlier run: whether MinIO has it, the proof shows.
      if (written === 'unchanged') return { status: 'unchanged', message: `${file} unchanged (create it in MinIO if you have not)` };
      return {
        status: 'manual',
        message: `no admin credentials: create the policy${settings.isolation === 'bucket' ? ' and the bucket' : ''} in MinIO from ${file}`,
        commands: [...(settings.isolation === 'bucket' ? [`mc mb --ignore-existing ALIAS/${settings.bucket}`] : []), `mc admin policy create ALIAS '${name}' ${file}`],
      };
    }
    const [bucketExists, existing] = await Promise.all([settings.isolation === 'bucket' ? admin.bucketExists(settings.bucket) : Promise.resolve(true), admin.getPolicy(name)]);
    const same = existing !== undefined && samePolicy(existing, policy);
    if (bucketExists && same) return { status: 'unchanged', message: `policy ${name} in MinIO already says this${settings.isolation === 'bucket' ? `; bucket ${settings.bucket} exists` : ''}` };
    const changes: [string, string][] = [
      ...(bucketExists ? [] : [[`create bucket ${settings.bucket}`, `created bucket ${settings.bucket}`] as [string, string]]),
      ...(same ? [] : [existing === undefined ? [`create policy ${name}`, `created policy ${name}`] : [`update policy ${name}`, `updated policy ${name}`]] as [string, string][]),
    ];
    if (context.dryRun) return { status: 'planned', message: `(plan) would ${changes.map(([plan]) => plan).join(' and ')}` };
    if (!bucketExists) await admin.ensureBucket(settings.bucket);
    if (!same) await admin.createPolicy(name, policy);
    return { status: 'done', message: changes.map(([, done]) => done).join(' and ') };
  },
};
