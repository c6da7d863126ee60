import { UsageError } from './errors.js';
import { readBoundedFile, UnreadableFile } from './fs-safe.js';
import { SETTINGS, type Profile, type SettingName } from './settings.js';
import { askText, canPrompt } from './ui/prompts.js';
import { InvalidValue } from './validate.js';

// minio-irsa.yaml: the answers every command needs. Loaded and validated once, at the edge;
// errors name the file, line and key, and the flag that overrides it.

export const DEFAULT_PROFILE = 'minio-irsa.yaml';
const PROFILE_MAX_BYTES = 1 << 20;

export interface LoadedProfile {
  path: string | undefined;
  values: Partial<Record<SettingName, unknown>>;
  lines: Partial<Record<SettingName, number>>;
}

export const EMPTY_PROFILE: LoadedProfile = { path: undefined, values: {}, lines: {} };

export async function loadProfile(explicitPath: string | undefined): Promise<LoadedProfile> {
  const path = explicitPath ?? DEFAULT_PROFILE;
  const source = await readProfileSource(path, explicitPath === undefined);
  if (source === undefined) return EMPTY_PROFILE;
  // The YAML parser loads only when there is a profile to parse.
  const { parseProfile } = await import('./profile-file.js');
  return parseProfile(source, path);
}

/** The profile's text; undefined when it does not exist and may be absent. */
export async function readProfileSource(path: string, mayBeAbsent: boolean): Promise<string | undefined> {
  try {
    return (await readBoundedFile(path, PROFILE_MAX_BYTES, 'the profile', 'check the path given to --config')).text;
  } catch (error) {
    if (mayBeAbsent && error instanceof UnreadableFile && error.code === 'ENOENT') return undefined;
    throw error;
  }
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
