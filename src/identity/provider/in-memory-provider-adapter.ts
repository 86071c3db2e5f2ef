import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../domain/time/clock.js';

interface Entry {
  payload: AdapterPayload;
  expiresAtMs: number | undefined;
}

/**
 * Process-local storage for oidc-provider's short-lived artifacts (sessions, interactions,
 * authorization codes, device codes, grants). The client-credentials grant issues JWT access
 * tokens, which oidc-provider does not store, so today nothing is written here on the main path.
 *
 * It is deliberately named "in memory": the later authorization-code and device flows must swap
 * it for a database-backed adapter before running with more than one replica. One instance per
 * model name, shared across provider rebuilds (key rotation) so nothing is lost on rotation.
 */
export class InMemoryProviderAdapter implements Adapter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly modelName: string,
    private readonly clock: Clock,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAtMs = expiresIn === undefined ? undefined : this.clock.now() + expiresIn * 1000;
    this.entries.set(id, { payload: structuredClone(payload), expiresAtMs });
    return Promise.resolve();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.live(id)?.payload);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.findBy((p) => p.userCode === userCode));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(this.findBy((p) => p.uid === uid));
  }

  consume(id: string): Promise<void> {
    const entry = this.live(id);
    if (entry) entry.payload.consumed = Math.floor(this.clock.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, entry] of this.entries) {
      if (entry.payload.grantId === grantId) this.entries.delete(id);
    }
    return Promise.resolve();
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry?.expiresAtMs !== undefined && this.clock.now() >= entry.expiresAtMs) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private findBy(predicate: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const id of this.entries.keys()) {
      const entry = this.live(id);
      if (entry && predicate(entry.payload)) return entry.payload;
    }
    return undefined;
  }
}
