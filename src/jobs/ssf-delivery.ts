import type { SetTransport } from '../app/ssf/ports.js';
import { callOut } from '../net/call.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';
import { repeatEvery } from './repeat.js';

/** Pause between delivery runs when nothing nudges the worker. */
export const DEFAULT_SSF_WORKER_INTERVAL_MS = 1_000;
/** Longest a receiver may take to answer a push. */
export const DEFAULT_SSF_TIMEOUT_MS = 10_000;
/** Most of a receiver's answer kept (its RFC 8935 error JSON is small), and most read. */
const MAX_ANSWER = 4_096;
const MAX_ANSWER_READ = 64 * 1024;

/**
 * RFC 8935 push: `POST` of the signed SET as `application/secevent+jwt`, `Accept: application/json`
 * (for RFC 8935 error bodies), the stream's authorization header if it has one. Redirects are not
 * followed; through the address-guarded `fetch` (ADR 0052). Network errors, timeouts and refused
 * addresses reject; any HTTP answer resolves, for the worker to judge.
 */
export function setTransport(o: { fetch: OutboundFetch; timeoutMs?: number }): SetTransport {
  const timeoutMs = o.timeoutMs ?? DEFAULT_SSF_TIMEOUT_MS;
  return {
    async push(url, authorization, jwt) {
      const answer = await callOut(
        o.fetch,
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/secevent+jwt',
            accept: 'application/json',
            'user-agent': 'Elevate-SSF/1',
            ...(authorization === null ? {} : { authorization }),
          },
          body: jwt,
        },
        { timeoutMs, maxBytes: MAX_ANSWER_READ },
      );
      return { status: answer.status, body: answer.text.slice(0, MAX_ANSWER) };
    },
  };
}

export interface SsfDeliveryJob {
  /** One run now, after any run in progress (tests drive it). @returns SETs delivered */
  runOnce(): Promise<number>;
  /** Asks for a run as soon as possible (SETs were written). Ignored until started. */
  nudge(): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs the SET delivery worker in-process: every `intervalMs` after the previous run ended (the
 * back-off's clock), and at once when nudged; runs never overlap.
 */
export function createSsfDeliveryJob(o: {
  run: () => Promise<number>;
  intervalMs: number;
  onError?: (err: unknown) => void;
}): SsfDeliveryJob {
  const report = (e: unknown) => o.onError?.(e);
  let started = false;
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<number> | undefined;
  function request(): Promise<number> {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = undefined;
      return o.run();
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  }
  const job = repeatEvery(o.intervalMs, request, report);
  return {
    runOnce: request,
    nudge() {
      if (started) request().catch(report);
    },
    start() {
      started = true;
      job.start();
    },
    async stop() {
      started = false;
      await job.stop();
      await tail;
    },
  };
}
