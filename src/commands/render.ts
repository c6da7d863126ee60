import { UsageError } from '../errors.js';
import { flagValue } from './flag-value.js';
import { writeFileSafely } from '../fs-safe.js';
import { generateClientSecret, readClientSecretFile } from '../minio/client-secret.js';
import { broadPolicyWarning } from '../minio/policy.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues, type LoadedProfile } from '../profile.js';
import { printable, Unrepresentable } from '../encode.js';
import { renderAuthnConfig, type AuthnApiVersion } from '../render/authn-config.js';
import { renderMinioEnv, type MinioEnvFormat, type MinioEnvSettings } from '../render/minio-env.js';
import { renderPolicy } from '../render/policy.js';
import { renderRbac, type AnonymousSubject } from '../render/rbac.js';
import { subjectOf } from '../render/workload.js';
import { logger } from '../ui/logger.js';
import { outFile, stdoutIsTerminal, writeOut } from '../ui/output.js';
import * as v from '../validate.js';

// Thin: resolve and validate the inputs, call a renderer, put the result on stdout.

interface GlobalFlags {
  config?: string;
}

export async function renderRbacCommand(flags: { subject: AnonymousSubject }): Promise<void> {
  writeOut(await renderRbac(flags.subject));
}

export async function renderAuthnConfigCommand(flags: { apiVersion: AuthnApiVersion }): Promise<void> {
  writeOut(await renderAuthnConfig(flags.apiVersion));
}

export async function renderPolicyCommand(flags: FlagValues & GlobalFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(['bucket', 'prefix', 'isolation'], flags, profile);
  if (settings.isolation === 'bucket') {
    const workload = await resolveSettings(['namespace', 'serviceAccount'], flags, profile);
    logger.info(`create it in MinIO under the name ${subjectOf(workload.namespace, workload.serviceAccount)} (the token's sub names the policy), e.g.: minio-irsa minio policy --apply`);
  } else if (settings.isolation === 'prefix') {
    logger.info(`every workload of the role can list ${settings.bucket} and so see the names (not the contents) of the others' objects; --isolation bucket keeps names private too`);
  }
  writeOut(await renderPolicy(settings));
}

export interface MinioEnvOutputFlags {
  output: MinioEnvFormat;
  out?: string;
  force?: boolean;
  clientSecretFile?: string;
  minioNamespace: string;
  secretName: string;
}

/** A new secret must not scroll past on a terminal: it goes to a file or a redirect only. */
export function refuseSecretOnTerminal(flags: Pick<MinioEnvOutputFlags, 'out'>): void {
  if (outFile(flags.out) === undefined && stdoutIsTerminal()) {
    throw new UsageError('this prints the client secret and stdout is a terminal', 'write it to a private file with --out FILE, or redirect stdout (> file)');
  }
}

/**
 * --client-secret-file, else the profile's minio.clientSecretFile (the one init keeps), else a
 * new random secret: re-running with a profile never rotates the secret unasked.
 */
export async function clientSecretFor(flags: FlagValues, profile: LoadedProfile): Promise<string> {
  const file = await resolveIfGiven('clientSecretFile', flags, profile);
  if (!file) return generateClientSecret();
  const { secret, warning } = await readClientSecretFile(file);
  if (warning) logger.warn(warning);
  return secret;
}

/** The provider's settings, validated; the one place a broad role policy is warned about. */
export async function resolveProviderSettings(flags: FlagValues, profile: LoadedProfile): Promise<MinioEnvSettings> {
  const settings = await resolveSettings(['configUrl', 'clientId', 'rolePolicy', 'displayName', 'provider', 'isolation'], flags, profile);
  const broad = settings.isolation === 'bucket' ? undefined : broadPolicyWarning(settings.rolePolicy);
  if (broad) logger.warn(broad);
  if (settings.isolation === 'bucket' && (flags['rolePolicy'] !== undefined || profile.values.rolePolicy !== undefined)) {
    logger.warn('--role-policy is not used with --isolation bucket: each workload gets the policy named by its sub (minio-irsa minio policy --apply)');
  }
  return settings;
}

/** Render the provider settings and put them on stdout, or in a 0600 file. */
export async function emitMinioEnv(settings: MinioEnvSettings, secret: string, flags: MinioEnvOutputFlags): Promise<void> {
  const kubernetes = {
    name: flagValue(flags.secretName, '--secret-name', v.dns1123Subdomain),
    namespace: flagValue(flags.minioNamespace, '--minio-namespace', v.dns1123Label),
  };
  let text: string;
  try {
    text = await renderMinioEnv(flags.output, settings, secret, kubernetes);
  } catch (error) {
    if (error instanceof Unrepresentable) throw new UsageError(`cannot write these settings as --output ${flags.output}: ${error.message}`, 'choose another --output format');
    throw error;
  }
  const file = outFile(flags.out);
  if (file === undefined) {
    writeOut(text);
    return;
  }
  await writeFileSafely(file, text, { mode: 0o600, force: flags.force ?? false, flag: '--out' });
  logger.success(`wrote ${printable(file)} (mode 0600); the client secret is only in that file`);
}

export async function renderMinioEnvCommand(flags: FlagValues & GlobalFlags & MinioEnvOutputFlags): Promise<void> {
  refuseSecretOnTerminal(flags);
  const profile = await loadProfile(flags.config);
  const settings = await resolveProviderSettings(flags, profile);
  await emitMinioEnv(settings, await clientSecretFor(flags, profile), flags);
}
