import type { SetClaims } from '../../domain/ssf/set.js';
import type { SetEventType, Stream } from '../../domain/ssf/stream.js';

/** One SET on its way to one stream. */
export interface SetDelivery {
  /** The SET's `jti`. */
  id: string;
  tenantId: string;
  streamId: string;
  /** The outbox message (or verification request) it reports: the SET's `txn`. */
  eventId: string;
  eventType: SetEventType;
  claims: SetClaims;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

/** Streams, bound to the use case's transaction. */
export interface SsfStreamStore {
  list(tenantId: string): Promise<Stream[]>;
  count(tenantId: string): Promise<number>;
  get(tenantId: string, id: string): Promise<Stream | undefined>;
  insert(s: Stream): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(s: Stream, expectedVersion: number): Promise<void>;
  /** Deletes the stream and the SETs still waiting for it. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** SETs waiting or sent, bound to the use case's transaction. */
export interface SsfDeliveryStore {
  /**
   * Inserts the deliveries that do not exist yet: one per stream, event and event type, so a
   * message the outbox hands over twice writes nothing the second time. @returns how many were new
   */
  insertNew(d: readonly SetDelivery[]): Promise<number>;
}

declare module '../ports.js' {
  interface Stores {
    /** Shared Signals streams registered by receivers (ADR 0040). */
    ssfStreams: SsfStreamStore;
    /** Security event tokens on their way to receivers. */
    ssfDeliveries: SsfDeliveryStore;
  }
}

/** Encrypts the streams' authorization headers at rest (the data key's SecretBox). */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Signs a SET with Elevate's active token signing key (`typ: secevent+jwt`). */
export interface SetSigner {
  sign(claims: SetClaims): Promise<string>;
}

/** What a receiver answered to one push (RFC 8935 §2.2, §2.3). */
export interface PushAnswer {
  status: number;
  /** The response body, cut to a few kilobytes. */
  body: string;
}

/** Posts a SET to a receiver (`Content-Type: application/secevent+jwt`); rejects on network errors and timeouts. */
export interface SetTransport {
  push(url: string, authorization: string | null, jwt: string): Promise<PushAnswer>;
}

/** A stream as the delivery worker sees it, outside any use case. */
export interface DueStream {
  tenantId: string;
  id: string;
  endpointUrl: string;
  sealedAuthorization: string | null;
  failures: number;
}

/**
 * What the delivery worker needs, outside use cases: each method one statement, never held across
 * a push. The lease is a compare-and-set on the stream row, so any number of replicas may run the
 * worker and one stream is served by one of them at a time, in order.
 */
export interface SsfWorkerStore {
  /** Enabled streams with waiting SETs whose back-off has passed at `now`. */
  due(now: number, limit: number): Promise<DueStream[]>;
  /** Takes the stream's delivery lease (free, ours, or expired). */
  claim(streamId: string, holder: string, now: number, leaseMs: number): Promise<boolean>;
  release(streamId: string, holder: string): Promise<void>;
  /** The stream's oldest waiting SETs, in the order they were written. */
  pending(streamId: string, limit: number): Promise<SetDelivery[]>;
  markSent(id: string, now: number, attempts: number): Promise<void>;
  /** The receiver refused this SET for good (RFC 8935 error): kept as `failed` with the error. */
  markFailed(id: string, attempts: number, error: string): Promise<void>;
  /** Records a retryable failure on the SET (attempts, error). */
  markAttempt(id: string, attempts: number, error: string): Promise<void>;
  /** The stream's back-off: consecutive failures and when to try again (0 failures: at once). */
  setBackoff(streamId: string, failures: number, retryAt: number, error: string | null): Promise<void>;
  /** Deletes up to `limit` sent or failed SETs written before `before`. @returns how many */
  prune(before: number, limit: number): Promise<number>;
}
