import type { Initiator } from '../../domain/audit/entry.js';
import type { RequestContext } from '../../domain/audit/draft.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import type { Caller } from '../authorization/caller.js';

/**
 * Who made an event happen: a caller (named in the audit entry as they are at commit, read in the
 * same transaction), or an initiator the use case already knows (sign-in before a token exists,
 * Elevate itself).
 */
export type Actor =
  { caller: Caller } | { tenantId: string; initiatedBy: Initiator; context?: RequestContext };

export const tenantOf = (actor: Actor): string =>
  'caller' in actor ? actor.caller.tenantId : actor.tenantId;

/** One recorded batch: the events an actor made happen at one clock reading. */
export interface RecordedEvents {
  actor: Actor;
  now: number;
  events: readonly DomainEvent[];
}

/**
 * The events of the current transaction. The unit of work hands one to each use case with its
 * stores and, before commit, turns everything recorded into audit entries and outbox messages;
 * when the transaction rolls back, nothing recorded is kept.
 */
export interface EventLog {
  record(actor: Actor, now: number, ...events: DomainEvent[]): void;
  /** Empties the log and returns what it held, in order. */
  drain(): RecordedEvents[];
}
