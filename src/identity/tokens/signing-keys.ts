import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Clock } from '../../domain/time/clock.js';
import type { SigningKeyRecord, SigningKeyStore } from '../ports.js';

/**
 * A fresh ES256 (P-256) signing key. The `kid` is the RFC 7638 thumbprint of the public key, so it
 * is unique without coordination between replicas and cannot be reused for a different key.
 */
export async function generateSigningKey(clock: Clock): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg: 'ES256',
    privateJwk: { ...privateJwk, kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
    status: 'active',
    createdAtMs: clock.now(),
  };
}

/**
 * The key that signs new tokens: the newest active one (ties broken by kid, so every replica picks
 * the same key even if two replicas rotated at once).
 */
export function selectSigningKey(keys: readonly SigningKeyRecord[]): SigningKeyRecord | undefined {
  let best: SigningKeyRecord | undefined;
  for (const key of keys) {
    if (key.status !== 'active') continue;
    if (
      best === undefined ||
      key.createdAtMs > best.createdAtMs ||
      (key.createdAtMs === best.createdAtMs && key.kid > best.kid)
    ) {
      best = key;
    }
  }
  return best;
}

/**
 * Adds a new active key, then retires every other active key. The new key is inserted first so
 * that there is never a moment without an active key. Retired keys stay in the JWKS, so tokens
 * they signed keep verifying until they expire and the key is removed.
 */
export async function rotateSigningKeys(store: SigningKeyStore, clock: Clock): Promise<SigningKeyRecord> {
  const previous = await store.list();
  const next = await generateSigningKey(clock);
  await store.insert(next);
  for (const key of previous) {
    if (key.status === 'active' && key.kid !== next.kid) await store.retire(key.kid);
  }
  return next;
}

/**
 * First-run bootstrap: makes sure there is an active key and returns the full key list. The
 * authorization server calls it so that a new installation can issue tokens without a manual step.
 */
export async function ensureActiveSigningKey(
  store: SigningKeyStore,
  clock: Clock,
): Promise<SigningKeyRecord[]> {
  const keys = await store.list();
  if (selectSigningKey(keys) !== undefined) return keys;
  await store.insert(await generateSigningKey(clock));
  return store.list();
}
