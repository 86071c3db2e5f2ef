import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { createElevate } from '../../../src/compose.js';
import type { BootstrapResult } from '../../../src/app/bootstrap/bootstrap.js';
import type { Clock } from '../../../src/domain/time/clock.js';
import type { SigningKeyRecord } from '../../../src/identity/ports.js';
import { signingKeyStore } from '../../../src/store/identity/identity-stores.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { freshDb } from '../../helpers/db.js';
import { PUBLIC_URL } from '../../helpers/server.js';

/**
 * A whole Elevate like `testServer()`, but built here so that the test holds the data key and can
 * read the server's own signing key: only then can it mint tokens that are validly signed yet
 * wrong in one claim (audience, issuer, type…), which is what proves those checks exist.
 */
export async function keyedServer(clock: Clock) {
  const db = await freshDb();
  const box = createSecretBox(randomBytes(32));
  const elevate = await createElevate({
    db,
    box,
    clock,
    logger: false,
    publicUrl: PUBLIC_URL,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    // No background numbering of outbox messages: these tests compare database snapshots.
    outboxRelayIntervalMs: 0,
  });
  const boot = elevate.bootstrapped as BootstrapResult;
  const key = (await signingKeyStore(db.kysely, box).list()).find((k) => k.status === 'active')!;

  /** Claims of the bootstrap app's access token, as Elevate issues them, valid from the clock's now. */
  const claims = (overrides: JWTPayload = {}): JWTPayload => {
    const now = Math.floor(clock.now() / 1000);
    return {
      iss: PUBLIC_URL,
      aud: PUBLIC_URL,
      sub: boot.app.servicePrincipalId,
      oid: boot.app.servicePrincipalId,
      tid: boot.tenantId,
      appid: boot.app.clientId,
      azp: boot.app.clientId,
      roles: boot.app.permissions,
      idtyp: 'app',
      jti: randomBytes(8).toString('hex'),
      iat: now,
      nbf: now,
      exp: now + 600,
      ...overrides,
    };
  };

  /** Signs with `signer` (default: the server's own key) as ES256 `at+jwt`. */
  const sign = async (
    payload: JWTPayload,
    header: { typ?: string; kid?: string } = {},
    signer: Pick<SigningKeyRecord, 'privateJwk' | 'kid'> = key,
  ) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', typ: header.typ ?? 'at+jwt', kid: header.kid ?? signer.kid })
      .sign(await importJWK(signer.privateJwk, 'ES256'));

  return {
    app: elevate.app,
    db,
    boot,
    key,
    claims,
    sign,
    async close() {
      await elevate.app.close();
      await db.drop();
    },
  };
}
