import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import type { SigningKeyRecord } from '../../src/identity/ports.js';
import { generateSigningKey, rotateSigningKeys } from '../../src/identity/tokens/signing-keys.js';
import { tokenRejectionMessages as reason } from '../../src/identity/tokens/token-rejection.js';
import { createTokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import type { TokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import { InMemorySigningKeyStore } from './support/in-memory-ports.js';
import {
  ISSUER,
  appClaims,
  expectRejected,
  hs256WithPublicKey,
  signWith,
  unsignedToken,
} from './support/tokens.js';

const T0_SECONDS = 1_800_000_000;

describe('createTokenVerifier', () => {
  let clock: ManualClock;
  let keys: InMemorySigningKeyStore;
  let key: SigningKeyRecord;
  let verifier: TokenVerifier;

  beforeEach(async () => {
    clock = new ManualClock(T0_SECONDS * 1000);
    keys = new InMemorySigningKeyStore();
    key = await generateSigningKey(clock);
    await keys.insert(key);
    verifier = createTokenVerifier({ issuer: ISSUER, audience: ISSUER, keys, clock });
  });

  const bearer = (token: string) => `Bearer ${token}`;

  it('returns typed claims of an application token', async () => {
    const claims = await verifier.verify(bearer(await signWith(key, appClaims(T0_SECONDS))));
    expect(claims).toEqual({
      tenantId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
      objectId: '6f4e3c1a-4a5b-4c8d-9e0f-1a2b3c4d5e6f',
      appId: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
      roles: ['RoleManagement.ReadWrite.Directory'],
      kind: 'app',
      raw: appClaims(T0_SECONDS),
    });
  });

  it('maps user claims: amr, auth_time, wids; roles default to []', async () => {
    const token = await signWith(
      key,
      appClaims(T0_SECONDS, {
        idtyp: 'user',
        roles: undefined,
        appid: undefined,
        azp: 'portal',
        amr: ['pwd', 'mfa'],
        auth_time: T0_SECONDS - 30,
        wids: ['62e90394-69f5-4237-9190-012177145e10'],
      }),
    );
    await expect(verifier.verify(`bearer  ${token}`)).resolves.toMatchObject({
      kind: 'user',
      appId: 'portal',
      roles: [],
      amr: ['pwd', 'mfa'],
      authTimeSeconds: T0_SECONDS - 30,
      wids: ['62e90394-69f5-4237-9190-012177145e10'],
    });
  });

  describe('refuses the Authorization header', () => {
    it.each([
      ['missing', undefined, reason.empty],
      ['empty', '', reason.empty],
      ['Basic credentials', 'Basic YWJjOmRlZg==', reason.notBearer],
      ['Bearer without token', 'Bearer', reason.malformed],
      ['garbage', 'Bearer not-a-jwt', reason.malformed],
      ['two parts', 'Bearer abc.def', reason.malformed],
      ['a token with spaces', 'Bearer abc def ghi', reason.malformed],
      ['an oversized token', `Bearer ${'a'.repeat(20_000)}.b.c`, reason.malformed],
    ])('%s', async (_name, header, message) => {
      await expectRejected(verifier.verify(header), message);
    });
  });

  it('refuses an expired token once exp + tolerance (60 s) has passed', async () => {
    const token = await signWith(key, appClaims(T0_SECONDS));
    clock.set((T0_SECONDS + 600 + 59) * 1000);
    await expect(verifier.verify(bearer(token))).resolves.toMatchObject({ kind: 'app' });
    clock.set((T0_SECONDS + 600 + 60) * 1000);
    await expectRejected(verifier.verify(bearer(token)), reason.expired, token);
  });

  it('refuses a token that is not yet valid beyond the tolerance', async () => {
    const token = await signWith(key, appClaims(T0_SECONDS, { nbf: T0_SECONDS + 61 }));
    await expectRejected(verifier.verify(bearer(token)), reason.notYetValid, token);
    clock.advance(1000);
    await expect(verifier.verify(bearer(token))).resolves.toMatchObject({ kind: 'app' });
  });

  it('honours a configured tolerance', async () => {
    const strict = createTokenVerifier({
      issuer: ISSUER,
      audience: ISSUER,
      keys,
      clock,
      clockToleranceSeconds: 0,
    });
    const token = await signWith(key, appClaims(T0_SECONDS));
    clock.set((T0_SECONDS + 600) * 1000);
    await expectRejected(strict.verify(bearer(token)), reason.expired, token);
  });

  it('refuses a forged token: another ES256 key under the same kid', async () => {
    const forger = await generateSigningKey(clock);
    const token = await signWith(forger, appClaims(T0_SECONDS), { kid: key.kid });
    await expectRejected(verifier.verify(bearer(token)), reason.signature, token);
  });

  it('refuses alg: none', async () => {
    const token = unsignedToken(key.kid, appClaims(T0_SECONDS));
    await expectRejected(verifier.verify(bearer(token)), reason.algorithm, token);
  });

  it.each(['pem', 'jwk'] as const)('refuses HS256 signed with the public key (%s bytes)', async (bytes) => {
    const token = hs256WithPublicKey(key, appClaims(T0_SECONDS), bytes);
    await expectRejected(verifier.verify(bearer(token)), reason.algorithm, token);
  });

  it.each([
    ['wrong issuer', { iss: 'https://login.microsoftonline.com/x/v2.0' }, reason.issuer],
    ['wrong audience', { aud: 'https://graph.microsoft.com' }, reason.audience],
    ['missing tid', { tid: undefined }, reason.claims],
    ['missing oid', { oid: undefined }, reason.claims],
    ['missing exp', { exp: undefined }, reason.claims],
    ['unknown idtyp', { idtyp: undefined }, reason.claims],
    ['roles not a string list', { roles: 'Directory.ReadWrite.All' }, reason.claims],
    ['a sender-constrained token', { cnf: { jkt: 'abc' } }, reason.senderConstrained],
  ])('refuses %s', async (_name, overrides, message) => {
    const token = await signWith(key, appClaims(T0_SECONDS, overrides));
    await expectRejected(verifier.verify(bearer(token)), message, token);
  });

  it('refuses a token whose typ is not at+jwt (e.g. an ID token)', async () => {
    const token = await signWith(key, appClaims(T0_SECONDS), { typ: 'JWT' });
    await expectRejected(verifier.verify(bearer(token)), reason.type, token);
  });

  it('refuses a token naming a kid the key store does not hold', async () => {
    const stranger = await generateSigningKey(clock);
    const token = await signWith(stranger, appClaims(T0_SECONDS));
    await expectRejected(verifier.verify(bearer(token)), reason.unknownKey, token);
  });

  it('lets a key-store failure surface as itself (a server error), not as a 401', async () => {
    keys.unavailable = true;
    await expect(verifier.verify(bearer(await signWith(key, appClaims(T0_SECONDS))))).rejects.toThrow(
      'key store unavailable',
    );
  });

  describe('key rotation', () => {
    it('still verifies tokens signed by a retired key', async () => {
      const old = await signWith(key, appClaims(T0_SECONDS));
      await verifier.verify(bearer(old));
      const next = await rotateSigningKeys(keys, clock);
      expect((await keys.list()).find((k) => k.kid === key.kid)?.status).toBe('retired');
      await expect(verifier.verify(bearer(old))).resolves.toMatchObject({ kind: 'app' });
      const fresh = createTokenVerifier({ issuer: ISSUER, audience: ISSUER, keys, clock });
      await expect(fresh.verify(bearer(old))).resolves.toMatchObject({ kind: 'app' });
      await expect(fresh.verify(bearer(await signWith(next, appClaims(T0_SECONDS))))).resolves.toBeDefined();
    });

    it('verifies a token from a freshly rotated key at once (unknown kid refreshes the cache)', async () => {
      await verifier.verify(bearer(await signWith(key, appClaims(T0_SECONDS))));
      const next = await rotateSigningKeys(keys, clock);
      await expect(
        verifier.verify(bearer(await signWith(next, appClaims(T0_SECONDS)))),
      ).resolves.toMatchObject({
        kind: 'app',
      });
    });

    it('stops verifying a removed key: at once for a new verifier, within the cache age for a warm one', async () => {
      const token = await signWith(key, appClaims(T0_SECONDS));
      await verifier.verify(bearer(token));
      await rotateSigningKeys(keys, clock);
      keys.remove(key.kid);

      const fresh = createTokenVerifier({ issuer: ISSUER, audience: ISSUER, keys, clock });
      await expectRejected(fresh.verify(bearer(token)), reason.unknownKey, token);

      clock.advance(299_000);
      await expect(verifier.verify(bearer(token))).resolves.toBeDefined();
      clock.advance(1_000);
      await expectRejected(verifier.verify(bearer(token)), reason.unknownKey, token);
    });

    it('reads the key store at most once per cooldown for unknown kids', async () => {
      const stranger = await generateSigningKey(clock);
      const token = bearer(await signWith(stranger, appClaims(T0_SECONDS)));
      await expectRejected(verifier.verify(token), reason.unknownKey);
      const reads = keys.listCalls;
      await expectRejected(verifier.verify(token), reason.unknownKey);
      await expectRejected(verifier.verify(token), reason.unknownKey);
      expect(keys.listCalls).toBe(reads);
      clock.advance(10_000);
      await expectRejected(verifier.verify(token), reason.unknownKey);
      expect(keys.listCalls).toBe(reads + 1);
    });
  });
});
