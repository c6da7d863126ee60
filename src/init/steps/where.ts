import { validBucketOrUndefined } from '../suggest.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 1: where things are. Every answer lands in the profile as it is given.

export const whereStep: InitStep<InitContext> = {
  id: 'where',
  title: 'Where things are',
  async run(context) {
    const writesBefore = context.profile.writes;
    await context.answer('kubeconfig');
    await context.answer('minioCertsDir');
    await chooseContext(context);
    const location = await context.answer('minioLocation', {
      suggestions: [
        { value: 'host', why: 'a binary or systemd service on a machine (a NAS, a VM)' },
        { value: 'container', why: 'docker, compose, a NAS app' },
        { value: 'cluster', why: 'a Deployment, StatefulSet or Helm release in this cluster' },
      ],
      closed: true,
    });
    await context.answer('endpoint');
    const isolation = await context.answer('isolation', {
      suggestions: [
        { value: 'bucket', why: 'each workload its own bucket and policy: reads, writes and listing isolated' },
        { value: 'prefix', why: 'a shared bucket: reads and writes isolated, object names visible to all' },
        { value: 'prefix-nolist', why: 'a shared bucket, no listing at all' },
      ],
      closed: true,
    });
    const namespace = await context.answer('namespace', { ask: true });
    const serviceAccount = await context.answer('serviceAccount');
    const ownBucket = validBucketOrUndefined(`${namespace}-${serviceAccount}`);
    const bucket = await context.answer('bucket', { suggestions: isolation === 'bucket' && ownBucket ? [{ value: ownBucket, why: "the workload's own bucket" }] : [] });
    if (isolation !== 'bucket') await context.answer('rolePolicy');
    await adminCredentials(context);
    const admin = context.admin ? `admin API as ${context.adminSource}` : 'no admin credentials: files and instructions instead of changes in MinIO';
    return { status: context.profile.writes > writesBefore ? (context.dryRun ? 'planned' : 'done') : 'unchanged', message: `MinIO on a ${location === 'cluster' ? 'pod in this cluster' : location} at ${await context.answer('endpoint')} (${admin}); workload ${namespace}/${serviceAccount} → bucket ${bucket} (${isolation} isolation)` };
  },
};

async function chooseContext(context: InitContext): Promise<void> {
  if (context.known('context') !== undefined || context.yes || !context.prompter.interactive) {
    await context.answer('context');
    return;
  }
  const { listContexts } = await import('../../kube/connect.js');
  const { names, current } = await listContexts({ kubeconfig: context.known('kubeconfig') });
  if (names.length <= 1) return;
  const picked = await context.prompter.select('kube context:', '--context', names.map((name) => ({ value: name, name: name === current ? `${name} (current)` : name })), current);
  await context.remember('context', picked);
}

async function adminCredentials(context: InitContext): Promise<void> {
  const { NoAdminCredentials, resolveAdmin } = await import('../../minio/credentials.js');
  const { minioCa } = await import('../../commands/admin-flags.js');
  context.minioCaPem = await minioCa(context.flags);
  try {
    const target = await resolveAdmin({
      alias: await context.answer('alias'),
      accessKey: context.flags.adminUser,
      secretKeyFile: context.flags.adminSecretFile,
      endpoint: await context.answer('endpoint'),
      caPem: context.minioCaPem,
    });
    const { AdminClient } = await import('../../minio/admin.js');
    context.admin = new AdminClient(target);
    context.adminSource = target.source;
  } catch (error) {
    if (!(error instanceof NoAdminCredentials)) throw error;
    context.admin = null;
  }
}
