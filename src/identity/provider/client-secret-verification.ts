import { clientSecretMatches } from '../../domain/shared/secrets.js';
import type { ServicePrincipalCredentials } from '../ports.js';

/** What a presented client secret is, for one principal at one instant. */
export type SecretVerdict = 'valid' | 'expired' | 'invalid';

/**
 * Checks a presented client secret against the principal's stored SHA-256 hashes.
 *
 * `valid`: it matches a secret usable now (validity is half-open: usable before `endDateTimeMs`,
 * not at it) of an enabled principal. `expired`: it matches only secrets that have ended — the
 * caller holds a real secret, so saying so (as Entra's AADSTS7000222 does) tells them to rotate
 * rather than to hunt for a typo. `invalid`: anything else. Every hash is compared, in constant
 * time each, without an early exit, so the response time does not tell which secret (if any)
 * matched.
 */
export function secretVerdict(
  principal: ServicePrincipalCredentials,
  presented: string,
  nowMs: number,
): SecretVerdict {
  if (!principal.accountEnabled || presented.length === 0) return 'invalid';
  let valid = false;
  let expired = false;
  for (const secret of principal.secrets) {
    const matches = clientSecretMatches(presented, secret.secretHash);
    if (secret.endDateTimeMs !== null && nowMs >= secret.endDateTimeMs) expired ||= matches;
    else valid ||= matches;
  }
  return valid ? 'valid' : expired ? 'expired' : 'invalid';
}

/** Whether the presented secret authenticates the principal now (see {@link secretVerdict}). */
export function presentedSecretMatches(
  principal: ServicePrincipalCredentials,
  presented: string,
  nowMs: number,
): boolean {
  return secretVerdict(principal, presented, nowMs) === 'valid';
}
