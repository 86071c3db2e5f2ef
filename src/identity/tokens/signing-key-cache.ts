import { importJWK } from 'jose';
import type { CryptoKey, KeyObject } from 'jose';
import type { Clock } from '../../domain/time/clock.js';
import type { SigningKeyStore } from '../ports.js';

type VerificationKey = CryptoKey | KeyObject | Uint8Array;

/**
 * The public keys tokens may be verified with, read from the key store (the local JWKS: active and
 * retired keys, never removed ones).
 *
 * The set is reloaded when it is older than `maxAgeMs` (so a removed key stops verifying within
 * that time) and when a token names a kid the cache does not know (so a key just rotated in by
 * another replica verifies at once), the latter at most once per `unknownKidCooldownMs`, so a
 * flood of tokens with made-up kids cannot turn into a flood of key-store reads.
 */
export class SigningKeyCache {
  private keys = new Map<string, VerificationKey>();
  private loadedAtMs: number | undefined;
  private lastUnknownKidReloadMs: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly unknownKidCooldownMs: number,
  ) {}

  /** The key for `kid`, or `undefined` if the key store does not (or no longer) hold it. */
  async find(kid: string): Promise<VerificationKey | undefined> {
    const now = this.clock.now();
    if (this.loadedAtMs === undefined || now - this.loadedAtMs >= this.maxAgeMs) {
      await this.reload();
    }
    const known = this.keys.get(kid);
    if (known !== undefined) return known;
    const last = this.lastUnknownKidReloadMs;
    if (last !== undefined && now - last < this.unknownKidCooldownMs) return undefined;
    this.lastUnknownKidReloadMs = now;
    await this.reload();
    return this.keys.get(kid);
  }

  private reload(): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<void> {
    const records = await this.store.list();
    const next = new Map<string, VerificationKey>();
    for (const record of records) {
      if (record.alg !== 'ES256') continue;
      // Only the public members, even if a store hands back more.
      const { kty, crv, x, y } = record.publicJwk;
      next.set(record.kid, await importJWK({ kty, crv, x, y, alg: 'ES256' }, 'ES256'));
    }
    this.keys = next;
    this.loadedAtMs = this.clock.now();
  }
}
