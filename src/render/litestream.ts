import { posix } from 'node:path';
import { renderYaml } from './template.js';
import { injectionSettingsFor, subjectOf, workloadVars, type WorkloadSettings } from './workload.js';
import type { Profile } from '../settings.js';

export const LITESTREAM_VERSIONS = ['0.3', '0.5'] as const;
export type LitestreamVersion = (typeof LITESTREAM_VERSIONS)[number];
export const DEFAULT_LITESTREAM_IMAGES: Record<LitestreamVersion, string> = {
  '0.3': 'litestream/litestream:0.3.13',
  '0.5': 'litestream/litestream:0.5',
};

export interface LitestreamOptions {
  name: string;
  appImage: string;
  dbPath: string;
  litestreamVersion: LitestreamVersion;
  litestreamImage: string;
}

/**
 * Where the replica lives: in its own bucket (isolation "bucket"), under <prefix>; in a shared
 * bucket, under <prefix><sub>/, the only place the generated policy lets this workload write
 * (${jwt:sub} in Resource, never a Condition on a claim).
 */
export function replicaPathFor(settings: Pick<Profile, 'prefix' | 'namespace' | 'serviceAccount' | 'isolation'>, dbPath: string): string {
  const own = settings.isolation === 'bucket' ? settings.prefix : `${settings.prefix}${subjectOf(settings.namespace, settings.serviceAccount)}/`;
  return `${own}${posix.basename(dbPath)}`;
}

/** ConfigMap + StatefulSet: restore init container, app, replicate sidecar, emptyDir db. */
export async function renderLitestream(
  settings: WorkloadSettings & Pick<Profile, 'bucket' | 'prefix'>,
  options: LitestreamOptions,
): Promise<string> {
  const base = workloadVars(settings);
  const vars = {
    ...base,
    ...options,
    bucket: settings.bucket,
    dbDir: posix.dirname(options.dbPath),
    replicaPath: replicaPathFor(settings, options.dbPath),
    configMapName: `${options.name}-litestream`,
  };
  const version = options.litestreamVersion;
  const config = await renderYaml(`litestream/config-${version}.yaml`, vars);
  const bare = await renderYaml('litestream/statefulset.yaml', { ...vars, config });
  // The wiring is the inject core's, as for inject and the webhook (its YAML parsers load only here: render pod starts fast).
  const { injectManifests } = await import('../inject/manifests.js');
  return (await injectManifests(bare, 'litestream.yaml', injectionSettingsFor(settings))).text;
}
