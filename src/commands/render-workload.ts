import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { DEFAULT_LITESTREAM_IMAGES, renderLitestream, type LitestreamVersion } from '../render/litestream.js';
import { renderPod } from '../render/pod.js';
import { roleArnFor } from '../render/workload.js';
import { UsageError } from '../errors.js';
import { WORKLOAD_SETTINGS } from '../settings.js';
import { logger } from '../ui/logger.js';
import { writeOut } from '../ui/output.js';
import * as v from '../validate.js';
import { flagValue } from './flag-value.js';

// render pod and render litestream: a module of their own, so that `render pod` (often run in
// scripts and pipelines) loads only what a workload manifest needs.

interface GlobalFlags {
  config?: string;
}

async function workload(flags: FlagValues & GlobalFlags) {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(WORKLOAD_SETTINGS, flags, profile);
  if (!settings.roleArn && settings.isolation !== 'bucket') logger.info(`role ARN derived from client id "${settings.clientId}": ${roleArnFor(settings)} (check it with: minio-irsa role-arn --from-logs)`);
  return { profile, settings };
}

export async function renderPodCommand(flags: FlagValues & GlobalFlags & { name: string; image: string }): Promise<void> {
  const { settings } = await workload(flags);
  const name = flagValue(flags.name, '--name', v.dns1123Subdomain);
  const image = flagValue(flags.image, '--image', v.image);
  writeOut(await renderPod(settings, { name, image }));
}

export async function renderLitestreamCommand(
  flags: FlagValues &
    GlobalFlags & { name: string; appImage?: string; dbPath: string; litestreamVersion: LitestreamVersion; litestreamImage?: string },
): Promise<void> {
  if (flags.appImage === undefined) throw new UsageError('missing the application image for the StatefulSet', 'pass --app-image <image>');
  const { profile, settings } = await workload(flags);
  const storage = await resolveSettings(['bucket', 'prefix'], flags, profile);
  if (settings.isolation === 'prefix-nolist') {
    throw new UsageError('litestream lists its replica (generations, snapshots, WAL segments), which --isolation prefix-nolist forbids', 'use --isolation bucket (a bucket of its own) or prefix');
  }
  writeOut(
    await renderLitestream(
      { ...settings, ...storage },
      {
        name: flagValue(flags.name, '--name', v.dns1123Label),
        appImage: flagValue(flags.appImage, '--app-image', v.image),
        dbPath: flagValue(flags.dbPath, '--db-path', v.absolutePath),
        litestreamVersion: flags.litestreamVersion,
        litestreamImage: flagValue(flags.litestreamImage ?? DEFAULT_LITESTREAM_IMAGES[flags.litestreamVersion], '--litestream-image', v.image),
      },
    ),
  );
}

