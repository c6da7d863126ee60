import { join } from 'node:path';
import { writeIfChanged, type WriteOutcome } from '../../fs-safe.js';
import { WORKLOAD_SETTINGS } from '../../settings.js';
import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';

// Step 10: the manifests, into the output folder next to the CA and the settings; a re-run
// that would write the same leaves them alone, a different one needs --force.

export const deliverablesStep: InitStep<InitContext> = {
  id: 'manifests',
  title: 'Workload manifests',
  async run(context) {
    const settings = Object.fromEntries(await Promise.all(WORKLOAD_SETTINGS.map(async (name) => [name, name === 'roleArn' ? (context.roleArn ?? context.known('roleArn')) : await context.answer(name)]))) as Parameters<typeof import('../../render/pod.js').renderPod>[0];
    const files: [string, () => Promise<string>][] = [['pod.yaml', async () => (await import('../../render/pod.js')).renderPod(settings, { name: 'minio-irsa-test', image: 'amazon/aws-cli:latest' })]];
    const appImage = context.flags.appImage;
    if (appImage !== undefined) {
      const { renderLitestream, DEFAULT_LITESTREAM_IMAGES } = await import('../../render/litestream.js');
      const { image } = await import('../../validate.js');
      const storage = { bucket: await context.answer('bucket'), prefix: await context.answer('prefix') };
      files.push(['litestream.yaml', async () => renderLitestream({ ...settings, ...storage }, { name: 'app', appImage: image(appImage), dbPath: '/db/app.db', litestreamVersion: '0.5', litestreamImage: DEFAULT_LITESTREAM_IMAGES['0.5'] })]);
    }
    if (context.dryRun) return { status: 'planned', message: `(plan) would write ${files.map(([name]) => join(context.flags.outDir, name)).join(', ')}` };
    await context.ensureOutDir();
    const results: [string, WriteOutcome][] = [];
    for (const [name, render] of files) {
      const path = join(context.flags.outDir, name);
      results.push([path, await writeIfChanged(path, await render(), { mode: 0o644, force: Boolean(context.flags.force), flag: '--out-dir' })]);
    }
    const changed = results.filter(([, outcome]) => outcome !== 'unchanged');
    const next = [`kubectl apply -f ${join(context.flags.outDir, 'pod.yaml')}`, ...(appImage === undefined ? ['minio-irsa render litestream --app-image IMAGE | kubectl apply -f -   (a SQLite app replicated to MinIO)'] : [`kubectl apply -f ${join(context.flags.outDir, 'litestream.yaml')}`])];
    return { status: changed.length > 0 ? 'done' : 'unchanged', message: results.map(([path, outcome]) => `${path} ${outcome}`).join(', '), commands: next };
  },
};
