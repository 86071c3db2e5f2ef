import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChainSpanVerifier } from '../../app/audit/ports.js';
import type { SeqRange } from '../../domain/audit/span.js';
import type { VerifiedSpan } from '../../domain/audit/verify.js';
import type { Db, DbOptions } from '../db.js';

/** What each worker is started with. */
export interface SpanWorkerData {
  url: string;
  options: DbOptions;
  tenantId: string;
  marks: readonly number[];
  batchSize: number;
}

/** A range to check, by its index in the list, or the request to close the connection and exit. */
export type SpanRequest = (SeqRange & { index: number; close?: undefined }) | { close: true };

/** A worker's answer for range `index`: the span, nothing (the range is wrong), or an error. */
export interface SpanReply {
  index: number;
  span?: Omit<VerifiedSpan, 'marks'> & { marks: [number, string][] };
  error?: string;
}

/**
 * The worker's module beside this one: `.js` in the build. Run from the TypeScript sources (tests,
 * `npm run dev`, the benches), the worker needs tsx's loader, which it does not inherit from a
 * test runner: a small bootstrap registers it in the worker's own thread, then imports the module
 * (`--import tsx` in the worker's `execArgv` does not reach its entry module on Node.js 20).
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./chain-span-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);
const WORKER_ENTRY: [string | URL, { eval?: true }] = FROM_SOURCE
  ? [
      `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
        `.then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`,
      { eval: true },
    ]
  : [WORKER_URL, {}];

interface Pending {
  promise: Promise<VerifiedSpan | undefined>;
  resolve(span: VerifiedSpan | undefined): void;
  reject(err: Error): void;
}

function pending(): Pending {
  let resolve!: Pending['resolve'];
  let reject!: Pending['reject'];
  const promise = new Promise<VerifiedSpan | undefined>((res, rej) => ((resolve = res), (reject = rej)));
  // Rejections are awaited in order; a later one must not count as unhandled meanwhile.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Checks ranges of a chain in worker threads, each with its own connection to `db` (a SQLite file
 * in WAL mode, which readers share, or PostgreSQL). Undefined for a database no other thread can
 * open (in-memory SQLite): verification then runs in sequence on the caller's thread.
 * @param options.workers threads at once (default: the cores this process may use)
 * @param options.batchSize rows each worker reads per round trip
 */
export function chainSpanVerifier(
  db: Pick<Db, 'reopen'>,
  options: { workers?: number; batchSize: number },
): ChainSpanVerifier | undefined {
  const reopen = db.reopen;
  if (reopen === undefined) return undefined;
  const parallelism = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  return {
    parallelism,
    async *verify(tenantId, ranges, marks) {
      const outcomes = ranges.map(pending);
      const data: SpanWorkerData = { ...reopen, tenantId, marks, batchSize: options.batchSize };
      const workers = Array.from(
        { length: Math.min(parallelism, ranges.length) },
        () => new Worker(WORKER_ENTRY[0], { ...WORKER_ENTRY[1], workerData: data }),
      );
      const exited = new Set<Worker>();
      let next = 0;
      let failed: Error | undefined;
      const fail = (err: Error) => {
        failed ??= err;
        for (const o of outcomes) o.reject(err);
      };
      /** Hands the worker the next range nobody has taken; ranges go out in order, to whoever is free. */
      const dispatch = (worker: Worker) => {
        if (next < ranges.length && failed === undefined) {
          const index = next++;
          worker.postMessage({ index, ...ranges[index]! } satisfies SpanRequest);
        }
      };
      for (const worker of workers) {
        worker.on('message', (reply: SpanReply) => {
          if (reply.error !== undefined) return fail(new Error(`audit verification worker: ${reply.error}`));
          const span = reply.span && { ...reply.span, marks: new Map(reply.span.marks) };
          outcomes[reply.index]!.resolve(span);
          dispatch(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          exited.add(worker);
          if (next < ranges.length || code !== 0)
            fail(new Error(`audit verification worker exited (${code})`));
        });
        dispatch(worker);
      }
      let finished = false;
      try {
        for (const outcome of outcomes) yield await outcome.promise;
        finished = true;
      } finally {
        // Done: each worker closes its connection and exits. Stopped early: no need to wait.
        await Promise.all(
          workers.map(async (w): Promise<unknown> => {
            if (exited.has(w)) return;
            if (!finished) return w.terminate();
            const exit = new Promise((res) => w.once('exit', res));
            w.postMessage({ close: true } satisfies SpanRequest);
            return exit;
          }),
        );
      }
    },
  };
}
