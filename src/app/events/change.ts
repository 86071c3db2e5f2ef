import { accessDenied, type Attempted } from '../../domain/audit/audit-events.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { recordRefusal } from './event-log.js';
import type { Actor } from './ports.js';

/** What the `apply` step of a change is handed: the unit's stores, its one clock reading, the recorder. */
export interface Applying {
  tx: Stores;
  now: number;
  /** Records what happened, made by the caller at `now` (written at commit, with the change). */
  record: (...events: DomainEvent[]) => void;
}

/**
 * One state-changing use case, in the order it reads: authorize and load (`check`), then mutate
 * and record (`apply`), in one unit of work.
 */
export interface Change<L, T> {
  /**
   * The refused attempt as the `authorization.denied` entry names it: the activity and the
   * targets as far as the request names them (nothing is loaded for it).
   */
  attempt: Attempted;
  /**
   * Authorizes the caller and loads (and validates) what `apply` needs. Reads only: a
   * `ForbiddenError` thrown here is recorded in this unit, which commits (nothing else was
   * written), and thrown after commit.
   */
  check(tx: Stores, now: number): Promise<L>;
  /** Writes the change and records its events; returns the use case's answer. */
  apply(on: Applying, loaded: L): Promise<T>;
  /** The unit's clock reading, when the use case read the clock before (to validate against it). */
  now?: number;
  /** Reruns the whole unit, e.g. `retryOnConflict` when a compare-and-set is lost. */
  rerun?: <R>(unit: () => Promise<R>) => Promise<R>;
}

type Ran<T> = { done: T } | { refused: ForbiddenError };

/**
 * Runs {@link Change}s for a feature's use cases. A refusal for lack of privilege becomes a
 * `failure` entry (`authorization.denied`): in the refused unit when `check` refused (it wrote
 * nothing), else, should `apply` refuse after writing, in a unit of its own (`recordRefusal`) once
 * the refused one rolled back. Not-found and validation errors are not recorded, and roll back.
 */
export function makeChange(deps: { uow: UnitOfWork; clock: Clock }) {
  return async function change<L, T>(caller: Caller, c: Change<L, T>): Promise<T> {
    const now = c.now ?? deps.clock.now();
    const actor: Actor = { caller };
    const unit = () =>
      deps.uow.run(async (tx): Promise<Ran<T>> => {
        let loaded: L;
        try {
          loaded = await c.check(tx, now);
        } catch (e) {
          if (!(e instanceof ForbiddenError)) throw e;
          tx.events.record(actor, now, accessDenied(c.attempt, e.message));
          return { refused: e };
        }
        const record = (...events: DomainEvent[]) => tx.events.record(actor, now, ...events);
        return { done: await c.apply({ tx, now, record }, loaded) };
      });
    let ran: Ran<T>;
    try {
      ran = await (c.rerun ? c.rerun(unit) : unit());
    } catch (e) {
      if (e instanceof ForbiddenError)
        await recordRefusal(deps.uow, actor, now, accessDenied(c.attempt, e.message));
      throw e;
    }
    if ('refused' in ran) throw ran.refused;
    return ran.done;
  };
}
