import { UnauthenticatedError } from '../../domain/shared/errors.js';

/**
 * Why a bearer token was refused, as short, Graph-like messages. They say which check failed (so
 * an operator can fix a client) but never include the token or its claims.
 */
export const tokenRejectionMessages = {
  empty: 'Access token is empty.',
  notBearer: 'Access token validation failure. The Authorization header must use the Bearer scheme.',
  malformed: 'Access token validation failure. The token is malformed.',
  expired: 'Lifetime validation failed, the token is expired.',
  notYetValid: 'Lifetime validation failed, the token is not yet valid.',
  algorithm: 'Access token validation failure. Unsupported signing algorithm.',
  unknownKey: 'Access token validation failure. Signing key not found.',
  signature: 'Access token validation failure. Invalid signature.',
  issuer: 'Access token validation failure. Invalid issuer.',
  audience: 'Access token validation failure. Invalid audience.',
  type: 'Access token validation failure. Invalid token type.',
  claims: 'Access token validation failure. Required claims are missing or invalid.',
  senderConstrained: 'Access token validation failure. Sender-constrained tokens are not supported.',
} as const;

export type TokenRejectionReason = keyof typeof tokenRejectionMessages;

/** The `UnauthenticatedError` (code `InvalidAuthenticationToken`, HTTP 401) for `reason`. */
export function tokenRejection(reason: TokenRejectionReason): UnauthenticatedError {
  return new UnauthenticatedError(tokenRejectionMessages[reason]);
}
