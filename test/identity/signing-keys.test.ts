import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import type { SigningKeyRecord } from '../../src/identity/ports.js';
import {
  ensureActiveSigningKey,
  generateSigningKey,
  rotateSigningKeys,
  selectSigningKey,
} from '../../src/identity/tokens/signing-keys.js';
import { InMemorySigningKeyStore } from './support/in-memory-ports.js';

describe('signing keys', () => {
  const clock = new ManualClock(1_800_000_000_000);

  it('generates an active ES256 key whose kid is the RFC 7638 thumbprint, with a public half free of d', async () => {
    const key = await generateSigningKey(clock);
    expect(key).toMatchObject({ alg: 'ES256', status: 'active', createdAtMs: clock.now() });
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(key.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: key.kid, alg: 'ES256', use: 'sig' });
    expect(typeof key.privateJwk.d).toBe('string');
    expect(key.publicJwk.d).toBeUndefined();
  });

  it('rotates: inserts the new active key, retires every previously active one, keeps them listed', async () => {
    const store = new InMemorySigningKeyStore();
    const first = await generateSigningKey(clock);
    await store.insert(first);
    clock.advance(1000);
    const second = await rotateSigningKeys(store, clock);
    clock.advance(1000);
    const third = await rotateSigningKeys(store, clock);

    const byKid = new Map((await store.list()).map((k) => [k.kid, k.status]));
    expect(byKid).toEqual(
      new Map([
        [first.kid, 'retired'],
        [second.kid, 'retired'],
        [third.kid, 'active'],
      ]),
    );
    expect(selectSigningKey(await store.list())?.kid).toBe(third.kid);
  });

  it('selects the newest active key, the same on every replica when two rotated at once', () => {
    const record = (kid: string, createdAtMs: number, status: SigningKeyRecord['status']) =>
      ({ kid, createdAtMs, status }) as SigningKeyRecord;
    expect(selectSigningKey([])).toBeUndefined();
    expect(selectSigningKey([record('a', 1, 'retired')])).toBeUndefined();
    expect(
      selectSigningKey([record('a', 1, 'active'), record('b', 2, 'active'), record('c', 3, 'retired')])?.kid,
    ).toBe('b');
    expect(selectSigningKey([record('b', 5, 'active'), record('a', 5, 'active')])?.kid).toBe('b');
  });

  it('bootstraps one active key, and only when none is active', async () => {
    const store = new InMemorySigningKeyStore();
    const created = await ensureActiveSigningKey(store, clock);
    expect(created).toHaveLength(1);
    expect(await ensureActiveSigningKey(store, clock)).toEqual(created);
    await store.retire(created[0]!.kid);
    const again = await ensureActiveSigningKey(store, clock);
    expect(again.map((k) => k.status).sort()).toEqual(['active', 'retired']);
  });
});
