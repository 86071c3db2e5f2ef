import type { Related } from '../../app/pim/related.js';
import type { Schedule, ScheduleInstance, ScheduleRequest } from '../../domain/pim/schedule.js';
import { requestCompletedAt, requestStatusAt, scheduleStatusAt } from '../../domain/pim/status.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { ExpandItem } from '../../odata/index.js';
import { dt, dtOrNull } from './json.js';
import { principalToJson } from './pim-json.js';

// PIM for Groups in Graph's shapes (reference §4): `accessId` and `groupId` where directory roles
// have `roleDefinitionId` and `directoryScopeId` (the store keeps them in those columns), and
// `memberType`/`assignmentType` in Graph's lowercase group spelling.

/** Graph's type names of the group entity sets. */
export const GROUP_GRAPH_TYPES = {
  request: {
    assignment: 'privilegedAccessGroupAssignmentScheduleRequest',
    eligibility: 'privilegedAccessGroupEligibilityScheduleRequest',
  },
  schedule: {
    assignment: 'privilegedAccessGroupAssignmentSchedule',
    eligibility: 'privilegedAccessGroupEligibilitySchedule',
  },
  instance: {
    assignment: 'privilegedAccessGroupAssignmentScheduleInstance',
    eligibility: 'privilegedAccessGroupEligibilityScheduleInstance',
  },
} as const satisfies Record<string, Record<ScheduleKind, string>>;

/** Entity-set names under `identityGovernance/privilegedAccess/group`. */
export const GROUP_ENTITY_SETS = {
  request: { assignment: 'assignmentScheduleRequests', eligibility: 'eligibilityScheduleRequests' },
  schedule: { assignment: 'assignmentSchedules', eligibility: 'eligibilitySchedules' },
  instance: { assignment: 'assignmentScheduleInstances', eligibility: 'eligibilityScheduleInstances' },
} as const satisfies Record<string, Record<ScheduleKind, string>>;

const lower = (value: string | null): string | null => (value === null ? null : value.toLowerCase());
const identity = (id: string | null) => (id === null ? null : { displayName: null, id });

/** `$expand=principal,group`, rendered from what the use case loaded. */
function expansions(
  expand: readonly ExpandItem[],
  related: Related | undefined,
  refs: { principalId: string; directoryScopeId: string },
): Record<string, unknown> {
  if (related === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const { name } of expand) {
    if (name === 'principal') out.principal = principalToJson(related.principals.get(refs.principalId));
    if (name === 'group') {
      const found = related.principals.get(refs.directoryScopeId);
      out.group = found?.type === 'group' ? principalToJson(found) : null;
    }
  }
  return out;
}

/** A `privilegedAccessGroup…ScheduleRequest`: every key, nulls included; `status` as read at `now`. */
export function groupRequestToJson(
  r: ScheduleRequest,
  now: number,
  expand: readonly ExpandItem[] = [],
  related?: Related,
) {
  return {
    id: r.id,
    status: requestStatusAt(r, now),
    completedDateTime: dtOrNull(requestCompletedAt(r, now)),
    createdDateTime: dt(r.createdAt),
    approvalId: r.approvalId,
    customData: r.customData,
    createdBy: {
      application: r.createdBy.kind === 'app' ? identity(r.createdBy.appId ?? r.createdBy.id) : null,
      device: null,
      user: r.createdBy.kind === 'user' ? identity(r.createdBy.id) : null,
    },
    action: r.action,
    isValidationOnly: r.isValidationOnly,
    justification: r.justification,
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
    accessId: r.roleDefinitionId,
    principalId: r.principalId,
    groupId: r.directoryScopeId,
    targetScheduleId: r.targetScheduleId,
    ...expansions(expand, related, r),
  };
}

/** A `privilegedAccessGroup…Schedule`; `status` as read at `now`. */
export function groupScheduleToJson(
  s: Schedule,
  kind: ScheduleKind,
  now: number,
  expand: readonly ExpandItem[] = [],
  related?: Related,
) {
  return {
    id: s.id,
    createdDateTime: dt(s.createdAt),
    modifiedDateTime: dt(s.modifiedAt),
    createdUsing: s.createdUsing,
    status: scheduleStatusAt(s, now),
    scheduleInfo: {
      startDateTime: dt(s.window.start),
      recurrence: null,
      expiration: {
        type: s.window.end === null ? 'noExpiration' : 'afterDateTime',
        endDateTime: dtOrNull(s.window.end),
        duration: null,
      },
    },
    accessId: s.roleDefinitionId,
    principalId: s.principalId,
    groupId: s.directoryScopeId,
    memberType: s.memberType.toLowerCase(),
    ...(kind === 'assignment' ? { assignmentType: lower(s.assignmentType) } : {}),
    ...expansions(expand, related, s),
  };
}

/** A `privilegedAccessGroup…ScheduleInstance`. */
export function groupInstanceToJson(
  i: ScheduleInstance,
  kind: ScheduleKind,
  expand: readonly ExpandItem[] = [],
  related?: Related,
) {
  return {
    id: i.id,
    startDateTime: dtOrNull(i.startDateTime),
    endDateTime: dtOrNull(i.endDateTime),
    accessId: i.roleDefinitionId,
    principalId: i.principalId,
    groupId: i.directoryScopeId,
    memberType: i.memberType.toLowerCase(),
    ...(kind === 'assignment'
      ? { assignmentType: lower(i.assignmentType), assignmentScheduleId: i.scheduleId }
      : { eligibilityScheduleId: i.scheduleId }),
    ...expansions(expand, related, i),
  };
}
