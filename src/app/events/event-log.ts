import { auditDraft, type RequestContext } from '../../domain/audit/draft.js';
import type { AuditDraft, Initiator } from '../../domain/audit/entry.js';
import type { AuditRecord, DomainEvent } from '../../domain/events/domain-event.js';
import type { OutboxMessage } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { initiatorOf } from './initiator.js';
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
 * The audit entries `records` become when `actor` makes them at `now`: each with a fresh id, the
 * actor's tenant, initiator (a caller read live in this transaction) and request context.
 */
export async function auditDrafts(
  tx: Stores,
  actor: Actor,
  now: number,
  records: readonly AuditRecord[],
  newId: () => string,
): Promise<AuditDraft[]> {
  if (records.length === 0) return [];
  const tenantId = tenantOf(actor);
  const who = await resolve(tx, actor);
  return records.map((a) => auditDraft({ id: newId(), tenantId, now, ...who, ...a }));
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
  const drafts: AuditDraft[] = [];
  const messages: OutboxMessage[] = [];
  for (const { actor, now, events } of recorded) {
    const audit = events.flatMap((e) => e.audit);
    drafts.push(...(await auditDrafts(tx, actor, now, audit, newId)));
    for (const e of events) {
      if (e.payload === undefined) continue;
      messages.push({
        id: newId(),
        tenantId: tenantOf(actor),
        type: e.type,
        occurredAt: now,
        payload: e.payload,
      });
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
