import { posix } from 'node:path';
import { renderYaml, YamlBlock } from './template.js';
import { subjectOf, workloadVars, type WorkloadSettings } from './workload.js';
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
 * The replica lives under <prefix><sub>/, the only place the generated policy lets this
 * workload write: the policy is keyed by ${jwt:sub}, never by a Condition on a claim.
 */
export function replicaPathFor(settings: Pick<Profile, 'prefix' | 'namespace' | 'serviceAccount'>, dbPath: string): string {
  return `${settings.prefix}${subjectOf(settings.namespace, settings.serviceAccount)}/${posix.basename(dbPath)}`;
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
  const env = new YamlBlock(await renderYaml(`litestream/env-${version}.yaml`, vars));
  return renderYaml('litestream/statefulset.yaml', { ...vars, config, env });
}
