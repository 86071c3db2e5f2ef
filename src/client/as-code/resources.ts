import { Arm, armPath, roleGuidOf, type ArmResource } from '../arm.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { query, type Graph } from '../graph.js';
import { allResourceRoles, type ResourceRoleRef } from '../resource-roles.js';
import { SCOPE_PATH } from './schema.js';
import { readableOf, type GraphRule } from './settings.js';
import type { Source } from './source.js';
import type { AssignmentType, LiveAssignment, LiveRole } from './state.js';

/**
 * Resource roles in `elevate.yaml` (Elevate only; ADR 0044): their settings at a scope (ARM
 * `roleManagementPolicies`, the same 17 rules in Azure's spelling) under `resources`, by scope path
 * and role name, and eligible or active assignments with `resourceRole` and `scope`. Read and
 * written over ARM; the readable form and the plan are the directory roles' own.
 */

type Json = Record<string, unknown>;

const SCOPE = new RegExp(SCOPE_PATH);

export const isScopePath = (text: string): boolean => text.length <= 1024 && SCOPE.test(text);

/** The key of a resource role's settings at a scope among the plan's role policies. */
export const resourcePolicyKey = (scope: string, roleId: string): string =>
  `resource:${scope}:${roleId.toLowerCase()}`;

/** How a resource role reads in plan lines: `resource role "Reader" at /prod`. */
export const resourceRoleName = (role: { displayName: string }, scope: string): string =>
  `resource role "${role.displayName}" at ${scope}`;

const GRAPH_PREFIX = '#microsoft.graph.unified';
const SINGLE_USER = '#microsoft.graph.singleUser';
const GROUP_MEMBERS = '#microsoft.graph.groupMembers';
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const mapStages = (setting: unknown, approver: (a: Json) => Json): unknown => {
  if (!isObject(setting) || !Array.isArray(setting.approvalStages)) return setting;
  return {
    ...setting,
    approvalStages: (setting.approvalStages as Json[]).map((stage) => ({
      ...stage,
      primaryApprovers: ((stage.primaryApprovers as Json[] | null) ?? []).map(approver),
      escalationApprovers: ((stage.escalationApprovers as Json[] | null) ?? []).map(approver),
    })),
  };
};

/**
 * An ARM rule in Graph's spelling (`ruleType` → `@odata.type`, approvers `{id, userType}` →
 * `singleUser` / `groupMembers`), so the readable form of directory roles reads it unchanged.
 */
export function graphRuleOf(rule: Json): GraphRule {
  const { ruleType, setting, ...rest } = rule;
  const out: Json = { ...rest, '@odata.type': `${GRAPH_PREFIX}${String(ruleType)}` };
  if (setting !== undefined)
    out.setting = mapStages(setting, (a) =>
      String(a.userType).toLowerCase() === 'group'
        ? { '@odata.type': GROUP_MEMBERS, groupId: a.id }
        : { '@odata.type': SINGLE_USER, userId: a.id },
    );
  if (out.notificationRecipients === null) out.notificationRecipients = [];
  return out as GraphRule;
}

/** A Graph-spelled rule patch back in ARM's spelling, for `PATCH …/roleManagementPolicies/{name}`. */
export function armRuleOf(rule: GraphRule): Json {
  const { '@odata.type': type, setting, ...rest } = rule;
  const out: Json = { ...rest, ruleType: String(type).replace(GRAPH_PREFIX, '') };
  if (setting !== undefined)
    out.setting = mapStages(setting, (a) => {
      const group = String(a['@odata.type']).toLowerCase() === GROUP_MEMBERS.toLowerCase();
      return {
        id: group ? a.groupId : a.userId,
        description: null,
        isBackup: false,
        userType: group ? 'Group' : 'User',
      };
    });
  return out;
}

/** A resource role's settings at a scope, live. */
export interface LiveResourcePolicy {
  scope: string;
  role: ResourceRoleRef;
  /** ARM's policy name (a GUID). */
  policyName: string;
  rules: GraphRule[];
  readable: Json;
  /** Stored at this very scope (changed there before), not inherited nor the defaults. */
  own: boolean;
}

interface ArmPolicyAssignment {
  roleDefinitionId: string;
  policyId: string;
  effectiveRules: Json[];
  policyAssignmentProperties?: { policy?: { lastModifiedDateTime?: string | null } | null } | null;
}

/**
 * The settings of every resource role at a scope (inherited ones too), from the scope's
 * `roleManagementPolicyAssignments` (each names its role and policy, with the rules).
 * @throws ClientError (not found) for a scope that is not registered.
 */
export async function readResourcePolicies(
  arm: Arm,
  roles: readonly ResourceRoleRef[],
  scope: string,
): Promise<LiveResourcePolicy[]> {
  const assignments = await arm.list<ArmResource<ArmPolicyAssignment>>(
    armPath(scope, 'roleManagementPolicyAssignments'),
    `read the resource role settings at ${scope}`,
  );
  return assignments.flatMap(({ properties: p }) => {
    const role = roles.find((r) => r.id === roleGuidOf(p.roleDefinitionId));
    if (!role) return [];
    const rules = p.effectiveRules.map(graphRuleOf);
    return [
      {
        scope,
        role,
        policyName: p.policyId.split('/').pop() ?? p.policyId,
        rules,
        readable: readableOf(rules),
        // A policy stored at the scope has been changed there; inherited and default ones have not.
        own: (p.policyAssignmentProperties?.policy?.lastModifiedDateTime ?? null) !== null,
      },
    ];
  });
}

/** A resource-role schedule as ARM lists it (the fields read here). */
export interface ArmSchedule {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  memberType?: string;
  assignmentType?: string;
  endDateTime: string | null;
}

/** Every resource-role eligibility and assignment schedule, at every scope (listed at the root). */
export async function readResourceSchedules(
  arm: Arm,
): Promise<{ eligible: ArmSchedule[]; active: ArmSchedule[] }> {
  const [eligible, active] = await Promise.all(
    (['roleEligibilitySchedules', 'roleAssignmentSchedules'] as const).map((set) =>
      arm.list<ArmResource<ArmSchedule>>(armPath('/', set), `list resource role ${set}`),
    ),
  );
  return {
    eligible: (eligible ?? []).map((s) => s.properties),
    active: (active ?? []).map((s) => s.properties),
  };
}

/** Does the file manage resource roles? Only when it says so: a `resources` key or a resource assignment. */
export const managesResources = (source: Source): boolean =>
  source.value.resources !== undefined ||
  (source.value.assignments ?? []).some((a) => a.resourceRole !== undefined);

/**
 * The resource roles, or undefined when the server has no ARM API (Microsoft Entra's Graph host
 * answers 404): `export` then leaves resource roles out.
 */
export async function resourceRolesIfServed(arm: Arm): Promise<ResourceRoleRef[] | undefined> {
  try {
    return await allResourceRoles(arm);
  } catch (error) {
    if (error instanceof ClientError && error.exitCode === EXIT.notFound) return undefined;
    throw error;
  }
}

/**
 * Which of `scopes` are registered, one look-up each (`$filter=id eq '…'` of Elevate's
 * `resourceScopes`, never the whole tree). The root always is.
 */
export async function registeredScopes(graph: Graph, scopes: Iterable<string>): Promise<Set<string>> {
  const known = new Set<string>(['/']);
  const todo = [...new Set(scopes)].filter((s) => s !== '/' && isScopePath(s));
  const one = async (scope: string) => {
    const found = await graph.list<{ id: string }>(
      `/v1.0/elevate/resourceScopes${query({ $filter: `id eq '${scope.replace(/'/g, "''")}'`, $select: 'id' })}`,
      `find resource scope ${scope}`,
    );
    if (found.some((f) => f.id === scope)) known.add(scope);
  };
  for (let i = 0; i < todo.length; i += 8) await Promise.all(todo.slice(i, i + 8).map(one));
  return known;
}

/** Every registered scope path (for `export`), the root first. */
export async function allScopes(graph: Graph): Promise<string[]> {
  const scopes = await graph.list<{ id: string }>(
    `/v1.0/elevate/resourceScopes${query({ $select: 'id' })}`,
    'list resource scopes',
  );
  return [
    '/',
    ...scopes
      .map((s) => s.id)
      .filter((id) => id !== '/')
      .sort(),
  ];
}

/**
 * The live resource-role state the plan compares: the settings at each scope of `settingsAt` (the
 * scopes the file declares settings at, or every scope for `export`) and every direct, assigned
 * (not activated) eligibility and assignment, as the plan's roles and assignments.
 * @param ownOnly keep only settings stored at their scope (export: inherited ones are not the scope's).
 */
export async function readResourceLive(
  arm: Arm,
  roles: readonly ResourceRoleRef[],
  settingsAt: readonly string[],
  ownOnly = false,
): Promise<{ roles: Map<string, LiveRole>; assignments: LiveAssignment[] }> {
  const live = new Map<string, LiveRole>();
  for (const scope of settingsAt) {
    for (const p of await readResourcePolicies(arm, roles, scope)) {
      if (ownOnly && !p.own) continue;
      live.set(resourcePolicyKey(scope, p.role.id), {
        role: p.role,
        scope,
        policyId: p.policyName,
        rules: p.rules,
        readable: p.readable,
      });
    }
  }
  const { eligible, active } = await readResourceSchedules(arm);
  const direct = (s: ArmSchedule) => (s.memberType ?? 'Direct').toLowerCase() === 'direct';
  const assigned = (s: ArmSchedule) => (s.assignmentType ?? '').toLowerCase() !== 'activated';
  const liveOf = (type: AssignmentType, s: ArmSchedule): LiveAssignment => ({
    type,
    principalId: s.principalId.toLowerCase(),
    roleDefinitionId: roleGuidOf(s.roleDefinitionId),
    scope: s.scope,
    resource: true,
    end: s.endDateTime === null ? null : Date.parse(s.endDateTime),
  });
  return {
    roles: live,
    assignments: [
      ...eligible.filter(direct).map((s) => liveOf('eligible', s)),
      ...active.filter((s) => direct(s) && assigned(s)).map((s) => liveOf('active', s)),
    ],
  };
}
