import { auditDraft, type RequestContext } from '../../domain/audit/draft.js';
import type { AuditDraft, Initiator } from '../../domain/audit/entry.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import { initiatorOf } from '../audit/record.js';
import type { OutboxMessage } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { tenantOf, type Actor, type EventLog, type RecordedEvents } from './ports.js';

/** A fresh, empty log for one transaction. */
export function newEventLog(): EventLog {
  let recorded: RecordedEvents[] = [];
  return {
    record(actor, now, ...events) {
      if (events.length > 0) recorded.push({ actor, now, events });
    },
    drain() {
      const all = recorded;
      recorded = [];
      return all;
    },
  };
}

interface Who {
  initiatedBy: Initiator;
  context: RequestContext | undefined;
}

async function resolve(tx: Stores, actor: Actor): Promise<Who> {
  if (!('caller' in actor)) return { initiatedBy: actor.initiatedBy, context: actor.context };
  const { caller } = actor;
  return {
    initiatedBy: await initiatorOf(tx, caller),
    context: { userAgent: caller.userAgent, amr: caller.amr, correlationId: caller.correlationId },
  };
}

/**
 * Turns what a transaction recorded into its audit entries (one `appendMany`, in the order
 * recorded) and its outbox messages (one `enqueue`), inside that transaction, just before commit:
 * the change, its audit and its messages commit or roll back together (DESIGN.md invariants 3, 5).
 * The unit of work calls this; use cases only record. Returns how many outbox messages it wrote.
 */
export async function writeRecordedEvents(
  tx: Stores,
  recorded: readonly RecordedEvents[],
  newId: () => string,
): Promise<number> {
  if (recorded.length === 0) return 0;
  const drafts: AuditDraft[] = [];
  const messages: OutboxMessage[] = [];
  for (const { actor, now, events } of recorded) {
    const tenantId = tenantOf(actor);
    const who = await resolve(tx, actor);
    for (const event of events) {
      for (const a of event.audit) {
        drafts.push(auditDraft({ id: newId(), tenantId, now, ...who, ...a }));
      }
      if (event.payload !== undefined) {
        messages.push({ id: newId(), tenantId, type: event.type, occurredAt: now, payload: event.payload });
      }
    }
  }
  if (drafts.length > 0) await tx.audit.appendMany(drafts);
  if (messages.length > 0) await tx.outbox.enqueue(messages);
  return messages.length;
}

/**
 * Records the events of a refused attempt in a transaction of its own: the refused one rolled
 * back and changed nothing, but the attempt itself is evidence (a `failure` audit entry).
 */
export async function recordRefusal(uow: UnitOfWork, actor: Actor, now: number, ...events: DomainEvent[]) {
  await uow.run(async (tx) => tx.events.record(actor, now, ...events));
}
