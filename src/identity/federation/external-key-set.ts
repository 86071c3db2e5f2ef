import { createLocalJWKSet, errors } from 'jose';
import type { FlattenedJWSInput, JSONWebKeySet, JWK, JWSHeaderParameters } from 'jose';
import type { Clock } from '../../domain/time/clock.js';

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

const MAX_DOCUMENT_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 5_000;
const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

/** GETs a JSON document over HTTP(S): bounded in time and size, no redirects. */
export async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`GET ${url}: document too large`);
  return JSON.parse(text) as unknown;
}

/**
 * The signing keys of one trusted external issuer, read from its discovery document's `jwks_uri`
 * (the discovery `issuer` must equal the configured one exactly).
 *
 * Like our own key cache (`SigningKeyCache`): the set is re-read when older than `maxAgeMs`, and
 * when a token names a key the set does not hold (the issuer rotated its keys), the latter at
 * most once per `unknownKidCooldownMs`, so tokens with made-up kids cannot make Elevate hammer
 * the issuer. Only public asymmetric keys are kept (no `oct` secrets, no private members). If a
 * refresh fails while keys are loaded, the loaded keys keep serving.
 */
export class ExternalKeySet {
  private resolver: KeyResolver | undefined;
  private loadedAtMs: number | undefined;
  private lastUnknownKidReloadMs: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly clock: Clock,
    private readonly maxAgeMs = 300_000,
    private readonly unknownKidCooldownMs = 10_000,
    private readonly get: (url: string) => Promise<unknown> = fetchJson,
  ) {}

  /** Key lookup for jose's `jwtVerify`. @throws jose's `JWKSNoMatchingKey` for an unknown key. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const now = this.clock.now();
    if (this.resolver === undefined || now - (this.loadedAtMs ?? 0) >= this.maxAgeMs) {
      await this.reload(this.resolver !== undefined);
    }
    try {
      return await this.current()(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const last = this.lastUnknownKidReloadMs;
      if (last !== undefined && now - last < this.unknownKidCooldownMs) throw error;
      this.lastUnknownKidReloadMs = now;
      await this.reload(false);
      return this.current()(header, token);
    }
  };

  private current(): KeyResolver {
    if (this.resolver === undefined) throw new Error(`no keys loaded for ${this.issuer}`);
    return this.resolver;
  }

  private async reload(keepOnFailure: boolean): Promise<void> {
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    try {
      await this.pending;
    } catch (error) {
      if (!keepOnFailure) throw error;
    }
  }

  private async load(): Promise<void> {
    const discovery = await this.get(`${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    const meta = (typeof discovery === 'object' && discovery !== null ? discovery : {}) as Record<
      string,
      unknown
    >;
    if (meta.issuer !== this.issuer) throw new Error(`discovery of ${this.issuer} names another issuer`);
    if (typeof meta.jwks_uri !== 'string') throw new Error(`discovery of ${this.issuer} has no jwks_uri`);
    const jwks = await this.get(meta.jwks_uri);
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new Error(`${meta.jwks_uri} is not a JWK set`);
    const publicKeys: JWK[] = [];
    for (const key of keys as JWK[]) {
      if (typeof key !== 'object' || key === null || !ASYMMETRIC_KEY_TYPES.has(String(key.kty))) continue;
      if (key.use !== undefined && key.use !== 'sig') continue;
      const { kty, kid, alg, crv, x, y, n, e } = key;
      publicKeys.push(
        Object.fromEntries(
          Object.entries({ kty, kid, alg, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
        ),
      );
    }
    this.resolver = createLocalJWKSet({ keys: publicKeys } satisfies JSONWebKeySet);
    this.loadedAtMs = this.clock.now();
  }
}
