import { anonymousGet } from '../net.js';
import type { DiscoveryAccess } from './remediation.js';
import { DISCOVERY_PATH } from '../validate.js';

// Ask the apiserver for discovery with no credentials at all, as MinIO will.

export interface ProbeResult {
  access: DiscoveryAccess;
  status: number;
  url: string;
  /**
   * Anonymous requests allowed only on some paths (an AuthenticationConfiguration with
   * conditions): discovery answers, while /version, public to anonymous users by default,
   * is refused with 401.
   */
  restricted: boolean;
  message: string;
}

export function accessOf(status: number): DiscoveryAccess {
  if (status === 200) return 'public';
  if (status === 403) return 'rbac-missing';
  if (status === 401) return 'anonymous-off';
  if (status === 404) return 'not-served';
  return 'unexpected';
}

const MESSAGES: Record<DiscoveryAccess, string> = {
  public: 'issuer discovery is readable without credentials',
  'rbac-missing': 'anonymous requests are on, but RBAC does not let system:anonymous read discovery (403)',
  'anonymous-off': 'anonymous requests are refused (401): anonymous auth is off, or not allowed on this path',
  'not-served': 'the apiserver does not serve issuer discovery (404)',
  unexpected: 'unexpected answer to an anonymous discovery request',
};

/** `target` is the discovery URL MinIO will use, or an apiserver URL (the path is then added). */
export async function probeAnonymous(target: string, caPem: string | undefined): Promise<ProbeResult> {
  const url = new URL(target).pathname.endsWith(DISCOVERY_PATH) ? target : new URL(DISCOVERY_PATH, target).href;
  const discovery = await anonymousGet(url, caPem);
  const access = accessOf(discovery.status);
  let restricted = false;
  if (access === 'public' || access === 'rbac-missing') {
    const version = await anonymousGet(new URL('/version', url).href, caPem);
    restricted = version.status === 401;
  }
  const suffix = restricted ? ' (anonymous access is restricted to chosen paths: the narrowest exposure)' : '';
  return { access, status: discovery.status, url, restricted, message: `${MESSAGES[access]}${access === 'unexpected' ? ` (${discovery.status})` : ''}${suffix}` };
}

/** The authorizer sees a new binding through a cache: ask again for a few seconds until discovery is public. */
export async function waitForPublicDiscovery(url: string, caPem: string | undefined, timeoutMs = 15_000): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  let result = await probeAnonymous(url, caPem);
  while (result.access !== 'public' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await probeAnonymous(url, caPem);
  }
  return result;
}
