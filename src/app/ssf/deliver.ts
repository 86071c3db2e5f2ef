import type { Clock } from '../../domain/time/clock.js';
import { streamAuthorizationContext } from '../../domain/ssf/stream.js';
import type {
  DueStream,
  PushAnswer,
  Sealer,
  SetDelivery,
  SetSigner,
  SetTransport,
  SsfWorkerStore,
} from './ports.js';

export interface SsfBackoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_SSF_BACKOFF: SsfBackoff = { baseMs: 1_000, maxMs: 300_000 };
/** Attempts after which a SET is given up (kept as `failed`); at the default back-off about a day. */
export const DEFAULT_SSF_MAX_ATTEMPTS = 300;

/** How long sent and failed SETs are kept (what a receiver got, for support questions). */
export const DEFAULT_SSF_RETENTION_MS = 30 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 3_600_000;

/** The stream's pause after `failures` consecutive failures: doubling, capped, no jitter (one replica per stream). */
export const backoffMs = (b: SsfBackoff, failures: number): number =>
  Math.min(b.maxMs, b.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));

/** The RFC 8935 §2.3 error codes a receiver answers with. */
const RFC8935_ERRORS = new Set([
  'invalid_request',
  'invalid_key',
  'invalid_issuer',
  'invalid_audience',
  'authentication_failed',
  'access_denied',
]);

/**
 * What one answer means. 2xx (RFC 8935 expects 202): delivered. 400 with an RFC 8935 error in
 * its JSON body: this SET is refused for good (resending it cannot help), except `invalid_key`,
 * which a receiver also says while its key cache lags a rotation. Anything else (401/403, 5xx,
 * 429, other 4xx, no answer): the receiver or its configuration is not ready; try the stream again
 * after the back-off.
 */
export function judge(answer: PushAnswer): { outcome: 'sent' | 'refused' | 'retry'; error: string | null } {
  if (answer.status >= 200 && answer.status < 300) return { outcome: 'sent', error: null };
  let err: string | null = null;
  let description = '';
  try {
    const body = JSON.parse(answer.body) as { err?: unknown; description?: unknown };
    if (typeof body.err === 'string') err = body.err;
    if (typeof body.description === 'string') description = body.description.slice(0, 300);
  } catch {
    // not JSON: judged by the status alone
  }
  const error = `HTTP ${answer.status}${err === null ? '' : ` ${err}`}${description === '' ? '' : `: ${description}`}`;
  if (answer.status === 400 && err !== null && RFC8935_ERRORS.has(err) && err !== 'invalid_key')
    return { outcome: 'refused', error };
  return { outcome: 'retry', error };
}

/**
 * The delivery worker's run (RFC 8935 push): for each enabled stream with waiting SETs whose
 * back-off has passed (streams side by side), under the stream's lease, signs and posts its SETs
 * oldest first. The first
 * failure stops that stream until its back-off ends, so a receiver that is down gets one attempt
 * per back-off step, not one per waiting SET; when it answers again everything waiting goes out
 * in order.
 */
export function makeSsfDelivery(deps: {
  store: SsfWorkerStore;
  signer: SetSigner;
  transport: SetTransport;
  sealer: Sealer;
  clock: Clock;
  replicaId: string;
  backoff?: SsfBackoff;
  maxAttempts?: number;
  leaseMs?: number;
  batch?: number;
  retentionMs?: number;
}) {
  const backoff = deps.backoff ?? DEFAULT_SSF_BACKOFF;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_SSF_MAX_ATTEMPTS;
  const leaseMs = deps.leaseMs ?? 60_000;
  const batch = deps.batch ?? 50;
  const retentionMs = deps.retentionMs ?? DEFAULT_SSF_RETENTION_MS;
  let lastPrune = -Infinity;

  async function push(stream: DueStream, d: SetDelivery): Promise<{ ok: boolean; error: string | null }> {
    const authorization =
      stream.sealedAuthorization === null
        ? null
        : deps.sealer.open(stream.sealedAuthorization, streamAuthorizationContext(stream.id));
    const attempts = d.attempts + 1;
    let verdict: ReturnType<typeof judge>;
    try {
      const jwt = await deps.signer.sign(d.claims);
      verdict = judge(await deps.transport.push(stream.endpointUrl, authorization, jwt));
    } catch (e) {
      verdict = { outcome: 'retry', error: e instanceof Error ? e.message.slice(0, 300) : String(e) };
    }
    if (verdict.outcome === 'sent') {
      await deps.store.markSent(d.id, deps.clock.now(), attempts);
      return { ok: true, error: null };
    }
    if (verdict.outcome === 'refused' || attempts >= maxAttempts) {
      await deps.store.markFailed(d.id, attempts, verdict.error ?? 'failed');
      // A refused SET is the receiver's answer, not an outage: the stream goes on.
      return { ok: verdict.outcome === 'refused', error: verdict.error };
    }
    await deps.store.markAttempt(d.id, attempts, verdict.error ?? 'failed');
    return { ok: false, error: verdict.error };
  }

  async function serve(stream: DueStream): Promise<number> {
    if (!(await deps.store.claim(stream.id, deps.replicaId, deps.clock.now(), leaseMs))) return 0;
    let sent = 0;
    try {
      const waiting = await deps.store.pending(stream.id, batch);
      for (const d of waiting) {
        const r = await push(stream, d);
        if (!r.ok) {
          const failures = stream.failures + 1;
          await deps.store.setBackoff(
            stream.id,
            failures,
            deps.clock.now() + backoffMs(backoff, failures),
            r.error,
          );
          return sent;
        }
        sent += 1;
      }
      if (stream.failures > 0 || waiting.length > 0) await deps.store.setBackoff(stream.id, 0, 0, null);
      return sent;
    } finally {
      await deps.store.release(stream.id, deps.replicaId);
    }
  }

  return {
    /** One pass over the due streams. @returns how many SETs were delivered */
    async runOnce(): Promise<number> {
      const now = deps.clock.now();
      if (now - lastPrune >= PRUNE_INTERVAL_MS) {
        lastPrune = now;
        await deps.store.prune(now - retentionMs, 1_000);
      }
      const due = await deps.store.due(deps.clock.now(), 100);
      // Streams are served side by side: a receiver that takes its full timeout delays only its own.
      const served = await Promise.allSettled(due.map(serve));
      const failed = served.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return served.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
    },
  };
}
