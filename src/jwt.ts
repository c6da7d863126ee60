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
