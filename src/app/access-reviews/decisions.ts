import { decisionRecorded, REVIEW_ACTIVITIES } from '../../domain/access-reviews/access-review-events.js';
import {
  instanceStatusAt,
  type DecisionItem,
  type ReviewDecision,
  type ReviewDefinition,
} from '../../domain/access-reviews/types.js';
import type { Attempted } from '../../domain/audit/audit-events.js';
import { BadRequestError, ForbiddenError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Stores, UnitOfWork } from '../ports.js';
import type { NamedDecisionItem } from './ports.js';
import { viewAt, type InstanceView } from './instances.js';
import { canReadAll, decisionNotFound, itemsReviewedBy, loadInstance } from './review-access.js';
import { definitionNotFound, type DefinitionView } from './definitions.js';

export interface RecordDecision {
  decision: Exclude<ReviewDecision, 'NotReviewed'>;
  justification: string | null;
}

/** `batchRecordDecisions`: optional narrowing to one principal and/or one role (`resourceId`). */
export interface BatchDecision extends RecordDecision {
  principalId: string | null;
  resourceId: string | null;
}

const attempted = (id: string): Attempted => ({
  activity: REVIEW_ACTIVITIES.decisionRecord,
  targets: [
    {
      id: id.slice(0, 200),
      displayName: null,
      type: 'Other',
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ],
});

/**
 * What reviewers do: see the instances and items they review, and record decisions on them while
 * the instance is in progress. A reviewer never decides on their own access unless the review is a
 * self-review. Recording the decision an item already has is accepted and changes nothing
 * (idempotent); a different decision replaces it while the instance is in progress, as in Entra.
 */
export function makeReviewDecisions(deps: { uow: UnitOfWork; clock: Clock }) {
  const change = makeChange(deps);

  function checkJustification(d: ReviewDefinition, cmd: RecordDecision) {
    if (
      d.settings.justificationRequiredOnApproval &&
      cmd.decision === 'Approve' &&
      (cmd.justification === null || cmd.justification.trim() === '')
    )
      throw new ValidationError('A justification is required to approve in this review.', 'justification');
  }

  /** Writes one decision if it changes the item; returns whether it did. */
  async function decide(
    tx: Stores,
    caller: Caller,
    d: ReviewDefinition,
    item: DecisionItem,
    cmd: RecordDecision,
    now: number,
    record: (e: ReturnType<typeof decisionRecorded>) => void,
  ): Promise<boolean> {
    if (
      item.decision === cmd.decision &&
      item.justification === cmd.justification &&
      item.reviewedBy === caller.id
    )
      return false;
    const next: DecisionItem = {
      ...item,
      decision: cmd.decision,
      justification: cmd.justification,
      reviewedBy: caller.id,
      reviewedAt: now,
      version: item.version + 1,
    };
    await tx.reviewDecisions.update(next, item.version);
    record(decisionRecorded(d, item, next));
    return true;
  }

  /** The instance, in progress, and the items of it the caller reviews. */
  async function reviewing(
    tx: Stores,
    caller: Caller,
    definitionId: string,
    instanceId: string,
    now: number,
  ) {
    const { d, i } = await loadInstance(tx, caller.tenantId, definitionId, instanceId);
    const mine = await itemsReviewedBy(
      tx,
      caller,
      d,
      await tx.reviewDecisions.list(caller.tenantId, i.id),
      now,
    );
    if (mine.length === 0) {
      // Someone who may read every review is told they are no reviewer; anyone else learns nothing.
      if (await canReadAll(tx, caller, now))
        throw new ForbiddenError('You are not a reviewer of this access review.');
      throw decisionNotFound();
    }
    if (instanceStatusAt(i, now) !== 'InProgress')
      throw new BadRequestError(
        'Request_BadRequest',
        'The access review instance is not in progress: decisions are closed.',
      );
    return { d, i, mine };
  }

  return {
    /**
     * `definitions/filterByCurrentUser(on='reviewer')`: the definitions with an instance the caller
     * reviews items in (people only; an application reviews nothing), each with its latest instance.
     */
    async definitionsForReviewer(caller: Caller): Promise<DefinitionView[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const out: DefinitionView[] = [];
        if (caller.kind !== 'user') return out;
        for (const d of await tx.reviewDefinitions.list(caller.tenantId)) {
          const list = await tx.reviewInstances.listByDefinition(caller.tenantId, d.id);
          for (const i of list) {
            const items = await tx.reviewDecisions.list(caller.tenantId, i.id);
            if ((await itemsReviewedBy(tx, caller, d, items, now)).length === 0) continue;
            const latest = list[0];
            out.push({ ...d, latest, status: latest ? instanceStatusAt(latest, now) : 'NotStarted' });
            break;
          }
        }
        return out;
      });
    },

    /** `instances/filterByCurrentUser(on='reviewer')`: the definition's instances the caller reviews items in. */
    async instancesForReviewer(
      caller: Caller,
      definitionId: string,
    ): Promise<{ definition: ReviewDefinition; instances: InstanceView[] }> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const d = await tx.reviewDefinitions.get(caller.tenantId, definitionId);
        if (!d) throw definitionNotFound();
        const out: InstanceView[] = [];
        for (const i of await tx.reviewInstances.listByDefinition(caller.tenantId, d.id)) {
          const items = await tx.reviewDecisions.list(caller.tenantId, i.id);
          if ((await itemsReviewedBy(tx, caller, d, items, now)).length > 0) out.push(viewAt(i, now));
        }
        return { definition: d, instances: out };
      });
    },

    /** `decisions/filterByCurrentUser(on='reviewer')`: the items of an instance the caller reviews. */
    async decisionsForReviewer(
      caller: Caller,
      definitionId: string,
      instanceId: string,
    ): Promise<NamedDecisionItem[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const { d, i } = await loadInstance(tx, caller.tenantId, definitionId, instanceId);
        const mine = await itemsReviewedBy(
          tx,
          caller,
          d,
          await tx.reviewDecisions.list(caller.tenantId, i.id),
          now,
        );
        return tx.reviewDecisions.named(
          caller.tenantId,
          i.id,
          mine.map((x) => x.id),
        );
      });
    },

    /** One item, for its reviewer or an administrator. @throws NotFoundError */
    async getDecision(
      caller: Caller,
      definitionId: string,
      instanceId: string,
      id: string,
    ): Promise<NamedDecisionItem> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const { d, i } = await loadInstance(tx, caller.tenantId, definitionId, instanceId);
        const item = await tx.reviewDecisions.get(caller.tenantId, i.id, id);
        if (!item) throw decisionNotFound();
        const visible =
          (await canReadAll(tx, caller, now)) ||
          (await itemsReviewedBy(tx, caller, d, [item], now)).length > 0;
        if (!visible) throw decisionNotFound();
        return (await tx.reviewDecisions.named(caller.tenantId, i.id, [item.id]))[0]!;
      });
    },

    /**
     * `PATCH decisions/{id}`.
     * @throws ValidationError (justification required), BadRequestError (not in progress),
     *   NotFoundError / ForbiddenError (not the caller's item), ConflictError
     */
    async record(caller: Caller, definitionId: string, instanceId: string, id: string, cmd: RecordDecision) {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(id),
        check: async (tx, now) => {
          const { d, mine } = await reviewing(tx, caller, definitionId, instanceId, now);
          const item = mine.find((x) => x.id === id);
          if (!item) {
            if (await canReadAll(tx, caller, now))
              throw new ForbiddenError('You do not review this decision item.');
            throw decisionNotFound();
          }
          checkJustification(d, cmd);
          return { d, item };
        },
        apply: async ({ tx, now, record }, { d, item }) => {
          await decide(tx, caller, d, item, cmd, now, record);
        },
      });
    },

    /** `batchRecordDecisions`: the same decision on every item the caller reviews (narrowed by principal/role). */
    async batch(caller: Caller, definitionId: string, instanceId: string, cmd: BatchDecision) {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(instanceId),
        check: async (tx, now) => {
          const { d, mine } = await reviewing(tx, caller, definitionId, instanceId, now);
          checkJustification(d, cmd);
          const chosen = mine.filter(
            (x) =>
              (cmd.principalId === null || x.principalId === cmd.principalId) &&
              (cmd.resourceId === null || x.roleDefinitionId === cmd.resourceId),
          );
          return { d, chosen };
        },
        apply: async ({ tx, now, record }, { d, chosen }) => {
          for (const item of chosen) await decide(tx, caller, d, item, cmd, now, record);
        },
      });
    },

    /** `acceptRecommendations`: the caller's undecided items take their recommendation (where there is one). */
    async acceptRecommendations(caller: Caller, definitionId: string, instanceId: string) {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(instanceId),
        check: async (tx, now) => {
          const { d, mine } = await reviewing(tx, caller, definitionId, instanceId, now);
          return {
            d,
            open: mine.filter((x) => x.decision === 'NotReviewed' && x.recommendation !== 'NotAvailable'),
          };
        },
        apply: async ({ tx, now, record }, { d, open }) => {
          for (const item of open)
            await decide(
              tx,
              caller,
              d,
              item,
              {
                decision: item.recommendation as 'Approve' | 'Deny',
                justification: 'Accepted the recommendation.',
              },
              now,
              record,
            );
        },
      });
    },
  };
}
