import { join } from 'node:path';
import { OperationError } from '../../errors.js';
import { UnreadableFile, writeFileSafely, writeIfChanged } from '../../fs-safe.js';
import { AdminApiError } from '../../minio/admin.js';
import { generateClientSecret, readClientSecretFile } from '../../minio/client-secret.js';
import { providerSettings, renderMinioEnv, type MinioEnvFormat, type MinioEnvSettings } from '../../render/minio-env.js';
import type { InitContext } from '../context.js';
import { providerState } from '../provider-state.js';
import { restartMinio } from '../restart.js';
import type { InitStep } from '../types.js';

// Step 6b: the OpenID provider with a random client secret, kept in a 0600 file whose path
// the profile records. Read back first: matching settings change nothing, and the secret is
// never rotated on a re-run unless --rotate-secret asks.

const FORMAT_BY_LOCATION: Record<string, MinioEnvFormat> = { host: 'env', container: 'docker', cluster: 'kubernetes' };
const EXTENSION: Record<MinioEnvFormat, string> = { env: 'env', docker: 'docker.env', systemd: 'systemd.env', compose: 'compose.env', kubernetes: 'yaml' };

export const providerStep: InitStep<InitContext> = {
  id: 'provider',
  title: "MinIO's OpenID provider",
  async run(context) {
    const settings: MinioEnvSettings = {
      configUrl: await context.answer('configUrl'),
      clientId: await context.answer('clientId'),
      rolePolicy: await context.answer('rolePolicy'),
      displayName: await context.answer('displayName'),
      provider: await context.answer('provider'),
      isolation: await context.answer('isolation'),
    };
    const secretFile = context.known('clientSecretFile') ?? join(context.flags.outDir, 'client-secret');
    const wanted = Object.fromEntries(providerSettings(settings, '').filter(([key]) => key !== 'CLIENT_SECRET').map(([key, value]) => [key.toLowerCase(), value]));
    const state = await providerState(context);
    if (state?.loaded && !context.flags.rotateSecret && Object.entries(wanted).every(([key, value]) => state.settings[key] === value)) {
      return { status: 'unchanged', message: `provider "${settings.provider}" in MinIO already has these settings (client secret kept)` };
    }
    if (context.dryRun) return { status: 'planned', message: `(plan) would ${context.admin ? `${state?.loaded ? 'update' : 'add'} provider "${settings.provider}" in MinIO` : 'write the provider settings for MinIO'}${context.flags.rotateSecret ? ' with a new client secret' : ''}` };
    await context.ensureOutDir();
    const secret = await clientSecret(context, secretFile);
    await context.remember('clientSecretFile', secretFile);
    if (!context.admin) return settingsFile(context, settings, secret);

    const body = Object.fromEntries(providerSettings(settings, secret).map(([key, value]) => [key.toLowerCase(), value]));
    let result;
    try {
      result = await context.admin.putOpenIdProvider(settings.provider, body);
    } catch (error) {
      // MinIO checks a new provider against the CAs it loaded at startup: a CA delivered but not loaded yet.
      if (!(error instanceof AdminApiError && /x509|certificate signed by unknown authority/.test(error.message))) throw error;
      const restart = await restartMinio(context, 'it has not loaded the cluster CA yet, and checks a new provider against the CAs it loaded');
      if (restart.status !== 'done') throw new OperationError(error.message, "MinIO does not trust the cluster CA yet: copy it into its certs/CAs/, restart it, and run init again");
      result = await context.admin.putOpenIdProvider(settings.provider, body);
    }
    context.provider = undefined;
    if (result.restartRequired) context.restartReasons.push('it loads OpenID providers at startup');
    return { status: 'done', message: `${result.updated ? 'updated' : 'added'} provider "${settings.provider}" in MinIO (client secret in ${secretFile}, mode 0600, not shown)` };
  },
};

async function clientSecret(context: InitContext, file: string): Promise<string> {
  if (!context.flags.rotateSecret) {
    try {
      const { secret, warning } = await readClientSecretFile(file);
      if (warning) context.warnings.push(warning);
      return secret;
    } catch (error) {
      if (!(error instanceof UnreadableFile && error.code === 'ENOENT')) throw error;
    }
  }
  const secret = generateClientSecret();
  await writeFileSafely(file, `${secret}\n`, { mode: 0o600, force: Boolean(context.flags.rotateSecret), flag: '--client-secret-file' });
  return secret;
}

async function settingsFile(context: InitContext, settings: MinioEnvSettings, secret: string) {
  const location = context.known('minioLocation') ?? 'host';
  const format = context.flags.minioEnvFormat ?? FORMAT_BY_LOCATION[location] ?? 'env';
  const file = join(context.flags.outDir, `minio-openid.${EXTENSION[format]}`);
  const text = await renderMinioEnv(format, settings, secret, { name: 'minio-irsa-openid', namespace: 'minio' });
  const written = await writeIfChanged(file, text, { mode: 0o600, force: Boolean(context.flags.force), flag: '--out-dir' });
  if (written === 'unchanged') return { status: 'unchanged' as const, message: `${file} unchanged (MinIO's settings; load it into MinIO if you have not)` };
  context.restartReasons.push('it loads OpenID providers at startup');
  const how: Record<string, string> = {
    host: `load ${file} into MinIO's environment (systemd: EnvironmentFile=${file}; a shell: set -a; . ${file})`,
    container: `pass ${file} to the container (docker run --env-file ${file}; compose: env_file:)`,
    cluster: `kubectl apply -f ${file}, and add the Secret to MinIO's env (envFrom: secretRef minio-irsa-openid)`,
  };
  return { status: 'manual' as const, message: `no admin credentials: MinIO's provider settings written to ${file} (mode 0600, holds the client secret)`, commands: [how[location] ?? how['host'] ?? ''] };
}
