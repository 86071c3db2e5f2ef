import { Arm, armPath, roleGuidOf, type ArmResource } from './arm.js';
import { ClientError, EXIT } from './exit-codes.js';
import { query, type Graph } from './graph.js';
import {
  GROUP_ASSIGNMENT_REQUESTS,
  GROUPS_PIM,
  getGroupRequest,
  groupNameOf,
  groupRequestResult,
  myGroupInstances,
  type AccessId,
  type GroupInstance,
  type GroupRequest,
} from './groups.js';
import { ASSIGNMENT_REQUESTS, getRequest, requestRow, type GraphRequest } from './requests.js';
import {
  getResourceRequest,
  myResourceInstances,
  readableResourceRoles,
  resourceRequestResult,
  resourceRoleName,
  type ArmInstance,
  type ArmRequest,
  type ResourceRoleRef,
} from './resource-roles.js';
import { myInstances, pick, roleNameOf, type Instance } from './roles.js';

/**
 * What the person-facing PIM commands (`roles`, `activate`, `deactivate`, `extend`, `requests`)
 * act on, of three kinds (ADR 0053): a directory role at a directory scope (Graph
 * `roleManagement/directory`), a group membership or ownership (Graph's PIM for Groups), and a
 * resource role at a scope path (ARM, ADR 0044). Rows carry `kind` so one list holds all three.
 */

/** The kind of a role, group access or request (`kind` in docs/cli/output.schema.json). */
export type PimKind = 'directoryRole' | 'group' | 'resourceRole';

/** What a command's `<role>` argument and `--scope` / `--group` / `--as` / `--resource` flags name. */
export type Target =
  | { kind: 'directoryRole'; role: string; scope: string | undefined }
  | { kind: 'group'; group: string; accessId: AccessId }
  | { kind: 'resourceRole'; role: string; scope: string };

/** The flags that choose a target's kind. */
export interface TargetOptions {
  scope?: string;
  group?: string;
  as?: string;
  resource?: string;
}

const usage = (message: string) => new ClientError(message, EXIT.usage);

/**
 * The target the command line names. `--scope` stays the directory scope (directory and resource
 * scopes are both paths); a resource role's scope is `--resource`'s; a group is `--group`'s name or
 * id, with `--as member|owner`. @throws ClientError (usage) for a combination that names nothing clear.
 */
export function targetOf(typed: string | undefined, opts: TargetOptions, graph?: Graph): Target {
  if (opts.group !== undefined && opts.resource !== undefined)
    throw usage('use --group or --resource, not both');
  if (opts.as !== undefined && opts.group === undefined)
    throw usage('--as (member or owner) goes with --group <name|id>');
  if (opts.group !== undefined) {
    if (typed !== undefined)
      throw usage(`--group names the group; give no role ("${typed}"), or leave out --group`);
    if (opts.scope !== undefined) throw usage('--scope is a directory role’s scope; a group has none');
    const access = (opts.as ?? 'member').toLowerCase();
    if (access !== 'member' && access !== 'owner')
      throw usage(`--as takes member or owner, not "${opts.as ?? ''}"`);
    return { kind: 'group', group: opts.group, accessId: access };
  }
  if (opts.resource !== undefined) {
    if (opts.scope !== undefined)
      throw usage('--scope is the directory scope; a resource role’s scope is the path after --resource');
    if (!opts.resource.startsWith('/'))
      throw usage(`--resource takes a scope path starting with / (e.g. /prod/db), not "${opts.resource}"`);
    if (typed === undefined) throw usage('name the resource role: <role> --resource <scope path>');
    if (graph?.entraMode)
      throw usage('resource roles are Elevate’s own (ARM); this profile signed in to Microsoft Entra');
    return { kind: 'resourceRole', role: typed, scope: opts.resource };
  }
  if (typed === undefined) throw usage('name a role, or a group with --group <name|id>');
  return { kind: 'directoryRole', role: typed, scope: opts.scope };
}

/** A directory role held as an instance (`role` in docs/cli/output.schema.json). */
export function directoryRoleRow(i: Instance) {
  return {
    kind: 'directoryRole' as const,
    roleDefinitionId: i.roleDefinitionId,
    roleName: roleNameOf(i),
    directoryScopeId: i.directoryScopeId ?? '/',
    memberType: i.memberType,
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

/** A group membership or ownership held (`groupAccess` in docs/cli/output.schema.json). */
export function groupRow(i: GroupInstance) {
  return {
    kind: 'group' as const,
    groupId: i.groupId,
    groupName: groupNameOf(i),
    accessId: i.accessId.toLowerCase(),
    memberType: i.memberType ?? null,
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

/** A resource role held at a scope (`resourceRole` in docs/cli/output.schema.json). */
export function resourceRow(roles: readonly ResourceRoleRef[], i: ArmInstance) {
  return {
    kind: 'resourceRole' as const,
    roleDefinitionId: roleGuidOf(i.roleDefinitionId),
    roleName: resourceRoleName(roles, i.roleDefinitionId),
    scope: i.scope,
    memberType: i.memberType ?? null,
    assignmentType: i.assignmentType ?? null,
    startDateTime: i.startDateTime,
    endDateTime: i.endDateTime,
  };
}

export type HeldRow =
  ReturnType<typeof directoryRoleRow> | ReturnType<typeof groupRow> | ReturnType<typeof resourceRow>;

/** Resource roles are Elevate's ARM: asked for only when the profile talks to Elevate itself. */
export const hasArm = (graph: Graph): boolean => !graph.entraMode;

/**
 * The caller's eligible or active directory roles, group accesses and resource roles, in that
 * order (one call per kind, in parallel).
 */
export async function myHeld(graph: Graph, kind: 'eligibility' | 'assignment'): Promise<HeldRow[]> {
  const arm = new Arm(graph);
  const [roles, groups, resources, names] = await Promise.all([
    myInstances(graph, kind),
    myGroupInstances(graph, kind),
    hasArm(graph) ? myResourceInstances(arm, kind) : Promise.resolve([]),
    hasArm(graph) ? readableResourceRoles(arm) : Promise.resolve([]),
  ]);
  return [
    ...roles.map(directoryRoleRow),
    ...groups.map(groupRow),
    ...resources.map((i) => resourceRow(names, i)),
  ];
}

/** A request of any kind as the CLI prints it (`request` in docs/cli/output.schema.json). */
export type AnyRequestRow =
  | (ReturnType<typeof requestRow> & { kind: 'directoryRole' })
  | ReturnType<typeof groupRequestRow>
  | ReturnType<typeof resourceRequestRow>;

export const directoryRequestRow = (r: GraphRequest, roleName?: string) => ({
  kind: 'directoryRole' as const,
  ...requestRow(r, roleName),
});

/** A group request as printed: what an agent is told, without the agent's `effective`/`ended`. */
export function groupRequestRow(r: GroupRequest, groupName?: string) {
  const { effective: _e, ended: _n, ...row } = groupRequestResult(r, 0, groupName);
  return row;
}

/** A resource-role request as printed (as for a group request). */
export function resourceRequestRow(r: ArmResource<ArmRequest>, roles: readonly ResourceRoleRef[]) {
  const { effective: _e, ended: _n, ...row } = resourceRequestResult(r, 0, roles);
  return row;
}

/** How a request is named in a line: `Helpdesk Administrator (/)`, `member of Ops`, `Reader at /prod`. */
export function labelOf(row: AnyRequestRow): string {
  if (row.kind === 'group') return `${row.accessId} of ${row.groupName ?? row.groupId}`;
  if (row.kind === 'resourceRole') return `${row.roleName} at ${row.scope}`;
  return `${row.roleName ?? row.roleDefinitionId} (${row.directoryScopeId})`;
}

/** A request read again by its kind (for `--wait`): its state and its printed row. */
export interface Tracked {
  status: string;
  scheduleInfo: GraphRequest['scheduleInfo'];
  row: AnyRequestRow;
}

/** Reads a request of a known kind again by id. */
export function rereader(
  graph: Graph,
  kind: PimKind,
  names: { roleName?: string; groupName?: string; roles?: readonly ResourceRoleRef[] },
): (id: string) => Promise<Tracked> {
  if (kind === 'group')
    return async (id) => {
      const r = await getGroupRequest(graph, id);
      return { ...r, row: groupRequestRow(r, names.groupName) };
    };
  if (kind === 'resourceRole')
    return async (id) => {
      const r = await getResourceRequest(new Arm(graph), id);
      return { ...r.properties, row: resourceRequestRow(r, names.roles ?? []) };
    };
  return async (id) => {
    const r = await getRequest(graph, id);
    return { ...r, row: directoryRequestRow(r, names.roleName) };
  };
}

/**
 * The caller's own requests of every kind, newest first: directory roles and groups by
 * `filterByCurrentUser(on='principal')` (a `principalId eq` filter for an application), resource
 * roles by ARM's `asTarget()`. `status` narrows them all.
 */
export async function myRequests(graph: Graph, status: string | undefined): Promise<AnyRequestRow[]> {
  const own = graph.kind === 'user';
  const appFilter = own ? [] : [`principalId eq '${graph.callerId()}'`];
  const statusFilter = status ? [`status eq '${status.replace(/'/g, "''")}'`] : [];
  const filter = (parts: string[]) => (parts.length ? parts.join(' and ') : undefined);
  const mine = (path: string) => (own ? `${path}/filterByCurrentUser(on='principal')` : path);
  const arm = new Arm(graph);
  const [roles, groups, resources, names] = await Promise.all([
    graph.list<GraphRequest>(
      `${mine(ASSIGNMENT_REQUESTS)}${query({ $filter: filter([...appFilter, ...statusFilter]), $expand: 'roleDefinition' })}`,
      'list requests',
    ),
    graph.list<GroupRequest & { group?: { displayName: string | null } | null }>(
      `${mine(GROUP_ASSIGNMENT_REQUESTS)}${query({ $filter: filter(appFilter), $expand: 'group' })}`,
      'list group requests',
    ),
    hasArm(graph)
      ? arm.list<ArmResource<ArmRequest>>(
          `${armPath('/', 'roleAssignmentScheduleRequests')}${query({ $filter: 'asTarget()' })}`,
          'list resource role requests',
        )
      : Promise.resolve([]),
    hasArm(graph) ? readableResourceRoles(arm) : Promise.resolve([]),
  ]);
  const wanted = (s: string) => status === undefined || s.toLowerCase() === status.toLowerCase();
  return [
    ...roles.map((r) => directoryRequestRow(r)),
    ...groups
      .filter((r) => wanted(r.status))
      .map((r) => groupRequestRow(r, r.group?.displayName ?? undefined)),
    ...resources.filter((r) => wanted(r.properties.status)).map((r) => resourceRequestRow(r, names)),
  ].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
}

/** The ARM client and the resource role names the caller may read (for matching and printing). */
export async function resourceRolesOf(graph: Graph): Promise<{ arm: Arm; roles: ResourceRoleRef[] }> {
  const arm = new Arm(graph);
  return { arm, roles: await readableResourceRoles(arm) };
}

/** Where group requests of a kind are created (`activate`, `deactivate`, `extend`). */
export const groupRequestPath = (kind: 'eligibility' | 'assignment') =>
  `${GROUPS_PIM}/${kind === 'eligibility' ? 'eligibilityScheduleRequests' : 'assignmentScheduleRequests'}`;

/**
 * An instance that ends and is not an activation (what `extend` extends), named by `typed` among
 * `candidates`. @throws ClientError (not found) with suggestions on a miss.
 */
export function expiring<
  T extends { id: string; displayName: string; endDateTime: string | null; assignmentType?: string },
>(typed: string, candidates: readonly T[], what: string): T[] {
  return pick(
    typed,
    candidates.filter(
      (i) => i.endDateTime !== null && (i.assignmentType ?? '').toLowerCase() !== 'activated',
    ),
    what,
  );
}
