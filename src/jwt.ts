import { UsageError } from './errors.js';

// Decoding only (no verification): to show what a token says, never the token itself.

export interface DecodedToken {
  header: { alg?: string; kid?: string; typ?: string };
  claims: { iss?: string; sub?: string; aud?: string | string[]; exp?: number; iat?: number; nbf?: number; [claim: string]: unknown };
}

function part(segment: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new UsageError(`not a JWT: the ${what} is not base64url JSON`, 'pass a service-account token (three base64url parts separated by dots)');
}

export function decodeJwt(token: string): DecodedToken {
  const segments = token.trim().split('.');
  if (segments.length !== 3) throw new UsageError('not a JWT: expected three parts separated by dots', 'pass a service-account token');
  return { header: part(segments[0], 'header') as DecodedToken['header'], claims: part(segments[1], 'payload') as DecodedToken['claims'] };
}

export function audiences(claims: DecodedToken['claims']): string[] {
  return claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
}

/** What may be shown of a token: its claims that matter, never the signature. */
export function summarizeToken(token: string, now = Date.now()) {
  const { header, claims } = decodeJwt(token);
  return {
    kid: header.kid,
    alg: header.alg,
    iss: claims.iss,
    sub: claims.sub,
    aud: audiences(claims),
    iat: claims.iat === undefined ? undefined : new Date(claims.iat * 1000).toISOString(),
    exp: claims.exp === undefined ? undefined : new Date(claims.exp * 1000).toISOString(),
    expiresInSeconds: claims.exp === undefined ? undefined : Math.round(claims.exp - now / 1000),
  };
}

/**
 * An HS256 token signed with a guessed secret under kid = the client id: what an attacker
 * forges when MinIO's client secret is weak (CVE-2026-33322). doctor sends these to STS and
 * fails loudly if one is accepted.
 */
export async function forgeHs256(claims: Record<string, unknown>, secret: string, kid: string): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'HS256', kid, typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
