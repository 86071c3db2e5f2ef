import { ClientError, EXIT } from '../exit-codes.js';
import { GROUPS_PIM, type AccessId } from '../groups.js';
import { query, type Graph } from '../graph.js';
import type { RoleRef } from '../roles.js';
import { readableOf, type GraphRule } from './settings.js';
import type { Source } from './source.js';

/**
 * PIM for Groups in `elevate.yaml`: the `member` and `owner` settings of groups (policies with
 * `scopeType: Group`, the same 17 rules as a role's) and eligible or active memberships and
 * ownerships. Groups are found by display name or id, like roles.
 */

export const ACCESS_IDS: readonly AccessId[] = ['member', 'owner'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The key of a group's policy among the role policies of the plan (roles are keyed by id). */
export const groupPolicyKey = (groupId: string, accessId: string): string =>
  `group:${groupId.toLowerCase()}:${accessId.toLowerCase()}`;

/** How a group's access reads in plan lines: `member of "Tier 0 admins"`. */
export const accessName = (group: RoleRef, accessId: string): string =>
  `${accessId} of group "${group.displayName}"`;

/** A group schedule as Graph returns it (the fields read here). */
export interface GroupSchedule {
  principalId: string;
  groupId: string;
  accessId: string;
  memberType?: string;
  assignmentType?: string;
  group?: { id: string; displayName: string | null } | null;
  scheduleInfo?: {
    startDateTime: string | null;
    expiration?: { type?: string; endDateTime?: string | null; duration?: string | null } | null;
  } | null;
}

export interface GroupSchedules {
  eligible: GroupSchedule[];
  active: GroupSchedule[];
}

/** The groups the file names in `groups` and in group assignments. */
export function namedGroups(source: Source): string[] {
  return [
    ...Object.keys(source.value.groups ?? {}),
    ...(source.value.assignments ?? []).flatMap((a) => (a.group === undefined ? [] : [a.group])),
  ];
}

/**
 * Finds the groups named (id or display name) that are not known yet, one call each (never the
 * whole directory). A name that finds nothing stays unknown; {@link resolve} reports it in place.
 */
export async function learnGroups(graph: Graph, known: RoleRef[], names: Iterable<string>): Promise<void> {
  const has = (n: string) =>
    known.some(
      (g) => g.id.toLowerCase() === n.toLowerCase() || g.displayName.toLowerCase() === n.toLowerCase(),
    );
  const todo = [...new Set([...names].map((n) => n.trim()))].filter((n) => n !== '' && !has(n));
  for (const name of todo) {
    const found = GUID.test(name)
      ? await graph
          .get<{ id: string; displayName: string | null }>(
            `/v1.0/groups/${name}${query({ $select: 'id,displayName' })}`,
            `read group ${name}`,
          )
          .then((g) => [g])
          .catch((error: unknown) => {
            if (error instanceof ClientError && error.exitCode === EXIT.notFound) return [];
            throw error;
          })
      : await graph.list<{ id: string; displayName: string | null }>(
          `/v1.0/groups${query({ $filter: `displayName eq ${quoted(name)}`, $select: 'id,displayName' })}`,
          `find group ${name}`,
        );
    for (const g of found) {
      if (!known.some((k) => k.id.toLowerCase() === g.id.toLowerCase()))
        known.push({ id: g.id.toLowerCase(), displayName: g.displayName ?? g.id });
    }
  }
}

/**
 * The group schedules, and the groups onboarded to PIM that they name. Elevate lists every group
 * schedule in one call each; Entra needs a `groupId` (or `principalId`) filter and refuses the
 * list (400): there the candidates are the role-assignable groups, read one group at a time. The
 * groups of `also` (those the file names) are always read.
 */
export async function readGroupSchedules(
  graph: Graph,
  groups: RoleRef[],
  also: readonly string[],
): Promise<GroupSchedules> {
  const list = (set: string, filter?: string) =>
    graph.list<GroupSchedule>(
      `${GROUPS_PIM}/${set}${query({ $filter: filter, $expand: 'group' })}`,
      `list group ${set}`,
    );
  const learn = (schedules: GroupSchedule[]) => {
    for (const s of schedules) {
      const id = s.groupId.toLowerCase();
      if (!groups.some((g) => g.id === id)) groups.push({ id, displayName: s.group?.displayName ?? id });
    }
  };
  try {
    const [eligible, active] = await Promise.all([list('eligibilitySchedules'), list('assignmentSchedules')]);
    learn(eligible);
    learn(active);
    return { eligible, active };
  } catch (error) {
    // A 400 (Entra: "needs a groupId or principalId filter") is a general failure; sign-in,
    // permission and reachability failures are not, and are the caller's to see.
    if (!(error instanceof ClientError && error.exitCode === EXIT.general)) throw error;
  }
  // Entra: one group at a time, the role-assignable groups and those the file names.
  const assignable = await graph.list<{ id: string; displayName: string | null }>(
    `/v1.0/groups${query({ $filter: 'isAssignableToRole eq true', $select: 'id,displayName' })}`,
    'list role-assignable groups',
  );
  for (const g of assignable) {
    const id = g.id.toLowerCase();
    if (!groups.some((k) => k.id === id)) groups.push({ id, displayName: g.displayName ?? id });
  }
  const ids = [
    ...new Set([...assignable.map((g) => g.id.toLowerCase()), ...also.map((g) => g.toLowerCase())]),
  ];
  const out: GroupSchedules = { eligible: [], active: [] };
  for (const id of ids) {
    const [eligible, active] = await Promise.all([
      list('eligibilitySchedules', `groupId eq ${quoted(id)}`),
      list('assignmentSchedules', `groupId eq ${quoted(id)}`),
    ]);
    out.eligible.push(...eligible);
    out.active.push(...active);
  }
  return out;
}

/** A group's `member` or `owner` policy, live. */
export interface LiveGroupPolicy {
  group: RoleRef;
  accessId: string;
  policyId: string;
  rules: GraphRule[];
  readable: Record<string, unknown>;
}

/** The `member` and `owner` policies of one group (Graph's scope filter `scopeType eq 'Group'`). */
export async function readGroupPolicies(graph: Graph, group: RoleRef): Promise<LiveGroupPolicy[]> {
  const policies = await graph.list<{
    policyId: string;
    roleDefinitionId: string;
    policy?: { rules?: GraphRule[] };
  }>(
    `/v1.0/policies/roleManagementPolicyAssignments${query({
      $filter: `scopeId eq ${quoted(group.id)} and scopeType eq 'Group'`,
      $expand: 'policy($expand=rules)',
    })}`,
    `read the settings of group ${group.displayName}`,
  );
  return policies
    .filter((p) => ACCESS_IDS.includes(p.roleDefinitionId.toLowerCase() as AccessId))
    .map((p) => {
      const rules = p.policy?.rules ?? [];
      return {
        group,
        accessId: p.roleDefinitionId.toLowerCase(),
        policyId: p.policyId,
        rules,
        readable: readableOf(rules),
      };
    });
}
