import { ClientError, EXIT } from './exit-codes.js';
import { query, type Graph } from './graph.js';
import { ENDED_STATUSES, isEffective, type GraphRequest } from './requests.js';
import { pick } from './roles.js';

/** Graph's PIM for Groups (docs/pim.md "PIM for Groups"). */
export const GROUPS_PIM = '/v1.0/identityGovernance/privilegedAccess/group';
export const GROUP_ASSIGNMENT_REQUESTS = `${GROUPS_PIM}/assignmentScheduleRequests`;

export type AccessId = 'member' | 'owner';

/** An eligibility or assignment instance of a group membership or ownership, its group expanded. */
export interface GroupInstance {
  id: string;
  principalId: string;
  groupId: string;
  accessId: string;
  startDateTime: string | null;
  endDateTime: string | null;
  memberType?: string;
  assignmentType?: string;
  group?: { id: string; displayName: string | null } | null;
}

/** A group schedule request as Graph returns it (the fields read here). */
export interface GroupRequest {
  id: string;
  action: string;
  status: string;
  principalId: string;
  groupId: string;
  accessId: string;
  justification: string | null;
  createdDateTime: string;
  approvalId: string | null;
  scheduleInfo: GraphRequest['scheduleInfo'];
}

export const groupNameOf = (i: Pick<GroupInstance, 'group' | 'groupId'>): string =>
  i.group?.displayName ?? i.groupId;

/**
 * The caller's own group instances of one kind: `filterByCurrentUser(on='principal')` for a person,
 * `principalId eq` for an application (as for directory roles).
 */
export function myGroupInstances(graph: Graph, kind: 'eligibility' | 'assignment'): Promise<GroupInstance[]> {
  const set = kind === 'eligibility' ? 'eligibilityScheduleInstances' : 'assignmentScheduleInstances';
  const what = kind === 'eligibility' ? 'list eligible group access' : 'list active group access';
  if (graph.kind === 'user') {
    return graph.list(
      `${GROUPS_PIM}/${set}/filterByCurrentUser(on='principal')${query({ $expand: 'group' })}`,
      what,
    );
  }
  return graph.list(
    `${GROUPS_PIM}/${set}${query({ $filter: `principalId eq '${graph.callerId()}'`, $expand: 'group' })}`,
    what,
  );
}

/**
 * The caller's own eligible (or activated) membership or ownership of the group `typed` names (id
 * or display name, any case). @throws ClientError (not found) with suggestions on a miss.
 */
export async function heldGroup(
  graph: Graph,
  typed: string,
  accessId: AccessId,
  kind: 'eligibility' | 'assignment',
): Promise<GroupInstance> {
  const instances = (await myGroupInstances(graph, kind)).filter(
    (i) =>
      i.accessId.toLowerCase() === accessId &&
      (kind === 'eligibility' || (i.assignmentType ?? '').toLowerCase() === 'activated'),
  );
  const candidates = instances.map((i) => ({ ...i, id: i.groupId, displayName: groupNameOf(i) }));
  const what = `${kind === 'eligibility' ? 'eligible' : 'active'} group ${accessId}ship`;
  const [hit] = pick(typed, candidates, what);
  if (!hit) throw new ClientError(`no ${what} "${typed}"`, EXIT.notFound);
  return hit;
}

/** What an agent is told about a group request. */
export function groupRequestResult(r: GroupRequest, now: number, groupName?: string) {
  return {
    id: r.id,
    kind: 'group' as const,
    action: r.action,
    status: r.status,
    principalId: r.principalId,
    groupId: r.groupId,
    groupName: groupName ?? null,
    accessId: r.accessId,
    justification: r.justification,
    createdDateTime: r.createdDateTime,
    startDateTime: r.scheduleInfo?.startDateTime ?? null,
    duration: r.scheduleInfo?.expiration?.duration ?? null,
    endDateTime: r.scheduleInfo?.expiration?.endDateTime ?? null,
    approvalId: r.approvalId,
    effective: isEffective(r, now),
    ended: ENDED_STATUSES.has(r.status),
  };
}

export function getGroupRequest(graph: Graph, id: string): Promise<GroupRequest> {
  return graph.get<GroupRequest>(
    `${GROUP_ASSIGNMENT_REQUESTS}/${encodeURIComponent(id)}`,
    `read group request ${id}`,
  );
}
