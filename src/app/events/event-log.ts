import { auditDraft, type RequestContext } from '../../domain/audit/draft.js';
import type { AuditDraft, Initiator } from '../../domain/audit/entry.js';
import type { AuditRecord, DomainEvent } from '../../domain/events/domain-event.js';
import { REFUSAL_EVENTS } from '../../domain/audit/repeated-refusals.js';
import type { OutboxMessage } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { initiatorOf } from './initiator.js';
import type { Candidate, RefusalWindows } from './refusal-windows.js';
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
    context: {
      userAgent: caller.userAgent,
      amr: caller.amr,
      correlationId: caller.correlationId,
      clientOrigin: caller.clientOrigin ?? null,
    },
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

/** What `writeRecordedEvents` wrote, and what to do once the transaction is over. */
export interface WrittenEvents {
  /** How many outbox messages it wrote. */
  messages: number;
  /** Call with whether the transaction committed (refusal windows' counts; see `RefusalWindows`). */
  settle: (committed: boolean) => void;
}

const NOTHING_TO_SETTLE = () => undefined;

/**
 * Turns what a transaction recorded into its audit entries (one `appendMany`, in the order
 * recorded) and its outbox messages (one `enqueue`), inside that transaction, just before commit:
 * the change, its audit and its messages commit or roll back together (DESIGN.md invariants 3, 5).
 * With `refusals`, a refusal identical to its principal's previous one within the window is left
 * out and counted, and a closed window's summary is appended before the entry that closed it
 * (`refusal-windows.ts`). The unit of work calls this; use cases only record.
 */
export async function writeRecordedEvents(
  tx: Stores,
  recorded: readonly RecordedEvents[],
  newId: () => string,
  refusals?: RefusalWindows,
): Promise<WrittenEvents> {
  const candidates: Candidate[] = [];
  const messages: OutboxMessage[] = [];
  for (const { actor, now, events } of recorded) {
    const audit = events.flatMap((e) => e.audit.map((a) => ({ a, refusal: REFUSAL_EVENTS.has(e.type) })));
    const drafts = await auditDrafts(
      tx,
      actor,
      now,
      audit.map((x) => x.a),
      newId,
    );
    drafts.forEach((draft, i) =>
      candidates.push({ draft, refusal: audit[i]!.refusal && draft.result === 'failure' }),
    );
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
  const admitted =
    refusals === undefined || candidates.length === 0
      ? { drafts: candidates.map((c) => c.draft), settle: NOTHING_TO_SETTLE }
      : refusals.admit(candidates);
  if (admitted.drafts.length > 0) await tx.audit.appendMany(admitted.drafts);
  if (messages.length > 0) await tx.outbox.enqueue(messages);
  return { messages: messages.length, settle: admitted.settle };
}

/**
 * Writes the summaries of the refusal windows that have ended (all of them with `all`, at
 * shutdown) in a unit of their own: the flush timer and `onClose` call it. Returns how many.
 */
export async function flushRefusalWindows(
  uow: UnitOfWork,
  refusals: RefusalWindows,
  all = false,
): Promise<number> {
  const due = refusals.due(all);
  if (due.drafts.length === 0) return 0;
  try {
    await uow.run((tx) => tx.audit.appendMany(due.drafts));
  } catch (e) {
    due.settle(false);
    throw e;
  }
  due.settle(true);
  return due.drafts.length;
}

/**
 * Records the events of a refused attempt in a transaction of its own: the refused one rolled
 * back and changed nothing, but the attempt itself is evidence (a `failure` audit entry).
 */
export async function recordRefusal(uow: UnitOfWork, actor: Actor, now: number, ...events: DomainEvent[]) {
  await uow.run(async (tx) => tx.events.record(actor, now, ...events));
}
