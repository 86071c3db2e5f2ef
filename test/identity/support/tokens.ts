import { createHmac, createPublicKey } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import type { JWTPayload } from 'jose';
import { expect } from 'vitest';
import { UnauthenticatedError } from '../../../src/domain/shared/errors.js';
import type { SigningKeyRecord } from '../../../src/identity/ports.js';

export const ISSUER = 'http://127.0.0.1:8080';

/** Claims of an application token as Elevate issues it, valid from `nowSeconds` for 10 minutes. */
export function appClaims(nowSeconds: number, overrides: JWTPayload = {}): JWTPayload {
  const servicePrincipalId = '6f4e3c1a-4a5b-4c8d-9e0f-1a2b3c4d5e6f';
  return {
    iss: ISSUER,
    aud: ISSUER,
    sub: servicePrincipalId,
    oid: servicePrincipalId,
    tid: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
    appid: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
    azp: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
    client_id: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
    roles: ['RoleManagement.ReadWrite.Directory'],
    idtyp: 'app',
    jti: 'test-jti',
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 600,
    ...overrides,
  };
}

/** Signs `claims` with `key` (ES256) the way the authorization server does; header overridable. */
export async function signWith(
  key: SigningKeyRecord,
  claims: JWTPayload,
  header: { typ?: string; kid?: string } = {},
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: header.typ ?? 'at+jwt', kid: header.kid ?? key.kid })
    .sign(privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT (`alg: none`). */
export function unsignedToken(kid: string, claims: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`;
}

/** The algorithm-confusion attack: HS256 with the server's *public* key bytes as the HMAC secret. */
export function hs256WithPublicKey(
  key: SigningKeyRecord,
  claims: JWTPayload,
  keyBytes: 'pem' | 'jwk',
): string {
  const secret =
    keyBytes === 'pem'
      ? createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
      : JSON.stringify(key.publicJwk);
  const signingInput = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${b64(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** Asserts a 401-class rejection with exactly `message`, which must not contain the token. */
export async function expectRejected(
  promise: Promise<unknown>,
  message: string,
  token?: string,
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  const rejection = error as UnauthenticatedError;
  expect(rejection.code).toBe('InvalidAuthenticationToken');
  expect(rejection.message).toBe(message);
  if (token !== undefined) {
    for (const part of token.split('.').filter((p) => p.length > 8))
      expect(rejection.message).not.toContain(part);
    expect(rejection.cause).toBeUndefined();
  }
}
