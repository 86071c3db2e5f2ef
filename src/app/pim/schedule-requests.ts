import type { RequestStatus, ResourceType, ScheduleKind, Window } from '../../domain/pim/types.js';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import { authorize } from '../authorization/authorize.js';
import { type Requirement } from '../../domain/authorization/requirement.js';
import { isDefaultApprover } from './approvers.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { lastingOf, PIM_ACTIONS } from '../../domain/pim/actions.js';
import { requestCanceled } from '../../domain/pim/pim-events.js';
import { subjectOf } from './principals.js';
import { makeCreateScheduleRequest, type CheckTicket } from './create-request.js';
import { endedAt } from '../../domain/pim/window.js';
import { TARGETS } from './targets.js';
import type { RequestView } from './ports.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { loadRelated, type Related } from './related.js';
import { retryOnConflict } from './retry.js';
import { normalizeId } from './ids.js';
import { requestStatusAt } from '../../domain/pim/status.js';

/** `filterByCurrentUser(on=…)` values Elevate answers. */
export type CurrentUserFilter = 'principal' | 'approver';

/** A page of requests with what `$expand` asked for, and the time it was read at. */
export interface RequestPage {
  page: Page<ScheduleRequest>;
  related: Related;
  now: number;
}

/** Whether the caller meets a requirement, without failing. */
export async function can(tx: Stores, caller: Caller, need: Requirement, now: number): Promise<boolean> {
  try {
    await authorize(tx, caller, need, now);
    return true;
  } catch (e) {
    if (e instanceof ForbiddenError) return false;
    throw e;
  }
}

const notFound = () =>
  new NotFoundError(
    'The schedule request does not exist or is not visible to you.',
    'Request_ResourceNotFound',
  );

/** Statuses a request can be canceled in: granted for a future start, or waiting for a decision. */
const CANCELABLE: ReadonlySet<RequestStatus> = new Set([
  'Granted',
  'PendingApproval',
  'PendingAdminDecision',
]);

/**
 * `roleEligibilityScheduleRequests` / `roleAssignmentScheduleRequests`: create (see
 * `makeCreateScheduleRequest`), cancel, and reads. Readers with a role-read permission see every
 * request; anyone else sees the requests they are the principal of or created, and others' are
 * 404 (invariant 8).
 */
export function makeScheduleRequests(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  checkTicket?: CheckTicket;
}) {
  const readRelated = (
    tx: Stores,
    caller: Caller,
    kind: ScheduleKind,
    q: CollectionQuery,
    items: ScheduleRequest[],
  ) =>
    loadRelated(tx, caller.tenantId, kind, q.expand, {
      principalIds: items.map((r) => r.principalId),
      roleDefinitionIds: items.map((r) => r.roleDefinitionId),
      eligibilityIds: items.map((r) => r.activatedUsing),
      targetScheduleIds: items.map((r) => r.targetScheduleId),
      groupIds: items.filter((r) => r.resourceType === 'group').map((r) => r.directoryScopeId),
    });

  /** The request if the caller may see it. @throws NotFoundError */
  const visible = async (
    tx: Stores,
    caller: Caller,
    kind: ScheduleKind,
    id: string,
    now: number,
    resourceType: ResourceType,
  ) => {
    const r = await tx.scheduleRequests.get(caller.tenantId, kind, normalizeId(id), resourceType);
    if (!r) throw notFound();
    const own = r.principalId === caller.id || r.createdBy.id === caller.id;
    if (!own && !(await can(tx, caller, TARGETS[resourceType].permissions.read[kind], now))) throw notFound();
    return r;
  };

  return {
    create: makeCreateScheduleRequest(deps),

    /**
     * `POST …/{id}/cancel`: a request that is `Granted` (its schedule not started yet) or waiting
     * (`PendingApproval`, `PendingAdminDecision`) becomes `Canceled`; a granted schedule is ended
     * before it ever held. Only its creator or an administrator may cancel.
     * @throws NotFoundError, ForbiddenError, BadRequestError `RequestNotCancelable`, ConflictError
     */
    async cancel(
      caller: Caller,
      kind: ScheduleKind,
      id: string,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<void> {
      const now = deps.clock.now();
      await retryOnConflict(() =>
        deps.uow.run(async (tx) => {
          const r = await visible(tx, caller, kind, id, now, resourceType);
          const admin = TARGETS[resourceType].permissions.write[kind];
          if (r.createdBy.id !== caller.id && !(await can(tx, caller, admin, now))) {
            throw new ForbiddenError('Only the creator of a request or an administrator can cancel it.');
          }
          const status = requestStatusAt(r, now);
          if (!CANCELABLE.has(status)) {
            throw new BadRequestError(
              'RequestNotCancelable',
              `Only requests that are Granted, PendingApproval or PendingAdminDecision can be canceled; this one is ${status}.`,
            );
          }
          let window: Window | null =
            r.scheduleInfo === null ? null : { start: r.scheduleInfo.startDateTime, end: null };
          if (status === 'Granted' && r.targetScheduleId !== null) {
            const schedule = await tx.schedules.get(caller.tenantId, kind, r.targetScheduleId, resourceType);
            if (schedule && schedule.origin === 'pim' && schedule.createdUsing === r.id) {
              window = schedule.window;
              const slot = {
                tenantId: caller.tenantId,
                kind,
                principalId: schedule.principalId,
                roleDefinitionId: schedule.roleDefinitionId,
                directoryScopeId: schedule.directoryScopeId,
              };
              await tx.schedules.bumpSlot(slot, await tx.schedules.slotVersion(slot));
              await tx.schedules.update(
                {
                  ...schedule,
                  window: endedAt(schedule.window, now),
                  status: 'Canceled',
                  modifiedAt: now,
                  expiryRecordedAt: now,
                },
                schedule.version,
              );
            }
          }
          await tx.scheduleRequests.setStatus({ ...r, status: 'Canceled', completedAt: now }, r.version);
          const subject = await subjectOf(tx, caller.tenantId, kind, r.roleDefinitionId, r.principalId);
          const lasting = lastingOf(window);
          tx.events.record(
            { caller },
            now,
            requestCanceled(subject, r, PIM_ACTIONS[r.action].canceled(kind, lasting), window, status),
          );
        }),
      );
    },

    /** @throws NotFoundError */
    async get(
      caller: Caller,
      kind: ScheduleKind,
      id: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<{ request: ScheduleRequest; related: Related; now: number }> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const request = await visible(tx, caller, kind, id, now, resourceType);
        return { request, related: await readRelated(tx, caller, kind, q, [request]), now };
      });
    },

    async list(
      caller: Caller,
      kind: ScheduleKind,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<RequestPage> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const all = await can(tx, caller, TARGETS[resourceType].permissions.read[kind], now);
        const view: RequestView = all ? {} : { principalId: caller.id, orCreatedBy: true };
        const page = await tx.scheduleRequests.list(caller.tenantId, kind, q, view, now, resourceType);
        return { page, related: await readRelated(tx, caller, kind, q, page.items), now };
      });
    },

    /**
     * `filterByCurrentUser(on='principal')`: the caller's own requests. `on='approver'`: requests
     * the caller may decide now (activations, and extensions or renewals of either kind when they
     * need approval, ADR 0022) — pending, whose current stage (not timed out) names the
     * caller or one of its groups, or names nobody while the caller holds an active Privileged Role
     * or Global Administrator role — never the caller's own. Applications approve nothing, so
     * their inbox is empty.
     * @throws ValidationError for another `on` value
     */
    async filterByCurrentUser(
      caller: Caller,
      kind: ScheduleKind,
      on: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<RequestPage> {
      const which = on.toLowerCase();
      if (which !== 'principal' && which !== 'approver') {
        throw new ValidationError(
          `filterByCurrentUser(on='${on.slice(0, 40)}') is not supported; use 'principal' or 'approver'.`,
          'on',
        );
      }
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        const view: RequestView =
          which === 'principal'
            ? { principalId: caller.id }
            : caller.kind === 'user'
              ? {
                  notPrincipalId: caller.id,
                  approver: {
                    userId: caller.id,
                    groupIds: await tx.groups.groupsOf(caller.tenantId, caller.id),
                    isDefaultApprover: await isDefaultApprover(tx, caller.tenantId, caller.id, now),
                  },
                }
              : { roleDefinitionIds: [] };
        const page = await tx.scheduleRequests.list(caller.tenantId, kind, q, view, now, resourceType);
        return { page, related: await readRelated(tx, caller, kind, q, page.items), now };
      });
    },
  };
}
