import { clientSecretMatches } from '../../domain/shared/secrets.js';
import type { ServicePrincipalCredentials } from '../ports.js';

/**
 * Checks a presented client secret against the principal's stored SHA-256 hashes.
 *
 * Disabled principals and expired secrets (validity is half-open: usable before `endDateTimeMs`,
 * not at it) never match. Every unexpired hash is compared, in constant time each, without an early
 * exit, so the response time does not tell which secret (if any) matched.
 */
export function presentedSecretMatches(
  principal: ServicePrincipalCredentials,
  presented: string,
  nowMs: number,
): boolean {
  if (!principal.accountEnabled || presented.length === 0) return false;
  let matched = false;
  for (const secret of principal.secrets) {
    if (secret.endDateTimeMs !== null && nowMs >= secret.endDateTimeMs) continue;
    if (clientSecretMatches(presented, secret.secretHash)) matched = true;
  }
  return matched;
}
