import { decisionsReset, reminderSent } from '../../domain/access-reviews/access-review-events.js';
import { ACCESS_REVIEW_RULES } from '../../domain/access-reviews/permissions.js';
import { periodsUpTo } from '../../domain/access-reviews/recurrence.js';
import { instanceStatusAt, type ReviewInstance } from '../../domain/access-reviews/types.js';
import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import { BadRequestError, ConflictError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { NamedDecisionItem } from './ports.js';
import { applyInstance, completeInstance, createInstance, type RemoveSchedule } from './lifecycle.js';
import { itemsReviewedBy, loadInstance } from './review-access.js';
import { definitionNotFound } from './definitions.js';
import { retryOnConflict } from '../pim/retry.js';

/**
 * Who applies decisions when the review does it by itself (auto-apply): Elevate, as an app holding
 * exactly the PIM write permissions a removal needs. Its audit entries name no service principal.
 */
export const ACCESS_REVIEWS_APPLIER_ID = '00000000-0000-0000-0000-00000000a7e1';
const applier = (tenantId: string): Caller => ({
  kind: 'app',
  tenantId,
  id: ACCESS_REVIEWS_APPLIER_ID,
  appId: null,
  appPermissions: [
    'RoleEligibilitySchedule.ReadWrite.Directory',
    'RoleAssignmentSchedule.ReadWrite.Directory',
  ],
  amr: [],
  authTimeMs: null,
  ipAddress: null,
  userAgent: null,
  correlationId: null,
});

/** An instance with its status at the time it was read. */
export interface InstanceView extends ReviewInstance {
  statusNow: ReviewInstance['status'];
}
export const viewAt = (i: ReviewInstance, now: number): InstanceView => ({
  ...i,
  statusNow: instanceStatusAt(i, now),
});

const notInProgress = () =>
  new BadRequestError('Request_BadRequest', 'The access review instance is not in progress.');

/**
 * Access review instances: made by the scheduler once per period (the unique (definition, period)
 * row makes a second replica's attempt a no-op), completed at their end, applied automatically or
 * by an administrator; read, stopped, reset and reminded by administrators.
 */
export function makeReviewInstances(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  remove: RemoveSchedule;
}) {
  const system = (tenantId: string) => ({ tenantId, initiatedBy: SYSTEM_INITIATOR });

  /** Completes an ended or stopped instance and, with auto-apply, applies it as Elevate. */
  async function finish(tenantId: string, instanceId: string, now: number, stoppedBy: Caller | null) {
    const done = await retryOnConflict(() =>
      deps.uow.run(async (tx) => {
        const i = await tx.reviewInstances.get(tenantId, instanceId);
        const d = i && (await tx.reviewDefinitions.get(tenantId, i.definitionId));
        if (!i || !d) return null;
        const completed = await completeInstance(tx, d, i, now, stoppedBy !== null);
        if (completed === null) return null;
        tx.events.record(stoppedBy ? { caller: stoppedBy } : system(tenantId), now, completed.event);
        return d;
      }),
    );
    if (done?.settings.autoApplyDecisionsEnabled === true)
      await applyInstance(
        deps,
        applier(tenantId),
        (tx, at, ...events) => tx.events.record(system(tenantId), at, ...events),
        tenantId,
        instanceId,
        now,
      );
  }

  async function adminInstance<T>(
    caller: Caller,
    definitionId: string,
    instanceId: string,
    write: boolean,
    work: (tx: Stores, now: number, loaded: Awaited<ReturnType<typeof loadInstance>>) => Promise<T>,
  ): Promise<T> {
    const now = deps.clock.now();
    return deps.uow.run(async (tx) => {
      await authorize(tx, caller, write ? ACCESS_REVIEW_RULES.write : ACCESS_REVIEW_RULES.read, now);
      return work(tx, now, await loadInstance(tx, caller.tenantId, definitionId, instanceId));
    });
  }

  return {
    /**
     * The scheduler's run: for every definition of every tenant, creates the instance of the current
     * period if it has none and is still open, then completes the instances whose end has come
     * (default decisions, auto-apply). Safe to run on several replicas at once.
     * @returns how many instances it created and completed
     */
    async runDue(): Promise<{ created: number; completed: number }> {
      const now = deps.clock.now();
      let created = 0;
      let completed = 0;
      const tenants = await deps.uow.run((tx) => tx.tenants.all());
      for (const tenant of tenants) {
        const definitions = await deps.uow.run((tx) => tx.reviewDefinitions.list(tenant.id));
        for (const d of definitions) {
          const period = periodsUpTo(d.settings.recurrence, now).at(-1);
          if (period === undefined) continue;
          if (Math.max(period, d.createdAt) + d.settings.instanceDurationInDays * 86_400_000 <= now) continue;
          try {
            const made = await deps.uow.run(async (tx) => {
              if ((await tx.reviewInstances.periodsOf(d.id)).has(period)) return false;
              const { event } = await createInstance(tx, deps.newId, d, period, now);
              tx.events.record(system(tenant.id), now, event);
              return true;
            });
            if (made) created += 1;
          } catch (e) {
            // Another replica made this period's instance first: it exists once, as it should.
            if (!(e instanceof ConflictError)) throw e;
          }
        }
        const ended = await deps.uow.run((tx) => tx.reviewInstances.endedUnrecorded(tenant.id, now));
        for (const i of ended) {
          await finish(tenant.id, i.id, now, null);
          completed += 1;
        }
      }
      return { created, completed };
    },

    /** @throws NotFoundError, ForbiddenError */
    async list(caller: Caller, definitionId: string): Promise<InstanceView[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, ACCESS_REVIEW_RULES.read, now);
        const d = await tx.reviewDefinitions.get(caller.tenantId, definitionId);
        if (!d) throw definitionNotFound();
        return (await tx.reviewInstances.listByDefinition(caller.tenantId, d.id)).map((i) => viewAt(i, now));
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    get: (caller: Caller, definitionId: string, instanceId: string): Promise<InstanceView> =>
      adminInstance(caller, definitionId, instanceId, false, async (_tx, now, { i }) => viewAt(i, now)),

    /** Every decision item of an instance (administrators and readers). @throws NotFoundError, ForbiddenError */
    decisions: (caller: Caller, definitionId: string, instanceId: string): Promise<NamedDecisionItem[]> =>
      adminInstance(caller, definitionId, instanceId, false, (tx) =>
        tx.reviewDecisions.named(caller.tenantId, instanceId),
      ),

    /**
     * `stop`: ends an instance in progress now; non-responders take the default decision and, with
     * auto-apply, decisions are applied.
     * @throws BadRequestError (not in progress), NotFoundError, ForbiddenError
     */
    async stop(caller: Caller, definitionId: string, instanceId: string): Promise<void> {
      const now = await adminInstance(caller, definitionId, instanceId, true, async (_tx, at, { i }) => {
        if (instanceStatusAt(i, at) !== 'InProgress') throw notInProgress();
        return at;
      });
      await finish(caller.tenantId, instanceId, now, caller);
    },

    /**
     * `applyDecisions`: applies a completed instance's decisions as the caller (their PIM rights
     * are checked by each removal).
     * @throws BadRequestError (not completed), NotFoundError, ForbiddenError
     */
    async applyDecisions(caller: Caller, definitionId: string, instanceId: string): Promise<void> {
      const now = await adminInstance(caller, definitionId, instanceId, true, async (tx, at, { d, i }) => {
        const status = instanceStatusAt(i, at);
        if (status === 'NotStarted' || status === 'InProgress')
          throw new BadRequestError(
            'Request_BadRequest',
            'Decisions can be applied once the review has completed.',
          );
        // An ended instance whose completion the scheduler has not recorded yet is completed here.
        const completed = await completeInstance(tx, d, i, at, false);
        if (completed) tx.events.record(system(caller.tenantId), at, completed.event);
        return at;
      });
      await applyInstance(
        deps,
        caller,
        (tx, at, ...events) => tx.events.record({ caller }, at, ...events),
        caller.tenantId,
        instanceId,
        now,
      );
    },

    /** `resetDecisions`: every item back to `NotReviewed`. @throws BadRequestError, NotFoundError, ForbiddenError */
    async resetDecisions(caller: Caller, definitionId: string, instanceId: string): Promise<void> {
      await adminInstance(caller, definitionId, instanceId, true, async (tx, now, { d, i }) => {
        if (instanceStatusAt(i, now) !== 'InProgress') throw notInProgress();
        const n = await tx.reviewDecisions.resetAll(caller.tenantId, i.id);
        if (n > 0) tx.events.record({ caller }, now, decisionsReset(d, i, n));
      });
    },

    /**
     * `sendReminder`: a notification event naming the reviewers who still have items to decide;
     * the notifications feature mails them after commit.
     * @throws BadRequestError (not in progress), NotFoundError, ForbiddenError
     */
    async sendReminder(caller: Caller, definitionId: string, instanceId: string): Promise<void> {
      await adminInstance(caller, definitionId, instanceId, true, async (tx, now, { d, i }) => {
        if (instanceStatusAt(i, now) !== 'InProgress') throw notInProgress();
        const open = (await tx.reviewDecisions.list(caller.tenantId, i.id)).filter(
          (x) => x.decision === 'NotReviewed',
        );
        const reviewerIds = await pendingReviewers(tx, caller.tenantId, d, open, now);
        const events: DomainEvent[] = [reminderSent(d, i, reviewerIds)];
        tx.events.record({ caller }, now, ...events);
      });
    },
  };
}

/** The users who review at least one of the items: listed users, members of listed groups, managers, or the principals (self-review). */
async function pendingReviewers(
  tx: Stores,
  tenantId: string,
  d: Parameters<typeof itemsReviewedBy>[2],
  open: readonly { principalId: string }[],
  _now: number,
): Promise<string[]> {
  const out = new Set<string>();
  if (d.reviewers.length === 0) {
    for (const x of open) out.add(x.principalId);
    return [...out].sort();
  }
  const managers = await tx.managers.managersOf(
    tenantId,
    open.map((x) => x.principalId),
  );
  const add = async (list: typeof d.reviewers, principals: readonly { principalId: string }[]) => {
    if (principals.length === 0) return;
    for (const r of list) {
      if (r.kind === 'user') out.add(r.id);
      else if (r.kind === 'manager')
        for (const x of principals) {
          const m = managers.get(x.principalId);
          if (m) out.add(m);
        }
      else {
        const page = await tx.groups.members(
          tenantId,
          r.id,
          { expand: [], orderBy: [], top: 999, skip: 0, count: false },
          _now,
        );
        for (const m of page.items) if (m.memberType === 'user') out.add(m.memberId);
      }
    }
  };
  await add(d.reviewers, open);
  if (d.reviewers.some((r) => r.kind === 'manager'))
    await add(
      d.fallbackReviewers,
      open.filter((x) => !managers.has(x.principalId)),
    );
  return [...out].sort();
}
