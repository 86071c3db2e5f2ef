import type { Caller } from './caller.js';

/** Clock skew tolerated for an `auth_time` slightly in the future. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Step-up: was multi-factor authentication done within `maxAgeMs` of `now` by the session this
 * token came from? True only for a user token whose `amr` includes `mfa` and whose `auth_time`
 * (`authTimeMs`) is recent enough. An application token never is: no person
 * performed a second factor, whatever it claims. The one place this is decided; when it answers
 * false, the API refuses with `MfaRule` and an `insufficient_claims` challenge (docs/identity.md).
 */
export function mfaDoneWithin(caller: Caller, maxAgeMs: number, now: number): boolean {
  if (caller.kind !== 'user' || !caller.amr.includes('mfa') || caller.authTimeMs === null) return false;
  const authMs = caller.authTimeMs;
  return authMs <= now + MAX_SKEW_MS && now - authMs <= maxAgeMs;
}

/**
 * The `claims` parameter (RFC 9470 style, as Entra's CAE challenges carry it) a client sends back
 * to the authorization endpoint to get a token that satisfies step-up: `amr` must include `mfa`.
 */
export const MFA_CLAIMS_CHALLENGE = { access_token: { amr: { essential: true, values: ['mfa'] } } } as const;

/** `WWW-Authenticate` value for a refused activation that needs fresh MFA. */
export function insufficientClaimsChallenge(): string {
  const claims = Buffer.from(JSON.stringify(MFA_CLAIMS_CHALLENGE)).toString('base64');
  return `Bearer error="insufficient_claims", error_description="Multi-factor authentication is required", claims="${claims}"`;
}
