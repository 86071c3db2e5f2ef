import type { ResourceType, ScheduleKind } from '../../domain/pim/types.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Caller } from '../authorization/caller.js';
import type { Page, Stores, UnitOfWork } from '../ports.js';
import { TARGETS } from './targets.js';
import type { ScheduleView } from './ports.js';
import type { Schedule, ScheduleInstance } from '../../domain/pim/schedule.js';
import type { TargetGrantRecord } from '../../domain/connectors/grant.js';
import { loadRelated, type Related } from './related.js';
import { can } from './schedule-requests.js';
import { normalizeId } from './ids.js';

/** What a read returns: the items, what `$expand` asked for, and the `now` they were read at. */
export interface Read<T> {
  page: Page<T>;
  related: Related;
  now: number;
}

const notFound = (what: string) =>
  new NotFoundError(`The ${what} does not exist or is not visible to you.`, 'Request_ResourceNotFound');

/** `filterByCurrentUser(on=…)` for schedules and instances: only `principal`. */
function checkOn(on: string): void {
  if (on.toLowerCase() !== 'principal') {
    throw new ValidationError(
      `filterByCurrentUser(on='${on.slice(0, 40)}') is not supported here; use 'principal'.`,
      'on',
    );
  }
}

/**
 * `roleEligibilitySchedules`, `roleAssignmentSchedules` and their instances. Schedules are the
 * current and future rules; instances are what holds at the read's `now` (`start <= now < end`,
 * invariant 2). Readers with a role-read permission see everyone's; anyone else sees their own,
 * and others' are 404. Direct role assignments appear as permanent `Assigned`/`Direct` ones.
 */
export function makePimSchedules(deps: { uow: UnitOfWork; clock: Clock }) {
  const viewOf = async (
    tx: Stores,
    caller: Caller,
    kind: ScheduleKind,
    now: number,
    resourceType: ResourceType,
  ): Promise<ScheduleView> =>
    (await can(tx, caller, TARGETS[resourceType].permissions.read[kind], now))
      ? {}
      : { principalIds: [caller.id] };

  const related = (
    tx: Stores,
    caller: Caller,
    kind: ScheduleKind,
    q: CollectionQuery,
    items: (Schedule | ScheduleInstance)[],
  ) =>
    loadRelated(tx, caller.tenantId, kind, q.expand, {
      principalIds: items.map((s) => s.principalId),
      roleDefinitionIds: items.map((s) => s.roleDefinitionId),
      eligibilityIds: items.map((s) => s.activatedUsing),
      groupIds: items.filter((s) => s.resourceType === 'group').map((s) => s.directoryScopeId),
    });

  const listSchedules = (
    caller: Caller,
    kind: ScheduleKind,
    q: CollectionQuery,
    mine: boolean,
    resourceType: ResourceType,
  ): Promise<Read<Schedule>> => {
    const now = deps.clock.now();
    return deps.uow.run(async (tx) => {
      const view = mine ? { principalIds: [caller.id] } : await viewOf(tx, caller, kind, now, resourceType);
      const page = await tx.schedules.list(caller.tenantId, kind, q, view, now, resourceType);
      return { page, related: await related(tx, caller, kind, q, page.items), now };
    });
  };

  const listInstances = (
    caller: Caller,
    kind: ScheduleKind,
    q: CollectionQuery,
    mine: boolean,
    resourceType: ResourceType,
  ): Promise<Read<ScheduleInstance>> => {
    const now = deps.clock.now();
    return deps.uow.run(async (tx) => {
      const view = mine ? { principalIds: [caller.id] } : await viewOf(tx, caller, kind, now, resourceType);
      const page = await tx.schedules.instances(caller.tenantId, kind, q, view, now, resourceType);
      return { page, related: await related(tx, caller, kind, q, page.items), now };
    });
  };

  return {
    listSchedules: (
      caller: Caller,
      kind: ScheduleKind,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ) => listSchedules(caller, kind, q, false, resourceType),

    /** @throws ValidationError for `on` other than `principal` */
    schedulesOfCurrentUser(
      caller: Caller,
      kind: ScheduleKind,
      on: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ) {
      checkOn(on);
      return listSchedules(caller, kind, q, true, resourceType);
    },

    /** A schedule by id, also an ended one (its status then reads `Expired`). @throws NotFoundError */
    async getSchedule(
      caller: Caller,
      kind: ScheduleKind,
      id: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<{ item: Schedule; related: Related; now: number }> {
      const now = deps.clock.now();
      const reader = TARGETS[resourceType].permissions.read[kind];
      return deps.uow.run(async (tx) => {
        const item = await tx.schedules.get(caller.tenantId, kind, normalizeId(id), resourceType);
        if (!item) throw notFound('schedule');
        if (item.principalId !== caller.id && !(await can(tx, caller, reader, now))) {
          throw notFound('schedule');
        }
        return { item, related: await related(tx, caller, kind, q, [item]), now };
      });
    },

    listInstances: (
      caller: Caller,
      kind: ScheduleKind,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ) => listInstances(caller, kind, q, false, resourceType),

    /** @throws ValidationError for `on` other than `principal` */
    instancesOfCurrentUser(
      caller: Caller,
      kind: ScheduleKind,
      on: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ) {
      checkOn(on);
      return listInstances(caller, kind, q, true, resourceType);
    },

    /** An instance holding now, by its id. @throws NotFoundError (also once it stopped holding) */
    async getInstance(
      caller: Caller,
      kind: ScheduleKind,
      id: string,
      q: CollectionQuery,
      resourceType: ResourceType = 'directoryRole',
    ): Promise<{
      item: ScheduleInstance;
      related: Related;
      now: number;
      connectorGrants: TargetGrantRecord[];
    }> {
      const now = deps.clock.now();
      const reader = TARGETS[resourceType].permissions.read[kind];
      return deps.uow.run(async (tx) => {
        const item = await tx.schedules.instance(caller.tenantId, kind, normalizeId(id), now, resourceType);
        if (!item) throw notFound('instance');
        if (item.principalId !== caller.id && !(await can(tx, caller, reader, now))) {
          throw notFound('instance');
        }
        // What the activation became in target systems, with its times (docs/connectors.md):
        // only an assignment holds access there; eligibilities grant nothing.
        const connectorGrants =
          kind === 'assignment' ? await tx.targetGrants.ofSchedule(caller.tenantId, item.scheduleId) : [];
        return { item, related: await related(tx, caller, kind, q, [item]), now, connectorGrants };
      });
    },
  };
}
