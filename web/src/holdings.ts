// What a person may hold: a directory role at a scope, or a PIM for Groups membership or ownership.
// One shape for both, so My roles lists them together and one dialog activates either; what
// differs (where requests go, what names the target) is in `TARGET_KINDS`.
import { listAll, DIRECTORY, MINE, type Instance, type ScheduleRequest } from './graph';
import { isoHours } from './time';

export const GROUPS = '/v1.0/identityGovernance/privilegedAccess/group';

interface GroupInstance {
  id: string;
  principalId: string;
  groupId: string;
  accessId: string;
  startDateTime: string | null;
  endDateTime: string | null;
  memberType: string;
  assignmentType?: string;
  group?: { displayName?: string | null };
}

/** One eligibility or active assignment of the signed-in person. */
export interface Holding {
  key: string;
  kind: 'role' | 'group';
  /** What the person reads: the role's or group's name (and `owner` for a group ownership). */
  name: string;
  scope: string;
  viaGroup: boolean;
  activated: boolean;
  endDateTime: string | null;
  /** The request body's target properties (`roleDefinitionId` + `directoryScopeId`, or `groupId` + `accessId`). */
  target: Record<string, string>;
  /** Where its activation requests are made. */
  requests: string;
  /** An eligibility, or an assignment (activated or assigned); and where its extend or renew request goes. */
  schedule: 'eligibility' | 'assignment';
  extendRequests: string;
  /** The policy assignment filter for its settings. */
  policyFilter: string;
}

type Schedule = Holding['schedule'];

const roleHolding =
  (schedule: Schedule) =>
  (i: Instance): Holding => ({
    key: `role:${i.id}`,
    kind: 'role',
    name: i.roleDefinition?.displayName ?? i.roleDefinitionId,
    scope: i.directoryScopeId === '/' ? 'Directory' : i.directoryScopeId,
    viaGroup: i.memberType === 'Group',
    activated: i.assignmentType === 'Activated',
    endDateTime: i.endDateTime,
    target: { roleDefinitionId: i.roleDefinitionId, directoryScopeId: i.directoryScopeId },
    requests: `${DIRECTORY}/roleAssignmentScheduleRequests`,
    schedule,
    extendRequests: `${DIRECTORY}/role${schedule === 'eligibility' ? 'Eligibility' : 'Assignment'}ScheduleRequests`,
    policyFilter: `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${i.roleDefinitionId}'`,
  });

const groupHolding =
  (schedule: Schedule) =>
  (i: GroupInstance): Holding => {
    const group = i.group?.displayName ?? i.groupId;
    return {
      key: `group:${i.id}`,
      kind: 'group',
      name: i.accessId === 'owner' ? `${group} (owner)` : group,
      scope: 'Group',
      viaGroup: i.memberType.toLowerCase() === 'group',
      activated: i.assignmentType?.toLowerCase() === 'activated',
      endDateTime: i.endDateTime,
      target: { groupId: i.groupId, accessId: i.accessId },
      requests: `${GROUPS}/assignmentScheduleRequests`,
      schedule,
      extendRequests: `${GROUPS}/${schedule}ScheduleRequests`,
      policyFilter: `scopeId eq '${i.groupId}' and scopeType eq 'Group' and roleDefinitionId eq '${i.accessId}'`,
    };
  };

/** Whether `target` (a holding's or a request's target properties) names the same thing as `h`. */
export const sameTarget = (h: Holding, target: Record<string, string>): boolean =>
  Object.entries(h.target).every(([k, v]) => target[k] === v);

export interface MyHoldings {
  eligible: Holding[];
  active: Holding[];
  /** Requests waiting for approval: their target properties. */
  pending: Record<string, string>[];
}

const pendingFilter = `$filter=${encodeURIComponent("status eq 'PendingApproval'")}`;

/** Everything the person holds or may activate, one call per collection, in parallel. */
export async function loadMyHoldings(): Promise<MyHoldings> {
  const [roleEligible, roleActive, rolePending, groupEligible, groupActive, groupPending] = await Promise.all(
    [
      listAll<Instance>(`${DIRECTORY}/roleEligibilityScheduleInstances/${MINE}?$expand=roleDefinition`),
      listAll<Instance>(`${DIRECTORY}/roleAssignmentScheduleInstances/${MINE}?$expand=roleDefinition`),
      listAll<ScheduleRequest>(`${DIRECTORY}/roleAssignmentScheduleRequests/${MINE}?${pendingFilter}`),
      listAll<GroupInstance>(`${GROUPS}/eligibilityScheduleInstances/${MINE}?$expand=group`),
      listAll<GroupInstance>(`${GROUPS}/assignmentScheduleInstances/${MINE}?$expand=group`),
      listAll<{ groupId: string; accessId: string }>(
        `${GROUPS}/assignmentScheduleRequests/${MINE}?${pendingFilter}`,
      ),
    ],
  );
  return {
    eligible: [
      ...roleEligible.map(roleHolding('eligibility')),
      ...groupEligible.map(groupHolding('eligibility')),
    ],
    active: [...roleActive.map(roleHolding('assignment')), ...groupActive.map(groupHolding('assignment'))],
    pending: [
      ...rolePending.map((r) => ({
        roleDefinitionId: r.roleDefinitionId,
        directoryScopeId: r.directoryScopeId,
      })),
      ...groupPending.map((r) => ({ groupId: r.groupId, accessId: r.accessId })),
    ],
  };
}

const DAY_MS = 24 * 3_600_000;
/** Entra's windows: extend within 14 days before the end, renew within 30 days after it. */
export const EXTEND_WITHIN_MS = 14 * DAY_MS;
export const RENEW_WITHIN_MS = 30 * DAY_MS;

/** Whether the person may ask to extend it now: time-bound, ending within 14 days, not an activation. */
export const extendable = (h: Holding, now: number): boolean =>
  !h.viaGroup &&
  !h.activated &&
  h.endDateTime !== null &&
  Date.parse(h.endDateTime) > now &&
  Date.parse(h.endDateTime) - now <= EXTEND_WITHIN_MS;

/** The end of what an administrator's request granted: its end date, or start + duration. */
function endOf(r: ScheduleRequest): number | undefined {
  const e = r.scheduleInfo?.expiration;
  if (e?.endDateTime) return Date.parse(e.endDateTime);
  const start = Date.parse(r.scheduleInfo?.startDateTime ?? r.createdDateTime);
  const hours = isoHours(e?.duration);
  return hours === undefined ? undefined : start + hours * 3_600_000;
}

const ADMIN_GRANTS = ['adminAssign', 'adminUpdate', 'adminExtend', 'adminRenew', 'adminRemove'];

/**
 * My directory-role eligibilities and assignments that ended within the last 30 days and that I do
 * not hold again: what I may ask to renew. Read from the administrators' requests about me (the
 * last one of each role and scope says how it ended); a removed one is not offered.
 */
export async function loadRenewable(holdings: MyHoldings, now: number): Promise<Holding[]> {
  const read = (schedule: Schedule) =>
    listAll<ScheduleRequest>(
      `${DIRECTORY}/role${schedule === 'eligibility' ? 'Eligibility' : 'Assignment'}ScheduleRequests/${MINE}?$expand=roleDefinition&$orderby=createdDateTime desc&$top=100`,
    ).then((rs) => ({ schedule, rs }));
  const out: Holding[] = [];
  for (const { schedule, rs } of await Promise.all([read('eligibility'), read('assignment')])) {
    const held = schedule === 'eligibility' ? holdings.eligible : holdings.active;
    const seen = new Set<string>();
    for (const r of rs) {
      if (!ADMIN_GRANTS.includes(r.action)) continue;
      const target = { roleDefinitionId: r.roleDefinitionId, directoryScopeId: r.directoryScopeId };
      const key = `${r.roleDefinitionId} ${r.directoryScopeId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const end = endOf(r);
      if (r.action === 'adminRemove' || r.status !== 'Provisioned' || end === undefined) continue;
      if (end > now || now - end > RENEW_WITHIN_MS) continue;
      if (held.some((h) => h.kind === 'role' && sameTarget(h, target))) continue;
      out.push({
        ...roleHolding(schedule)({
          id: r.id,
          principalId: r.principalId,
          roleDefinitionId: r.roleDefinitionId,
          directoryScopeId: r.directoryScopeId,
          startDateTime: r.scheduleInfo?.startDateTime ?? null,
          endDateTime: new Date(end).toISOString(),
          memberType: 'Direct',
          ...(r.roleDefinition ? { roleDefinition: r.roleDefinition } : {}),
        }),
        key: `renew:${schedule}:${key}`,
      });
    }
  }
  return out;
}
