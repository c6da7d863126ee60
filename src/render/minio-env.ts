import { composeEscaped, dockerEnvValue, shellQuoted, systemdQuoted } from '../encode.js';
import { renderText, renderYaml } from './template.js';
import type { Profile } from '../settings.js';

export const MINIO_ENV_FORMATS = ['env', 'docker', 'systemd', 'compose', 'kubernetes'] as const;
export type MinioEnvFormat = (typeof MINIO_ENV_FORMATS)[number];

export type MinioEnvSettings = Pick<Profile, 'configUrl' | 'clientId' | 'rolePolicy' | 'displayName' | 'provider' | 'isolation'>;

export interface KubernetesTarget {
  name: string;
  namespace: string;
}

const PREFIX = 'MINIO_IDENTITY_OPENID_';

/**
 * "_" is MinIO's default provider; any other name becomes the variables' suffix verbatim:
 * MinIO names an env-configured provider by the suffix exactly as written (case kept), and
 * the admin API looks providers up by that name.
 */
export function envSuffix(provider: string): string {
  return provider === '_' ? '' : `_${provider}`;
}

export function clientSecretVariable(provider: string): string {
  return `${PREFIX}CLIENT_SECRET${envSuffix(provider)}`;
}

/**
 * The provider as MinIO's settings (key suffixes without the MINIO_IDENTITY_OPENID_ prefix).
 * Isolation "bucket": claim-based, the token's `sub` names the policy (one per workload);
 * otherwise one role whose policy every workload of the role shares.
 */
export function providerSettings(settings: MinioEnvSettings, clientSecret: string): [string, string][] {
  return [
    ['CONFIG_URL', settings.configUrl],
    ['CLIENT_ID', settings.clientId],
    ['CLIENT_SECRET', clientSecret],
    settings.isolation === 'bucket' ? ['CLAIM_NAME', 'sub'] : ['ROLE_POLICY', settings.rolePolicy.join(',')],
    ['DISPLAY_NAME', settings.displayName],
  ];
}

/** The provider's settings in the order MinIO documents them. */
export function minioEnvEntries(settings: MinioEnvSettings, clientSecret: string): [string, string][] {
  const suffix = envSuffix(settings.provider);
  return providerSettings(settings, clientSecret).map(([key, value]) => [`${PREFIX}${key}${suffix}`, value]);
}

const LINE_ENCODERS = { env: shellQuoted, docker: dockerEnvValue, systemd: systemdQuoted } as const;

export async function renderMinioEnv(
  format: MinioEnvFormat,
  settings: MinioEnvSettings,
  clientSecret: string,
  kubernetes: KubernetesTarget,
): Promise<string> {
  const entries = minioEnvEntries(settings, clientSecret);
  const provider = settings.provider;
  switch (format) {
    case 'env':
    case 'docker':
    case 'systemd': {
      // Each line format has its own quoting: a sourced shell file, docker's unquoted
      // --env-file, systemd's EnvironmentFile. Keys are fixed names, values are encoded.
      const encode = LINE_ENCODERS[format];
      return renderText(`minio-env/${format}.txt`, { provider, lines: entries.map(([key, value]) => `${key}=${encode(value)}`).join('\n') });
    }
    case 'compose':
      return renderYaml('minio-env/compose.yaml', { environment: Object.fromEntries(entries.map(([key, value]) => [key, composeEscaped(value)])) });
    case 'kubernetes': {
      const secretKey = clientSecretVariable(provider);
      return renderYaml('minio-env/kubernetes.yaml', {
        ...kubernetes,
        secretData: { [secretKey]: clientSecret },
        configData: Object.fromEntries(entries.filter(([key]) => key !== secretKey)),
      });
    }
  }
}
