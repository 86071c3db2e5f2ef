import { errors, jwtVerify } from 'jose';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { accessTokenClaimsFrom } from './access-token-claims.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import type { SigningKeyStore } from '../ports.js';
import { SigningKeyCache } from './signing-key-cache.js';
import { tokenRejection } from './token-rejection.js';

/** Inputs of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** Must equal the token's `iss` exactly (the authorization server's issuer). */
  issuer: string;
  /** The audience this API accepts; Elevate's tokens carry `aud` = issuer. */
  audience: string;
  keys: SigningKeyStore;
  clock: Clock;
  /** Allowed skew for `exp`/`nbf` between token issuer and this replica: default 60 s. */
  clockToleranceSeconds?: number;
  /** Key set re-read at least this often, so a removed key stops verifying: default 300 s. */
  keyCacheMaxAgeSeconds?: number;
  /** At most one key-store read per this interval for unknown kids: default 10 s. */
  unknownKidCooldownSeconds?: number;
}

/** The bearer-token check every API route runs (through the http layer's auth hook). */
export interface TokenVerifier {
  /**
   * Verifies the `Authorization` header value and returns the caller's claims.
   * @throws UnauthenticatedError (`InvalidAuthenticationToken`) with a short reason, never the token.
   * @throws the key store's own error when the keys cannot be read (a 500, not the caller's fault).
   */
  verify(authorizationHeader: string | undefined): Promise<AccessTokenClaims>;
}

export const MAX_TOKEN_LENGTH = 16 * 1024;
export const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

class UnknownSigningKey extends Error {}

/**
 * The rejection for a verification failure, or `undefined` for a failure that is not the token's
 * fault (e.g. the key store is unreachable), which must surface as a server error, not a 401.
 */
export function rejectionFor(error: unknown): UnauthenticatedError | undefined {
  if (error instanceof UnauthenticatedError) return error;
  if (error instanceof UnknownSigningKey || error instanceof errors.JWKSNoMatchingKey) {
    return tokenRejection('unknownKey');
  }
  if (error instanceof errors.JWTExpired) return tokenRejection('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return tokenRejection('notYetValid');
      case 'iss':
        return tokenRejection('issuer');
      case 'aud':
        return tokenRejection('audience');
      case 'typ':
        return tokenRejection('type');
      default:
        return tokenRejection('claims');
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return tokenRejection('algorithm');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return tokenRejection('signature');
  if (error instanceof errors.JOSEError) return tokenRejection('malformed');
  return undefined;
}

/**
 * Verifies Elevate-issued access tokens on every API request.
 *
 * Only ES256 is accepted (an allow-list, so `alg: none` and HS256-with-the-public-key confusion
 * fail before any key is used), only `typ: at+jwt` (RFC 9068, so an ID token cannot be replayed
 * as an access token), only keys from the local key store (no `jku`/`jwk` header is honoured), and
 * `iss`, `aud`, `exp`, `nbf` are checked against the injected clock with `clockToleranceSeconds`
 * (default 60) of skew. Sender-constrained tokens (`cnf`) are refused because no proof of
 * possession is checked here.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const clockTolerance = opts.clockToleranceSeconds ?? 60;
  const cache = new SigningKeyCache(
    opts.keys,
    opts.clock,
    (opts.keyCacheMaxAgeSeconds ?? 300) * 1000,
    (opts.unknownKidCooldownSeconds ?? 10) * 1000,
  );
  const getKey = async (header: JWTHeaderParameters) => {
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw new UnknownSigningKey();
    const key = await cache.find(header.kid);
    if (key === undefined) throw new UnknownSigningKey();
    return key;
  };

  return {
    async verify(authorizationHeader) {
      const header = authorizationHeader?.trim() ?? '';
      if (header.length === 0) throw tokenRejection('empty');
      if (!/^Bearer(\s|$)/i.test(header)) throw tokenRejection('notBearer');
      const token = BEARER.exec(header)?.[1];
      if (token === undefined || token.length > MAX_TOKEN_LENGTH) throw tokenRejection('malformed');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: ['ES256'],
          typ: 'at+jwt',
          issuer: opts.issuer,
          audience: opts.audience,
          clockTolerance,
          currentDate: new Date(opts.clock.now()),
          requiredClaims: ['exp', 'iat', 'sub', 'tid', 'oid'],
        }));
      } catch (error) {
        throw rejectionFor(error) ?? error;
      }
      return accessTokenClaimsFrom(payload);
    },
  };
}
