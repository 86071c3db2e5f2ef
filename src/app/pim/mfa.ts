import type { Caller } from '../auth/caller.js';

/** How recent a user's multi-factor sign-in must be for an activation's `MfaRule`. */
export const MFA_MAX_AGE_MS = 15 * 60_000;

/** Clock skew tolerated for an `auth_time` slightly in the future. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Whether the caller's token proves a recent MFA: a user token whose `amr` includes `mfa` and whose
 * `auth_time` (epoch seconds, as in the token) lies within {@link MFA_MAX_AGE_MS} of `now`. An
 * application token never does: no person performed a second factor, whatever it claims. The one
 * place this is decided, so that the identity work (step-up, TOTP, WebAuthn) changes only this.
 */
export function mfaSatisfied(caller: Caller, now: number): boolean {
  if (caller.kind !== 'user' || !caller.amr.includes('mfa') || caller.authTime === null) return false;
  const authMs = caller.authTime * 1000;
  return authMs <= now + MAX_SKEW_MS && now - authMs <= MFA_MAX_AGE_MS;
}
