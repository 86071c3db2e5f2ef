import type { DecisionHook } from '../../domain/decision-hooks/hook.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** The tenant's decision hooks, bound to the use case's transaction. */
export interface DecisionHookStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<DecisionHook>>;
  get(tenantId: string, id: string): Promise<DecisionHook | undefined>;
  count(tenantId: string): Promise<number>;
  insert(h: DecisionHook): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(h: DecisionHook, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

declare module '../ports.js' {
  interface Stores {
    /** Decision hooks per tenant (ADR 0025). */
    decisionHooks: DecisionHookStore;
  }
}

/** One signed call to a hook (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export interface HookCall {
  url: string;
  /** `webhook-id`: unique per call. */
  id: string;
  /** `webhook-timestamp`, epoch ms (sent in seconds). */
  timestamp: number;
  body: string;
  /** The `whsec_` secret it is signed with. */
  secret: string;
  timeoutMs: number;
}

/** What came back: the parsed JSON of a 2xx answer, and how long it took. */
export interface HookReply {
  json: unknown;
  latencyMs: number;
}

/** A call that got no usable answer (timeout, unreachable, non-2xx, not JSON). */
export class HookCallError extends Error {
  constructor(
    message: string,
    readonly latencyMs: number,
  ) {
    super(message);
    this.name = 'HookCallError';
  }
}

/** Posts a signed call and reads the JSON answer (`jobs/decision-hook-transport.ts`). @throws HookCallError */
export interface HookTransport {
  post(call: HookCall): Promise<HookReply>;
}

/** Encrypts hook secrets at rest (the data key's SecretBox). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}
