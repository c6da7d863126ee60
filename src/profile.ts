import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { UsageError } from './errors.js';
import { SETTINGS, settingByKey, type Profile, type SettingName } from './settings.js';
import { askText, canPrompt } from './ui/prompts.js';
import { InvalidValue } from './validate.js';

// minio-irsa.yaml: the answers every command needs. Loaded and validated once, at the edge;
// errors name the file, line and key, and the flag that overrides it.

export const DEFAULT_PROFILE = 'minio-irsa.yaml';
const SECTIONS = ['kube', 'issuer', 'minio', 'workload'] as const;

export interface LoadedProfile {
  path: string | undefined;
  values: Partial<Record<SettingName, unknown>>;
  lines: Partial<Record<SettingName, number>>;
}

export const EMPTY_PROFILE: LoadedProfile = { path: undefined, values: {}, lines: {} };

export async function loadProfile(explicitPath: string | undefined): Promise<LoadedProfile> {
  const path = explicitPath ?? DEFAULT_PROFILE;
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && explicitPath === undefined) return EMPTY_PROFILE;
    throw new UsageError(`cannot read the profile ${path}: ${(error as Error).message}`, 'check the path given to --config');
  }
  return parseProfile(source, path);
}

export function parseProfile(source: string, path: string): LoadedProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 0);
  const where = (node: Node | null | undefined): string => `${path}:${lineOf(node)}`;

  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line ?? 0;
    throw new UsageError(`${path}:${line} is not valid YAML: ${firstError.message.split('\n')[0]}`, `fix the YAML syntax in ${path}`);
  }
  const result: LoadedProfile = { path, values: {}, lines: {} };
  if (doc.contents === null) return result;
  if (!isMap(doc.contents)) throw new UsageError(`${path} must be a YAML mapping with the sections ${SECTIONS.join(', ')}`, 'see the profile example in the README');

  for (const pair of doc.contents.items) {
    const sectionName = isScalar(pair.key) ? String(pair.key.value) : '';
    if (sectionName === 'version') {
      if (!isScalar(pair.value) || pair.value.value !== 1) throw new UsageError(`${where(pair.value as Node)} version: only version 1 is known`, 'set "version: 1"');
      continue;
    }
    if (!(SECTIONS as readonly string[]).includes(sectionName)) {
      throw new UsageError(`${where(pair.key as Node)} unknown section "${sectionName}"`, `use one of: version, ${SECTIONS.join(', ')}`);
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
    if (!isMap(pair.value)) throw new UsageError(`${where(pair.value as Node)} ${sectionName} must be a mapping`, 'see the profile example in the README');
    for (const item of pair.value.items) {
      const key = `${sectionName}.${isScalar(item.key) ? String(item.key.value) : ''}`;
      const name = settingByKey(key);
      if (!name) {
        const known = Object.values(SETTINGS).map((spec) => spec.key).filter((k) => k.startsWith(`${sectionName}.`));
        throw new UsageError(`${where(item.key as Node)} unknown key "${key}"`, `known keys in ${sectionName}: ${known.join(', ')}`);
      }
      const value = (item.value as Node | null)?.toJSON?.() ?? null;
      if (value === null) continue;
      result.values[name] = value;
      result.lines[name] = lineOf(item.value as Node);
    }
  }
  return result;
}

export type FlagValues = Readonly<Record<string, unknown>>;

/**
 * Resolve the named settings: flag, else profile, else default, else ask on a terminal,
 * else fail naming the flag and the key. Every value is validated here, once.
 */
export async function resolveSettings<K extends SettingName>(
  names: readonly K[],
  flags: FlagValues,
  profile: LoadedProfile,
): Promise<Pick<Profile, K>> {
  const out: Partial<Profile> = {};
  for (const name of names) {
    out[name] = await resolveOne(name, flags, profile);
  }
  return out as Pick<Profile, K>;
}

/** A setting only when the flag or the file gives it; no default, no question. */
export async function resolveIfGiven<K extends SettingName>(name: K, flags: FlagValues, profile: LoadedProfile): Promise<Profile[K] | undefined> {
  if (flags[name] === undefined && profile.values[name] === undefined) return undefined;
  return resolveOne(name, flags, profile);
}

async function resolveOne<K extends SettingName>(name: K, flags: FlagValues, profile: LoadedProfile): Promise<Profile[K]> {
  const spec = SETTINGS[name];
  const fromFlag = flags[name];
  if (fromFlag !== undefined) {
    try {
      return spec.parse(fromFlag);
    } catch (error) {
      throw asUsage(error, `${spec.flag} ${(error as Error).message}`, `pass a valid value to ${spec.flag}`);
    }
  }
  const fromFile = profile.values[name];
  if (fromFile !== undefined) {
    try {
      return spec.parse(fromFile);
    } catch (error) {
      throw asUsage(error, `${profile.path}:${profile.lines[name] ?? 0} ${spec.key}: ${(error as Error).message}`, `fix ${spec.key} in ${profile.path} or override it with ${spec.flag}`);
    }
  }
  if (spec.default !== undefined) return spec.default;
  if (spec.optional) return undefined as Profile[K];
  if (!canPrompt()) {
    throw new UsageError(`missing ${spec.description} (${spec.key})`, `pass ${spec.flag} ${spec.valueName}, or set ${spec.key} in ${profile.path ?? 'minio-irsa.yaml'}`);
  }
  const answer = await askText({
    message: `${spec.description}:`,
    flag: spec.flag,
    validate: (raw) => {
      try {
        spec.parse(raw);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  return spec.parse(answer);
}

function asUsage(error: unknown, message: string, hint: string): unknown {
  return error instanceof InvalidValue ? new UsageError(message, hint) : error;
}
