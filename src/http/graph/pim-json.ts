import type { StoredRoleDefinition } from '../../app/ports.js';
import {
  scheduleToInstance,
  type Schedule,
  type ScheduleInstance,
  type ScheduleRequest,
} from '../../domain/pim/schedule.js';
import type { Related, RelatedPrincipal } from '../../app/pim/related.js';
import { requestCompletedAt, requestStatusAt, scheduleStatusAt } from '../../domain/pim/status.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { ExpandItem } from '../../odata/index.js';
import { toGroupJson, toServicePrincipalJson } from './directory-json.js';
import { dt, dtOrNull } from './json.js';

/** Graph's type names, for `@odata.type` on bound-function results and expanded navigations. */
export const GRAPH_TYPES = {
  request: {
    assignment: 'unifiedRoleAssignmentScheduleRequest',
    eligibility: 'unifiedRoleEligibilityScheduleRequest',
  },
  schedule: { assignment: 'unifiedRoleAssignmentSchedule', eligibility: 'unifiedRoleEligibilitySchedule' },
  instance: {
    assignment: 'unifiedRoleAssignmentScheduleInstance',
    eligibility: 'unifiedRoleEligibilityScheduleInstance',
  },
} as const satisfies Record<string, Record<ScheduleKind, string>>;

/** Entity-set names under `roleManagement/directory`. */
export const ENTITY_SETS = {
  request: { assignment: 'roleAssignmentScheduleRequests', eligibility: 'roleEligibilityScheduleRequests' },
  schedule: { assignment: 'roleAssignmentSchedules', eligibility: 'roleEligibilitySchedules' },
  instance: {
    assignment: 'roleAssignmentScheduleInstances',
    eligibility: 'roleEligibilityScheduleInstances',
  },
} as const satisfies Record<string, Record<ScheduleKind, string>>;

/**
 * The `(…)` Graph appends to a context URL for `$select` and `$expand`:
 * `roleAssignmentScheduleRequests(principalId,action,roleDefinition())`.
 */
export function contextSuffix(select: readonly string[] | undefined, expand: readonly ExpandItem[]): string {
  const expanded = new Set(expand.map((item) => item.name));
  const parts = [
    ...(select ?? []).filter((name) => !expanded.has(name)),
    ...expand.map((item) => `${item.name}()`),
  ];
  return parts.length === 0 ? '' : `(${parts.join(',')})`;
}

const identity = (id: string | null) => (id === null ? null : { displayName: null, id });

/** An expanded `principal`, with the `@odata.type` of its kind, as Graph expands directoryObjects. */
export function principalToJson(p: RelatedPrincipal | undefined): Record<string, unknown> | null {
  if (p === undefined) return null;
  switch (p.type) {
    case 'user': {
      const u = p.user;
      return {
        '@odata.type': '#microsoft.graph.user',
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        mail: u.mail,
        businessPhones: [],
        givenName: u.givenName,
        jobTitle: u.jobTitle,
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: null,
        surname: u.surname,
      };
    }
    case 'group':
      return { '@odata.type': '#microsoft.graph.group', ...toGroupJson(p.group) };
    case 'servicePrincipal':
      return {
        '@odata.type': '#microsoft.graph.servicePrincipal',
        ...toServicePrincipalJson(p.servicePrincipal),
      };
  }
}

/** An expanded `roleDefinition`. */
export function roleDefinitionToJson(r: StoredRoleDefinition | undefined): Record<string, unknown> | null {
  if (r === undefined) return null;
  return {
    id: r.id,
    description: r.description,
    displayName: r.displayName,
    isBuiltIn: r.isBuiltIn,
    isEnabled: r.isEnabled,
    templateId: r.templateId,
    version: r.version,
    resourceScopes: r.resourceScopes,
    rolePermissions: r.rolePermissions.map((p) => ({
      allowedResourceActions: p.allowedResourceActions,
      condition: p.condition ?? null,
      excludedResourceActions: p.excludedResourceActions ?? [],
    })),
  };
}

/** `scheduleInfo` of a schedule: its window, `noExpiration` or `afterDateTime`. */
const windowInfo = (s: Schedule) => ({
  startDateTime: dt(s.window.start),
  recurrence: null,
  expiration: {
    type: s.window.end === null ? 'noExpiration' : 'afterDateTime',
    endDateTime: dtOrNull(s.window.end),
    duration: null,
  },
});

/**
 * An expanded `directoryScope`: the tenant root `/` is no directory object (null); an
 * administrative unit or a directory object scope names its object by id and type.
 */
function directoryScopeToJson(scope: string | null, related: Related): Record<string, unknown> | null {
  if (scope === null || scope === '/') return null;
  const au = /^\/administrativeUnits\/(.+)$/.exec(scope);
  if (au?.[1]) return { '@odata.type': '#microsoft.graph.administrativeUnit', id: au[1] };
  const id = scope.slice(1);
  return (
    principalToJson(related.principals.get(id)) ?? { '@odata.type': '#microsoft.graph.directoryObject', id }
  );
}

/** Navigations asked for by `$expand`, rendered from what the use case loaded. */
function expansions(
  expand: readonly ExpandItem[],
  related: Related,
  refs: {
    principalId: string;
    roleDefinitionId: string;
    directoryScopeId?: string | null;
    activatedUsing: string | null;
    targetScheduleId?: string | null;
  },
  now: number,
  activatedUsingAs: 'schedule' | 'instance',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name } of expand) {
    if (name === 'principal') out.principal = principalToJson(related.principals.get(refs.principalId));
    if (name === 'roleDefinition') {
      out.roleDefinition = roleDefinitionToJson(related.roleDefinitions.get(refs.roleDefinitionId));
    }
    if (name === 'directoryScope')
      out.directoryScope = directoryScopeToJson(refs.directoryScopeId ?? null, related);
    if (name === 'activatedUsing') {
      const e = refs.activatedUsing === null ? undefined : related.eligibilities.get(refs.activatedUsing);
      out.activatedUsing =
        e === undefined
          ? null
          : activatedUsingAs === 'instance'
            ? instanceToJson(scheduleToInstance(e), 'eligibility')
            : scheduleToJson(e, 'eligibility', now);
    }
    if (name === 'targetSchedule') {
      const t =
        refs.targetScheduleId == null ? undefined : related.targetSchedules.get(refs.targetScheduleId);
      out.targetSchedule = t === undefined ? null : scheduleToJson(t, t.kind, now);
    }
  }
  return out;
}

/**
 * A schedule request in Graph's shape: every key, nulls included, in the order of Graph's own
 * examples; `status` as read at `now`.
 */
export function scheduleRequestToJson(
  r: ScheduleRequest,
  now: number,
  expand: readonly ExpandItem[] = [],
  related?: Related,
) {
  return {
    id: r.id,
    status: requestStatusAt(r, now),
    createdDateTime: dt(r.createdAt),
    completedDateTime: dtOrNull(requestCompletedAt(r, now)),
    approvalId: r.approvalId,
    customData: r.customData,
    action: r.action,
    principalId: r.principalId,
    roleDefinitionId: r.roleDefinitionId,
    directoryScopeId: r.directoryScopeId,
    appScopeId: r.appScopeId,
    isValidationOnly: r.isValidationOnly,
    targetScheduleId: r.targetScheduleId,
    justification: r.justification,
    createdBy: {
      application: r.createdBy.kind === 'app' ? identity(r.createdBy.appId ?? r.createdBy.id) : null,
      device: null,
      user: r.createdBy.kind === 'user' ? identity(r.createdBy.id) : null,
    },
    scheduleInfo:
      r.scheduleInfo === null
        ? null
        : {
            startDateTime: dt(r.scheduleInfo.startDateTime),
            recurrence: null,
            expiration: {
              type: r.scheduleInfo.expiration.type,
              endDateTime: dtOrNull(r.scheduleInfo.expiration.endDateTime),
              duration: r.scheduleInfo.expiration.duration,
            },
          },
    ticketInfo: { ticketNumber: r.ticketInfo.ticketNumber, ticketSystem: r.ticketInfo.ticketSystem },
    ...(related ? expansions(expand, related, r, now, 'schedule') : {}),
  };
}

/** A schedule in Graph's shape; `status` as read at `now` (see `scheduleStatusAt`). */
export function scheduleToJson(
  s: Schedule,
  kind: ScheduleKind,
  now: number,
  expand: readonly ExpandItem[] = [],
  related?: Related,
) {
  return {
    id: s.id,
    principalId: s.principalId,
    roleDefinitionId: s.roleDefinitionId,
    directoryScopeId: s.directoryScopeId,
    appScopeId: s.appScopeId,
    createdUsing: s.createdUsing,
    createdDateTime: dt(s.createdAt),
    modifiedDateTime: dt(s.modifiedAt),
    status: scheduleStatusAt(s, now),
    memberType: s.memberType,
    ...(kind === 'assignment' ? { assignmentType: s.assignmentType } : {}),
    scheduleInfo: windowInfo(s),
    ...(related ? expansions(expand, related, s, now, 'schedule') : {}),
  };
}

/** An instance in Graph's shape. */
export function instanceToJson(
  i: ScheduleInstance,
  kind: ScheduleKind,
  expand: readonly ExpandItem[] = [],
  related?: Related,
  now = 0,
) {
  return {
    id: i.id,
    principalId: i.principalId,
    roleDefinitionId: i.roleDefinitionId,
    directoryScopeId: i.directoryScopeId,
    appScopeId: i.appScopeId,
    startDateTime: dtOrNull(i.startDateTime),
    endDateTime: dtOrNull(i.endDateTime),
    ...(kind === 'assignment'
      ? {
          assignmentType: i.assignmentType,
          memberType: i.memberType,
          roleAssignmentOriginId: i.id,
          roleAssignmentScheduleId: i.scheduleId,
        }
      : { memberType: i.memberType, roleEligibilityScheduleId: i.scheduleId }),
    ...(related ? expansions(expand, related, i, now, 'instance') : {}),
  };
}
