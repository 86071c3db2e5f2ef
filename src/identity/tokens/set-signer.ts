import { importJWK, SignJWT } from 'jose';
import type { SetClaims } from '../../domain/ssf/set.js';
import type { SigningKeyStore } from '../ports.js';
import { selectSigningKey } from './signing-keys.js';

/**
 * Signs Security Event Tokens (RFC 8417) with the key that signs Elevate's access tokens, so
 * receivers verify them against the JWKS they already trust (`/discovery/v2.0/keys`). The header
 * says `typ: secevent+jwt` (RFC 8417 §2.3), which no access token carries, so a SET cannot be
 * replayed as a token. The active key is read for each SET: a rotation applies at once.
 */
export function makeSetSigner(keys: SigningKeyStore) {
  return {
    async sign(claims: SetClaims): Promise<string> {
      const key = selectSigningKey(await keys.list());
      if (key === undefined) throw new Error('no active signing key');
      const privateKey = await importJWK(key.privateJwk, key.alg);
      const { iat, ...rest } = claims;
      return new SignJWT({ ...rest })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'secevent+jwt' })
        .setIssuedAt(iat)
        .sign(privateKey);
    },
  };
}
