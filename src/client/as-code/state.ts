import { ClientError, EXIT } from '../exit-codes.js';
import { query, type Graph } from '../graph.js';
import { parseDuration } from '../duration.js';
import { allRoles, DIRECTORY, pick, type RoleRef } from '../roles.js';
import { closest } from '../suggest.js';
import {
  accessName,
  groupPolicyKey,
  readGroupPolicies,
  type GroupSchedule,
  type GroupSchedules,
} from './groups.js';
import { readableOf, type GraphRule } from './settings.js';
import type { AssignmentEntry, Source } from './source.js';
import type { ResourceRoleRef } from '../resource-roles.js';
import { isScopePath, resourcePolicyKey, resourceRoleName } from './resources.js';

export type AssignmentType = 'eligible' | 'active';

/** When an assignment ends: never, at a time, or (only when it is created) after a duration. */
export type End = { permanent: true } | { expires: number } | { duration: string; ms: number };

/**
 * An eligible or active (assigned) membership of a directory role, desired or live; with `group`,
 * a group membership or ownership: `roleDefinitionId` is the access id and `scope` the group's id.
 */
export interface Assignment {
  type: AssignmentType;
  principalId: string;
  roleDefinitionId: string;
  scope: string;
  group?: true;
  /** A resource role (`roleDefinitionId` its GUID) at a scope path (`scope`). */
  resource?: true;
}

export interface DesiredAssignment extends Assignment {
  end: End;
  /** `file:line:column` of its entry. */
  where: string;
}

export interface LiveAssignment extends Assignment {
  /** End time in ms since the epoch, null for permanent. */
  end: number | null;
}

/**
 * A role's settings; or a group's `member` or `owner` settings (`group` set, `role.id` the access
 * id); or a resource role's settings at a scope (`scope` set, `policyId` ARM's policy name).
 */
export interface LiveRole {
  role: RoleRef;
  group?: RoleRef;
  scope?: string;
  policyId: string;
  rules: GraphRule[];
  readable: Record<string, unknown>;
}

export interface LiveState {
  /** By role id, and by {@link groupPolicyKey} for groups. */
  roles: Map<string, LiveRole>;
  assignments: LiveAssignment[];
}

export interface Desired {
  /** Per role id: the readable settings the file declares (fields left out are not managed). */
  roles: Map<
    string,
    { role: RoleRef; group?: RoleRef; scope?: string; settings: Record<string, unknown>; where: string }
  >;
  assignments: DesiredAssignment[];
}

/** Names for ids: users by user principal name, roles by display name. */
export interface Directory {
  roles: RoleRef[];
  /** Groups known so far: named by the file, or found in group schedules. */
  groups: RoleRef[];
  users: { id: string; userPrincipalName: string }[];
  /** Resource roles, when the file (or export) manages them; else undefined. */
  resourceRoles?: ResourceRoleRef[];
  /** The registered resource scopes among those the file names (with resource roles). */
  scopes?: Set<string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const keyOf = (a: Assignment): string =>
  [
    a.group ? `group-${a.type}` : a.resource ? `resource-${a.type}` : a.type,
    a.principalId.toLowerCase(),
    a.roleDefinitionId.toLowerCase(),
    a.scope,
  ].join('|');

/** The role definitions; users are looked up one by one as they are needed ({@link learnUsers}). */
export async function readDirectory(graph: Graph): Promise<Directory> {
  return { roles: await allRoles(graph), users: [], groups: [] };
}

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Looks up the users named (by id or user principal name) that are not known yet, a few at a time:
 * never the whole directory (an Entra tenant may have a million users). An id that is no user (a
 * group, a service principal) stays unknown and is shown as its id.
 */
export async function learnUsers(graph: Graph, dir: Directory, names: Iterable<string>): Promise<void> {
  const known = (n: string) =>
    dir.users.some(
      (u) => u.id.toLowerCase() === n.toLowerCase() || u.userPrincipalName.toLowerCase() === n.toLowerCase(),
    );
  const todo = [...new Set([...names].map((n) => n.trim()))].filter((n) => n !== '' && !known(n));
  const one = async (name: string): Promise<void> => {
    if (GUID.test(name)) {
      try {
        const user = await graph.get<{ id: string; userPrincipalName: string }>(
          `/v1.0/users/${name}`,
          `read user ${name}`,
        );
        dir.users.push({ id: user.id, userPrincipalName: user.userPrincipalName });
      } catch (error) {
        if (!(error instanceof ClientError && error.exitCode === EXIT.notFound)) throw error;
      }
      return;
    }
    const found = await graph.list<{ id: string; userPrincipalName: string }>(
      `/v1.0/users${query({ $filter: `userPrincipalName eq ${quoted(name)}`, $select: 'id,userPrincipalName' })}`,
      `find user ${name}`,
    );
    dir.users.push(...found.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName })));
  };
  for (let i = 0; i < todo.length; i += 8) await Promise.all(todo.slice(i, i + 8).map(one));
}

/** Every user named in the file (principals and approvers) by user principal name or id. */
export function namedUsers(source: Source): string[] {
  const names: string[] = (source.value.assignments ?? []).map((a) => a.principal);
  for (const settings of Object.values(source.value.roles ?? {})) names.push(...approverUsers(settings));
  for (const group of Object.values(source.value.groups ?? {}))
    for (const settings of Object.values(group)) names.push(...approverUsers(settings));
  for (const scope of Object.values(source.value.resources ?? {}))
    for (const settings of Object.values(scope)) names.push(...approverUsers(settings));
  return names;
}

/** The `user` approvers of readable settings. */
export function approverUsers(settings: Record<string, unknown> | undefined): string[] {
  const stages =
    (settings?.activation as { approval?: { stages?: Record<string, unknown>[] } } | undefined)?.approval
      ?.stages ?? [];
  return stages.flatMap((stage) =>
    ['approvers', 'escalationApprovers'].flatMap((list) =>
      ((stage[list] as { user?: string }[] | undefined) ?? []).flatMap((a) =>
        a.user === undefined ? [] : [a.user],
      ),
    ),
  );
}

/** A principal's readable name: a user's principal name, else its id. */
export const principalName = (dir: Directory, id: string): string =>
  dir.users.find((u) => u.id.toLowerCase() === id.toLowerCase())?.userPrincipalName ?? id;

/**
 * Every directory role's settings and every direct, assigned (not activated) schedule; the group
 * schedules read before, and the settings of the groups in `settingsOf`.
 */
export async function readLive(
  graph: Graph,
  dir: Directory,
  groupSchedules: GroupSchedules,
  settingsOf: readonly RoleRef[],
): Promise<LiveState> {
  const policies = await graph.list<{
    policyId: string;
    roleDefinitionId: string;
    policy?: { rules?: GraphRule[] };
  }>(
    `/v1.0/policies/roleManagementPolicyAssignments${query({
      $filter: "scopeId eq '/' and scopeType eq 'DirectoryRole'",
      $expand: 'policy($expand=rules)',
    })}`,
    'read role settings',
  );
  const roles = new Map<string, LiveRole>();
  for (const p of policies) {
    const role = dir.roles.find((r) => r.id.toLowerCase() === p.roleDefinitionId.toLowerCase());
    if (!role) continue;
    const rules = p.policy?.rules ?? [];
    roles.set(role.id, { role, policyId: p.policyId, rules, readable: readableOf(rules) });
  }
  const [eligible, active] = await Promise.all([
    graph.list<Schedule>(`${DIRECTORY}/roleEligibilitySchedules`, 'list eligibility schedules'),
    graph.list<Schedule>(`${DIRECTORY}/roleAssignmentSchedules`, 'list assignment schedules'),
  ]);
  const live = (type: AssignmentType, s: Schedule): LiveAssignment => ({
    type,
    principalId: s.principalId,
    roleDefinitionId: s.roleDefinitionId,
    scope: s.directoryScopeId ?? '/',
    end: endOf(s),
  });
  const direct = (s: { memberType?: string }) => (s.memberType ?? 'Direct').toLowerCase() === 'direct';
  const assigned = (s: { assignmentType?: string }) => (s.assignmentType ?? '').toLowerCase() !== 'activated';
  const liveGroup = (type: AssignmentType, s: GroupSchedule): LiveAssignment => ({
    type,
    principalId: s.principalId,
    roleDefinitionId: s.accessId.toLowerCase(),
    scope: s.groupId.toLowerCase(),
    group: true,
    end: endOf({ ...s, roleDefinitionId: s.accessId, directoryScopeId: s.groupId }),
  });
  const assignments = [
    ...eligible.filter(direct).map((s) => live('eligible', s)),
    ...active.filter((s) => direct(s) && assigned(s)).map((s) => live('active', s)),
    ...groupSchedules.eligible.filter(direct).map((s) => liveGroup('eligible', s)),
    ...groupSchedules.active.filter((s) => direct(s) && assigned(s)).map((s) => liveGroup('active', s)),
  ];
  for (const policies of await Promise.all(settingsOf.map((g) => readGroupPolicies(graph, g)))) {
    for (const p of policies) {
      roles.set(groupPolicyKey(p.group.id, p.accessId), {
        role: { id: p.accessId, displayName: accessName(p.group, p.accessId) },
        group: p.group,
        policyId: p.policyId,
        rules: p.rules,
        readable: p.readable,
      });
    }
  }
  const seen = new Set<string>();
  return {
    roles,
    assignments: assignments.filter((a) => !seen.has(keyOf(a)) && seen.add(keyOf(a))).sort(byKey),
  };
}

export const byKey = (a: Assignment, b: Assignment): number => keyOf(a).localeCompare(keyOf(b));

export interface Schedule {
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string | null;
  memberType?: string;
  assignmentType?: string;
  scheduleInfo?: {
    startDateTime: string | null;
    expiration?: { type?: string; endDateTime?: string | null; duration?: string | null } | null;
  } | null;
}

export function endOf(s: Schedule): number | null {
  const expiration = s.scheduleInfo?.expiration;
  if (expiration?.endDateTime) return Date.parse(expiration.endDateTime);
  if (expiration?.duration && s.scheduleInfo?.startDateTime) {
    return Date.parse(s.scheduleInfo.startDateTime) + parseDuration(expiration.duration).ms;
  }
  return null;
}

/**
 * The file's declarations with names resolved to ids: roles by display name (any case) or id,
 * principals by user principal name or id, approvers likewise. Durations are checked.
 * @throws ClientError with `file:line:column` for an unknown role or user, a bad duration, a duplicate.
 */
export function resolve(source: Source, dir: Directory): Desired {
  const located = <T>(path: (string | number)[], work: () => T, key = false): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof ClientError) throw source.fail(path, error.message, error.exitCode, key);
      throw error;
    }
  };
  const roleOf = (path: (string | number)[], typed: string, key = false) =>
    located(path, () => pick(typed, dir.roles, 'role')[0] as RoleRef, key);
  const userOf = (path: (string | number)[], typed: string): string => {
    if (GUID.test(typed)) return typed.toLowerCase();
    const hit = dir.users.find((u) => u.userPrincipalName.toLowerCase() === typed.toLowerCase());
    if (hit) return hit.id;
    const near = closest(
      typed,
      dir.users.map((u) => u.userPrincipalName),
    );
    throw source.fail(
      path,
      `no user "${typed}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''}`,
      EXIT.notFound,
    );
  };
  const durationAt = (path: (string | number)[], text: string) => located(path, () => parseDuration(text));

  const groupOf = (path: (string | number)[], typed: string, key = false) =>
    located(path, () => pick(typed, dir.groups, 'group')[0] as RoleRef, key);
  /** Settings with durations checked and approvers resolved to ids. */
  const settingsAt = (at: string[], raw: Record<string, unknown>): Record<string, unknown> => {
    const settings = structuredClone(raw);
    for (const section of ['activation', 'eligibility', 'assignment'] as const) {
      const s = settings[section] as Record<string, unknown> | undefined;
      if (typeof s?.maximumDuration === 'string')
        durationAt([...at, section, 'maximumDuration'], s.maximumDuration);
    }
    const stages =
      (settings.activation as { approval?: { stages?: Record<string, unknown>[] } } | undefined)?.approval
        ?.stages ?? [];
    stages.forEach((stage, i) => {
      for (const list of ['approvers', 'escalationApprovers'] as const) {
        const approvers = stage[list] as { user?: string; group?: string }[] | undefined;
        approvers?.forEach((a, j) => {
          if (a.user !== undefined) {
            a.user = userOf([...at, 'activation', 'approval', 'stages', i, list, j, 'user'], a.user);
          }
          if (a.group !== undefined) a.group = a.group.toLowerCase();
        });
      }
    });
    return settings;
  };

  const roles: Desired['roles'] = new Map();
  for (const [name, raw] of Object.entries(source.value.roles ?? {})) {
    const role = roleOf(['roles', name], name);
    if (roles.has(role.id))
      throw source.fail(['roles', name], `role "${role.displayName}" is declared twice`);
    roles.set(role.id, {
      role,
      settings: settingsAt(['roles', name], raw),
      where: source.at(['roles', name], true),
    });
  }
  for (const [name, byAccess] of Object.entries(source.value.groups ?? {})) {
    const group = groupOf(['groups', name], name);
    for (const [accessId, raw] of Object.entries(byAccess)) {
      if (raw === undefined) continue;
      const key = groupPolicyKey(group.id, accessId);
      if (roles.has(key))
        throw source.fail(
          ['groups', name],
          `group "${group.displayName}" is declared twice`,
          EXIT.usage,
          true,
        );
      roles.set(key, {
        role: { id: accessId, displayName: accessName(group, accessId) },
        group,
        settings: settingsAt(['groups', name, accessId], raw),
        where: source.at(['groups', name, accessId], true),
      });
    }
  }

  const resourceRoleOf = (path: (string | number)[], typed: string, key = false) => {
    if (dir.resourceRoles === undefined)
      throw source.fail(path, 'this server has no resource roles', EXIT.usage, key);
    return located(
      path,
      () => pick(typed, dir.resourceRoles ?? [], 'resource role')[0] as ResourceRoleRef,
      key,
    );
  };
  /** A scope path that is registered, and within the role's assignable scopes. */
  const scopeFor = (path: (string | number)[], scope: string, role: ResourceRoleRef, key = false) => {
    if (!isScopePath(scope))
      throw source.fail(
        path,
        `invalid scope "${scope}": a scope path is / or /segment/… (docs/resources.md)`,
        EXIT.usage,
        key,
      );
    if (!dir.scopes?.has(scope)) throw source.fail(path, `no resource scope "${scope}"`, EXIT.notFound, key);
    if (!role.assignableScopes.some((a) => a === '/' || scope === a || scope.startsWith(`${a}/`)))
      throw source.fail(
        path,
        `resource role "${role.displayName}" is not assignable at ${scope} (assignable at ${role.assignableScopes.join(', ')})`,
        EXIT.usage,
        key,
      );
    return scope;
  };
  for (const [scope, byRole] of Object.entries(source.value.resources ?? {})) {
    for (const [name, raw] of Object.entries(byRole)) {
      const role = resourceRoleOf(['resources', scope, name], name, true);
      scopeFor(['resources', scope], scope, role, true);
      const key = resourcePolicyKey(scope, role.id);
      if (roles.has(key))
        throw source.fail(
          ['resources', scope, name],
          `${resourceRoleName(role, scope)} is declared twice`,
          EXIT.usage,
          true,
        );
      roles.set(key, {
        role,
        scope,
        settings: settingsAt(['resources', scope, name], raw),
        where: source.at(['resources', scope, name], true),
      });
    }
  }

  /** A directory role at a scope, a group's membership or ownership, or a resource role at a scope. */
  const targetOf = (path: (string | number)[], entry: AssignmentEntry) => {
    if (entry.resourceRole !== undefined) {
      if (entry.role !== undefined || entry.group !== undefined)
        throw source.fail(path, 'give one of role, group or resourceRole');
      if (entry.access !== undefined)
        throw source.fail([...path, 'access'], '"access" is for group assignments', EXIT.usage, true);
      if (entry.scope === undefined) throw source.fail(path, 'a resource role assignment needs "scope"');
      const role = resourceRoleOf([...path, 'resourceRole'], entry.resourceRole);
      const scope = scopeFor([...path, 'scope'], entry.scope, role);
      return {
        name: resourceRoleName(role, scope),
        assignment: { roleDefinitionId: role.id, scope, resource: true as const },
      };
    }
    if (entry.group !== undefined) {
      if (entry.role !== undefined) throw source.fail(path, 'give either role or group, not both');
      if (entry.scope !== undefined)
        throw source.fail([...path, 'scope'], 'a group assignment has no scope', EXIT.usage, true);
      if (entry.access === undefined)
        throw source.fail(path, 'a group assignment needs "access" (member or owner)');
      const group = groupOf([...path, 'group'], entry.group);
      return {
        name: accessName(group, entry.access),
        assignment: { roleDefinitionId: entry.access, scope: group.id, group: true as const },
      };
    }
    if (entry.role === undefined) throw source.fail(path, 'an assignment needs "role" or "group"');
    if (entry.access !== undefined)
      throw source.fail([...path, 'access'], '"access" is for group assignments', EXIT.usage, true);
    const role = roleOf([...path, 'role'], entry.role);
    return { name: role.displayName, assignment: { roleDefinitionId: role.id, scope: entry.scope ?? '/' } };
  };

  const assignments: DesiredAssignment[] = [];
  const seen = new Set<string>();
  (source.value.assignments ?? []).forEach((entry, i) => {
    const path = ['assignments', i];
    const target = targetOf(path, entry);
    if (entry.expires !== undefined && Number.isNaN(Date.parse(entry.expires))) {
      throw source.fail([...path, 'expires'], `invalid date-time "${entry.expires}"`);
    }
    const end: End =
      entry.permanent === true
        ? { permanent: true }
        : entry.expires !== undefined
          ? { expires: Date.parse(entry.expires) }
          : {
              duration: entry.duration ?? '',
              ms: durationAt([...path, 'duration'], entry.duration ?? '').ms,
            };
    const wanted: DesiredAssignment = {
      type: entry.type,
      principalId: userOf([...path, 'principal'], entry.principal),
      ...target.assignment,
      end,
      where: source.at(path),
    };
    if (seen.has(keyOf(wanted))) {
      throw source.fail(
        path,
        `${entry.type} ${entry.principal} for ${target.name} at ${wanted.scope} is declared twice`,
      );
    }
    seen.add(keyOf(wanted));
    assignments.push(wanted);
  });
  return { roles, assignments };
}
