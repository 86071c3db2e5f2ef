import type { Logger } from 'pino';
import {
  isHoldingSource,
  makeHoldingsIndex,
  type HoldingChange,
  type HoldingsIndex,
  type HoldingsSource,
} from '../app/authzen/holdings-index.js';
import type { Clock } from '../domain/time/clock.js';
import { repeatEvery, type Repeating } from '../jobs/repeat.js';
import {
  holdingsCommitHook,
  holdingsSource,
  pruneHoldingChanges,
  type HoldingsCommitHook,
} from '../store/authzen/holdings-source.js';
import type { Db, Listener } from '../store/db.js';

/** The channel migration 0024's triggers notify on (PostgreSQL). */
export const HOLDINGS_CHANNEL = 'elevate_holdings';
/** SQLite: how often the change feed is read besides after each commit (writes from other tools). */
export const DEFAULT_HOLDINGS_CATCH_UP_INTERVAL_MS = 250;
/** PostgreSQL: how often the whole index is reloaded, whatever notifications said. */
export const DEFAULT_HOLDINGS_FULL_CHECK_INTERVAL_MS = 60_000;
/** PostgreSQL: feed rows are kept this long (a transaction reads its own rows before commit). */
const FEED_KEPT_MS = 10 * 60_000;
/** Pause before listening again after the notification connection was lost. */
const RELISTEN_MS = 1_000;

export interface HoldingsIndexOptions {
  /** Off: every AuthZEN answer is read from the database. Default on. */
  enabled?: boolean;
  /** Entries (principals, schedules, direct assignments, memberships) beyond which the index gives up. */
  maxEntries?: number;
  /** SQLite: pause between reads of the change feed; 0 turns the timer off (commits still update). */
  catchUpIntervalMs?: number;
  /** PostgreSQL: pause between full reloads; 0 turns the timer off. */
  fullCheckIntervalMs?: number;
  /** Rows per page of a full load (default 2,000; ADR 0054). */
  loadPageSize?: number;
  /**
   * Wraps the database source the index reads (tests hold a full load open with it, over the real
   * database, to show what the server answers before the index is loaded).
   */
  wrapSource?: (source: HoldingsSource) => HoldingsSource;
}

export interface HoldingsWiring {
  index: HoldingsIndex;
  /** For the unit of work: keeps this process's index current on its own commits. */
  hook: HoldingsCommitHook;
  /**
   * Starts what keeps the index current (on PostgreSQL the listener, awaited; the timer) and its
   * first full load, which it does not wait for (ADR 0054): until that load is done every answer
   * is read from the database. `index.loaded()` resolves when it is.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The in-memory holdings index of this process and what keeps it exact (ADR 0031,
 * docs/authzen-index.md): its own commits (the unit of work's hook), other replicas' commits
 * (PostgreSQL `LISTEN elevate_holdings`, sent by the triggers of the writing transaction, so only
 * on commit), and a periodic check (SQLite: the change feed; PostgreSQL: a full reload).
 */
export function wireHoldingsIndex(o: {
  db: Db;
  clock: Clock;
  logger: Logger | false;
  options?: HoldingsIndexOptions;
}): HoldingsWiring {
  const log = o.logger;
  const source = holdingsSource(o.db);
  const index = makeHoldingsIndex({
    source: o.options?.wrapSource ? o.options.wrapSource(source) : source,
    clock: o.clock,
    ...(o.options?.maxEntries === undefined ? {} : { maxEntries: o.options.maxEntries }),
    ...(o.options?.loadPageSize === undefined ? {} : { pageSize: o.options.loadPageSize }),
    onError: (err) => {
      if (log)
        log.error(
          { err },
          'holdings index: refresh failed; AuthZEN answers from the database until the next full load',
        );
    },
  });
  const hook = holdingsCommitHook(o.db, index);
  let listener: Listener | undefined;
  let relisten: NodeJS.Timeout | undefined;
  let stopped = false;
  let timer: Repeating | undefined;

  const onPayload = (schema: string) => (payload: string) => {
    const [s, tenantId, principalId, source] = payload.split(' ');
    if (s !== schema || !tenantId || !principalId) return;
    if (!isHoldingSource(source)) return;
    const change: HoldingChange = { tenantId, principalId, source };
    index.changed([change]).catch(() => undefined);
  };

  async function listen(): Promise<void> {
    if (!o.db.listen || stopped) return;
    // Notifications that arrive before the connection said which schema it serves wait here.
    const known: { schema?: string } = {};
    const pending: string[] = [];
    listener = await o.db.listen(HOLDINGS_CHANNEL, {
      notify(payload) {
        if (known.schema === undefined) pending.push(payload);
        else onPayload(known.schema)(payload);
      },
      lost(err) {
        listener = undefined;
        // Notifications may be missed from now on: answer from the database until listening again.
        index.suspend('the notification connection was lost');
        if (log) log.warn({ err }, 'holdings index: notification connection lost; listening again');
        scheduleRelisten();
      },
    });
    known.schema = listener.schema;
    for (const p of pending) onPayload(listener.schema)(p);
  }

  function scheduleRelisten(): void {
    if (stopped || relisten) return;
    relisten = setTimeout(() => {
      relisten = undefined;
      listen()
        .then(() => index.resume())
        .catch((err: unknown) => {
          if (log) log.warn({ err }, 'holdings index: listening again failed; retrying');
          scheduleRelisten();
        });
    }, RELISTEN_MS);
    relisten.unref();
  }

  return {
    index,
    hook,
    async start() {
      // Off: nothing loads it, and `loaded()` resolves at once (the index never answers).
      if (o.options?.enabled === false) return index.close();
      stopped = false;
      // Listen before loading: what commits during the load arrives as notifications, and the load
      // takes it in before its maps answer.
      if (o.db.dialect === 'postgres') await listen();
      // Not awaited (ADR 0054): the server listens while the index loads, page by page, and answers
      // from the database until it is loaded (same answers, read more slowly).
      const started = performance.now();
      index.reload().then(
        () => {
          if (log && !stopped)
            log.info(
              { holdingsIndex: index.stats(), msSinceStart: Math.round(performance.now() - started) },
              'holdings index loaded',
            );
        },
        () => undefined, // reported by the index's onError; the periodic check loads again
      );
      const onError = (err: unknown) => {
        if (log) log.error({ err }, 'holdings index: periodic check failed');
      };
      if (o.db.dialect === 'sqlite') {
        const ms = o.options?.catchUpIntervalMs ?? DEFAULT_HOLDINGS_CATCH_UP_INTERVAL_MS;
        if (ms > 0) timer = repeatEvery(ms, () => index.catchUp(), onError);
      } else {
        const ms = o.options?.fullCheckIntervalMs ?? DEFAULT_HOLDINGS_FULL_CHECK_INTERVAL_MS;
        if (ms > 0) {
          timer = repeatEvery(
            ms,
            async () => {
              await index.reload();
              await pruneHoldingChanges(o.db, FEED_KEPT_MS);
            },
            onError,
          );
        }
      }
      timer?.start();
    },
    async stop() {
      stopped = true;
      if (relisten) clearTimeout(relisten);
      await timer?.stop();
      // A load still reading its pages stops at the next one, before the database closes.
      await index.close();
      await listener?.close();
      listener = undefined;
    },
  };
}
