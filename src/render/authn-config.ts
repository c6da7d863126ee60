import { renderYaml } from './template.js';

export const AUTHN_API_VERSIONS = ['v1beta1', 'v1'] as const;
export type AuthnApiVersion = (typeof AUTHN_API_VERSIONS)[number];

/**
 * Anonymous allowed only on the discovery paths. v1beta1 is served from Kubernetes 1.32;
 * v1 from 1.34, where the feature is GA.
 */
export async function renderAuthnConfig(version: AuthnApiVersion = 'v1beta1'): Promise<string> {
  return renderYaml('authn-config.yaml', { apiVersion: `apiserver.config.k8s.io/${version}` });
}
