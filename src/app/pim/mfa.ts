import type { Caller } from '../authorization/caller.js';
import { mfaDoneWithin } from '../authorization/step-up.js';

/** How recent a user's multi-factor sign-in must be for an activation's `MfaRule`. */
export const MFA_MAX_AGE_MS = 15 * 60_000;

/**
 * Whether the caller's token proves MFA within `maxAgeMs` (a role's own maximum age), else within
 * {@link MFA_MAX_AGE_MS} (see `mfaDoneWithin`).
 */
export function mfaSatisfied(caller: Caller, now: number, maxAgeMs = MFA_MAX_AGE_MS): boolean {
  return mfaDoneWithin(caller, maxAgeMs, now);
}
