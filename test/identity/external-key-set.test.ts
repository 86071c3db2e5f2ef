// The key cache for trusted external issuers, over a scripted discovery/JWKS source and a manual
// clock: refresh by age, re-read on an unknown kid with a cooldown, and keys kept when a refresh fails.
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { ExternalKeySet } from '../../src/identity/federation/external-key-set.js';

const ISSUER = 'https://idp.example.test';

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } as JWK };
}

function source(initial: JWK[]) {
  const state = { keys: initial, reads: 0, down: false, issuer: ISSUER };
  const get = (url: string): Promise<unknown> => {
    if (state.down) return Promise.reject(new Error('unreachable'));
    if (url === `${ISSUER}/.well-known/openid-configuration`) {
      return Promise.resolve({ issuer: state.issuer, jwks_uri: `${ISSUER}/jwks` });
    }
    state.reads += 1;
    // A symmetric key in the set must never be used.
    return Promise.resolve({ keys: [...state.keys, { kty: 'oct', k: 'c2VjcmV0', kid: 'shared' }] });
  };
  return { state, get };
}

const sign = (k: Awaited<ReturnType<typeof key>>, kid = k.kid) =>
  new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid }).sign(k.privateKey);

describe('ExternalKeySet', () => {
  it('re-reads on an unknown kid at most once per cooldown, and by age', async () => {
    const clock = new ManualClock(1_000_000);
    const a = await key('a');
    const b = await key('b');
    const src = source([a.jwk]);
    const set = new ExternalKeySet(ISSUER, clock, 300_000, 10_000, src.get);
    await jwtVerify(await sign(a), set.getKey);
    expect(src.state.reads).toBe(1);

    src.state.keys = [a.jwk, b.jwk]; // rotation at the issuer
    await jwtVerify(await sign(b), set.getKey);
    expect(src.state.reads).toBe(2);

    const c = await key('c');
    clock.advance(10_000);
    await expect(jwtVerify(await sign(c), set.getKey)).rejects.toThrow(/no applicable key/i);
    await expect(jwtVerify(await sign(c), set.getKey)).rejects.toThrow(/no applicable key/i);
    expect(src.state.reads).toBe(3); // the second unknown kid fell in the cooldown
    clock.advance(10_000);
    src.state.keys = [c.jwk];
    await jwtVerify(await sign(c), set.getKey);
    expect(src.state.reads).toBe(4);

    clock.advance(300_000);
    await expect(jwtVerify(await sign(a), set.getKey)).rejects.toThrow(); // removed key: gone after max age
    await expect(jwtVerify(await sign(a, 'shared'), set.getKey)).rejects.toThrow();
  });

  it('keeps the loaded keys when a refresh fails, and refuses a discovery naming another issuer', async () => {
    const clock = new ManualClock(0);
    const a = await key('a');
    const src = source([a.jwk]);
    const set = new ExternalKeySet(ISSUER, clock, 1_000, 10_000, src.get);
    await jwtVerify(await sign(a), set.getKey);
    src.state.down = true;
    clock.advance(5_000);
    await expect(jwtVerify(await sign(a), set.getKey)).resolves.toBeDefined();

    const other = source([a.jwk]);
    other.state.issuer = 'https://evil.example.test';
    const wrong = new ExternalKeySet(ISSUER, clock, 1_000, 10_000, other.get);
    await expect(jwtVerify(await sign(a), wrong.getKey)).rejects.toThrow(/names another issuer/);
  });
});
