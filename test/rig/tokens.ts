import { createHash, createHmac, createPrivateKey, createPublicKey, sign } from 'node:crypto';

// Tokens signed by hand, for failure paths that a real TokenRequest cannot produce on demand
// (expired, not yet valid, wrong audience, unknown key) and for forgery attempts.

export interface Claims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  [claim: string]: unknown;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The kid kube-apiserver gives a key: base64url(SHA-256(PKIX DER of the public key)). */
export function kubeKeyId(privatePem: string): string {
  const der = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

export function signRs256(claims: Claims, privatePem: string, kid = kubeKeyId(privatePem)): string {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(privatePem)).toString('base64url')}`;
}

/** What CVE-2026-33322 allows with a guessable client secret: HS256 with kid = client id. */
export function signHs256(claims: Claims, secret: string, kid: string): string {
  const input = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function serviceAccountClaims(issuer: string, namespace: string, serviceAccount: string, audience: string, lifetime = 3600, now = Math.floor(Date.now() / 1000)): Claims {
  return {
    iss: issuer,
    sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    aud: [audience],
    iat: now,
    nbf: now,
    exp: now + lifetime,
    'kubernetes.io': { namespace, serviceaccount: { name: serviceAccount, uid: '00000000-0000-0000-0000-000000000000' } },
  };
}
