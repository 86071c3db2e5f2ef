// What a person may hold: a directory role at a scope, or a PIM for Groups membership or ownership.
// One shape for both, so My roles lists them together and one dialog activates either; what
// differs (where requests go, what names the target) is in `TARGET_KINDS`.
import { listAll, DIRECTORY, MINE, type Instance, type ScheduleRequest } from './graph';

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
  /** Where its schedule requests are made. */
  requests: string;
  /** The policy assignment filter for its settings. */
  policyFilter: string;
}

const roleHolding = (i: Instance): Holding => ({
  key: `role:${i.id}`,
  kind: 'role',
  name: i.roleDefinition?.displayName ?? i.roleDefinitionId,
  scope: i.directoryScopeId === '/' ? 'Directory' : i.directoryScopeId,
  viaGroup: i.memberType === 'Group',
  activated: i.assignmentType === 'Activated',
  endDateTime: i.endDateTime,
  target: { roleDefinitionId: i.roleDefinitionId, directoryScopeId: i.directoryScopeId },
  requests: `${DIRECTORY}/roleAssignmentScheduleRequests`,
  policyFilter: `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${i.roleDefinitionId}'`,
});

const groupHolding = (i: GroupInstance): Holding => {
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
    eligible: [...roleEligible.map(roleHolding), ...groupEligible.map(groupHolding)],
    active: [...roleActive.map(roleHolding), ...groupActive.map(groupHolding)],
    pending: [
      ...rolePending.map((r) => ({
        roleDefinitionId: r.roleDefinitionId,
        directoryScopeId: r.directoryScopeId,
      })),
      ...groupPending.map((r) => ({ groupId: r.groupId, accessId: r.accessId })),
    ],
  };
}
