import {
  definitionCreated,
  definitionDeleted,
  definitionUpdated,
  REVIEW_ACTIVITIES,
} from '../../domain/access-reviews/access-review-events.js';
import { ACCESS_REVIEW_RULES } from '../../domain/access-reviews/permissions.js';
import { checkRecurrence } from '../../domain/access-reviews/recurrence.js';
import {
  instanceStatusAt,
  type InstanceStatus,
  type Reviewer,
  type ReviewDefinition,
  type ReviewInstance,
  type ReviewSettings,
} from '../../domain/access-reviews/types.js';
import type { Attempted } from '../../domain/audit/audit-events.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { makeChange } from '../events/change.js';
import { retryOnConflict } from '../pim/retry.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** A definition as the edge parsed it (Graph JSON → Elevate's terms); no recurrence = one review from now. */
export type DefinitionInput = Pick<
  ReviewDefinition,
  | 'displayName'
  | 'descriptionForAdmins'
  | 'descriptionForReviewers'
  | 'scope'
  | 'reviewers'
  | 'fallbackReviewers'
> & { settings: Omit<ReviewSettings, 'recurrence'> & { recurrence: ReviewSettings['recurrence'] | null } };

type Complete = Omit<DefinitionInput, 'settings'> & { settings: ReviewSettings };

/** A one-time review (no recurrence) starts when it is created. */
const complete = (input: DefinitionInput, now: number): Complete => ({
  ...input,
  settings: {
    ...input.settings,
    recurrence: input.settings.recurrence ?? {
      pattern: null,
      range: { type: 'numbered', startDate: now, endDate: null, numberOfOccurrences: 1 },
    },
  },
});

/** A definition with its latest instance (its `status` is that instance's). */
export interface DefinitionView extends ReviewDefinition {
  latest: ReviewInstance | undefined;
  /** The latest instance's status when read; `NotStarted` before the first. */
  status: InstanceStatus;
}

export const definitionNotFound = () =>
  new NotFoundError('The access review definition does not exist.', 'NotFound');

const attempted = (activity: Attempted['activity'], id: string | null, name: string | null): Attempted => ({
  activity,
  targets: [
    {
      id: id?.slice(0, 200) ?? null,
      displayName: name,
      type: 'Other',
      userPrincipalName: null,
      modifiedProperties: [],
    },
  ],
});

/**
 * Checks what the schema cannot: every role in scope exists in the tenant (400 otherwise), the
 * recurrence is sound, and user and group reviewers exist.
 * @throws ValidationError
 */
async function checkInput(tx: Stores, tenantId: string, d: Complete): Promise<void> {
  if (d.scope.roles.length === 0)
    throw new ValidationError('The scope names no role.', 'scope.resourceScopes');
  for (const r of d.scope.roles) {
    const role = await tx.roleDefinitions.get(tenantId, r.roleDefinitionId);
    if (!role)
      throw new BadRequestError(
        'BadRequest',
        `The role definition '${r.roleDefinitionId}' in scope does not exist.`,
      );
  }
  checkRecurrence(d.settings);
  const check = async (list: Reviewer[], target: string) => {
    for (const r of list) {
      if (r.kind === 'user' && !(await tx.users.get(tenantId, r.id)))
        throw new BadRequestError('BadRequest', `The ${target} user '${r.id}' does not exist.`);
      if (r.kind === 'group' && !(await tx.groups.get(tenantId, r.id)))
        throw new BadRequestError('BadRequest', `The ${target} group '${r.id}' does not exist.`);
    }
  };
  await check(d.reviewers, 'reviewers');
  await check(d.fallbackReviewers, 'fallbackReviewers');
  if (d.fallbackReviewers.some((r) => r.kind === 'manager'))
    throw new ValidationError('A fallback reviewer cannot be the manager.', 'fallbackReviewers');
}

/**
 * Access review definitions (`/identityGovernance/accessReviews/definitions`), managed by
 * Global and Privileged Role Administrators (ADR 0025). Another tenant's ids are unknown (404).
 */
export function makeReviewDefinitions(deps: { uow: UnitOfWork; clock: Clock; newId: () => string }) {
  const change = makeChange(deps);

  const withLatest = async (tx: Stores, d: ReviewDefinition): Promise<DefinitionView> => {
    const latest = (await tx.reviewInstances.listByDefinition(d.tenantId, d.id))[0];
    return { ...d, latest, status: latest ? instanceStatusAt(latest, deps.clock.now()) : 'NotStarted' };
  };

  return {
    /** @throws ValidationError, ForbiddenError */
    async create(caller: Caller, input: DefinitionInput): Promise<DefinitionView> {
      return change(caller, {
        attempt: attempted(REVIEW_ACTIVITIES.definitionCreate, null, input.displayName),
        check: async (tx, now) => {
          await authorize(tx, caller, ACCESS_REVIEW_RULES.write, now);
          await checkInput(tx, caller.tenantId, complete(input, now));
          if (caller.kind === 'user') {
            const u = await tx.users.get(caller.tenantId, caller.id);
            return {
              id: caller.id,
              displayName: u?.displayName ?? null,
              userPrincipalName: u?.userPrincipalName ?? null,
            };
          }
          const sp = await tx.servicePrincipals.get(caller.tenantId, caller.id);
          return { id: caller.id, displayName: sp?.displayName ?? null, userPrincipalName: null };
        },
        apply: async ({ tx, now, record }, createdBy) => {
          const d: ReviewDefinition = {
            ...complete(input, now),
            id: deps.newId(),
            tenantId: caller.tenantId,
            createdBy,
            createdAt: now,
            modifiedAt: now,
            version: 1,
          };
          await tx.reviewDefinitions.insert(d);
          record(definitionCreated(d));
          return { ...d, latest: undefined, status: 'NotStarted' as const };
        },
      });
    },

    /** @throws ForbiddenError */
    async list(caller: Caller): Promise<DefinitionView[]> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, ACCESS_REVIEW_RULES.read, deps.clock.now());
        const all = await tx.reviewDefinitions.list(caller.tenantId);
        return Promise.all(all.map((d) => withLatest(tx, d)));
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async get(caller: Caller, id: string): Promise<DefinitionView> {
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, ACCESS_REVIEW_RULES.read, deps.clock.now());
        const d = await tx.reviewDefinitions.get(caller.tenantId, id);
        if (!d) throw definitionNotFound();
        return withLatest(tx, d);
      });
    },

    /**
     * `PUT`: replaces what Graph lets change (names, descriptions, reviewers, settings); the scope
     * of an existing definition stays as created, as in Graph. Instances already made keep their
     * items; the new settings apply from the next one (and to completion of open ones).
     * @throws ValidationError, NotFoundError, ForbiddenError, ConflictError
     */
    async update(caller: Caller, id: string, input: DefinitionInput): Promise<void> {
      await change(caller, {
        rerun: retryOnConflict,
        attempt: attempted(REVIEW_ACTIVITIES.definitionUpdate, id, input.displayName),
        check: async (tx, now) => {
          await authorize(tx, caller, ACCESS_REVIEW_RULES.write, now);
          const d = await tx.reviewDefinitions.get(caller.tenantId, id);
          if (!d) throw definitionNotFound();
          if (JSON.stringify(d.scope) !== JSON.stringify(input.scope))
            throw new ValidationError('The scope of a definition cannot be changed.', 'scope');
          const next = complete(input, d.createdAt);
          // An update without recurrence keeps the one-time review's start.
          if (input.settings.recurrence === null) next.settings.recurrence = d.settings.recurrence;
          await checkInput(tx, caller.tenantId, next);
          return { d, next };
        },
        apply: async ({ tx, now, record }, { d, next: input }) => {
          const next: ReviewDefinition = {
            ...d,
            displayName: input.displayName,
            descriptionForAdmins: input.descriptionForAdmins,
            descriptionForReviewers: input.descriptionForReviewers,
            reviewers: input.reviewers,
            fallbackReviewers: input.fallbackReviewers,
            settings: input.settings,
            modifiedAt: now,
            version: d.version + 1,
          };
          await tx.reviewDefinitions.update(next, d.version);
          record(definitionUpdated(d, next));
        },
      });
    },

    /** @throws NotFoundError, ForbiddenError */
    async delete(caller: Caller, id: string): Promise<void> {
      await change(caller, {
        attempt: attempted(REVIEW_ACTIVITIES.definitionDelete, id, null),
        check: async (tx, now) => {
          await authorize(tx, caller, ACCESS_REVIEW_RULES.write, now);
          const d = await tx.reviewDefinitions.get(caller.tenantId, id);
          if (!d) throw definitionNotFound();
          return d;
        },
        apply: async ({ tx, record }, d) => {
          await tx.reviewDefinitions.delete(caller.tenantId, d.id);
          record(definitionDeleted(d));
        },
      });
    },
  };
}
