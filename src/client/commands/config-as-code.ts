import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Document } from 'yaml';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { toIso } from '../duration.js';
import { ClientError, EXIT } from '../exit-codes.js';
import type { Graph } from '../graph.js';
import { GROUPS_PIM } from '../groups.js';
import { paint, type Output } from '../output.js';
import { ASSIGNMENT_REQUESTS, ELIGIBILITY_REQUESTS, type GraphRequest } from '../requests.js';
import {
  actionable,
  changeLine,
  computePlan,
  hasDrift,
  overlay,
  type AssignmentChange,
  type Change,
  type Plan,
  type SettingChange,
} from '../as-code/plan.js';
import { groupPolicyKey, learnGroups, namedGroups, readGroupSchedules } from '../as-code/groups.js';
import { CONFIG_SCHEMA } from '../as-code/schema.js';
import { rulePatchOf } from '../as-code/settings.js';
import { readSource, type Source } from '../as-code/source.js';
import {
  allScopes,
  armRuleOf,
  managesResources,
  readResourceLive,
  registeredScopes,
  resourcePolicyKey,
  resourceRoleName,
  resourceRolesIfServed,
} from '../as-code/resources.js';
import { Arm, armPath, roleDefinitionArmId } from '../arm.js';
import { allResourceRoles } from '../resource-roles.js';
import {
  approverUsers,
  byKey,
  learnUsers,
  namedUsers,
  principalName,
  readDirectory,
  readLive,
  resolve,
  type Desired,
  type Directory,
  type End,
  type LiveState,
} from '../as-code/state.js';

interface FileOptions extends CommonOptions {
  file: string;
  prune?: boolean;
}

const FAILED = new Set(['Failed', 'Denied', 'Canceled']);

/** Reads the file, the directory and the live state; computes the plan. */
async function planOf(graph: Graph, opts: FileOptions) {
  const source = readSource(opts.file);
  const dir = await readDirectory(graph);
  await learnUsers(graph, dir, namedUsers(source));
  await learnGroups(graph, dir.groups, namedGroups(source));
  const named = dir.groups.map((g) => g.id);
  if (managesResources(source)) {
    dir.resourceRoles = await allResourceRoles(new Arm(graph));
    dir.scopes = await registeredScopes(graph, namedScopes(source));
  }
  const schedules = await readGroupSchedules(graph, dir.groups, named);
  const desired = resolve(source, dir);
  // Only the settings of the groups the file declares settings for (reading a group's settings
  // onboards it to PIM, on Entra as on Elevate).
  const settingsOf = [...desired.roles.values()].flatMap((r) => (r.group === undefined ? [] : [r.group]));
  const live = await readLive(graph, dir, schedules, [...new Map(settingsOf.map((g) => [g.id, g])).values()]);
  if (dir.resourceRoles !== undefined) {
    const scopes = [...desired.roles.values()].flatMap((r) => (r.scope === undefined ? [] : [r.scope]));
    mergeLive(live, await readResourceLive(new Arm(graph), dir.resourceRoles, [...new Set(scopes)]));
  }
  await learnUsers(graph, dir, liveUsers(live));
  return { desired, live, dir, plan: computePlan(desired, live, dir, opts.prune === true) };
}

/** Adds the resource roles' live state to the directory roles' and groups'. */
function mergeLive(live: LiveState, more: Pick<LiveState, 'roles' | 'assignments'>): void {
  for (const [key, role] of more.roles) live.roles.set(key, role);
  live.assignments = [...live.assignments, ...more.assignments].sort(byKey);
}

/** The scope paths the file names: `resources` keys and the scopes of resource assignments. */
const namedScopes = (source: Source): string[] => [
  ...Object.keys(source.value.resources ?? {}),
  ...(source.value.assignments ?? []).flatMap((a) =>
    a.resourceRole !== undefined && a.scope !== undefined ? [a.scope] : [],
  ),
];

function printPlan(out: Output, plan: Plan): void {
  if (plan.changes.length === 0) {
    out.print('No changes: the live state is what the file declares.');
  } else {
    const style = { '+': 'green', '-': 'red', '~': 'yellow', '?': 'dim' } as const;
    for (const c of plan.changes) {
      const line = changeLine(c);
      out.print(paint(out, style[line[0] as keyof typeof style], line));
    }
    const count = (action: string) => plan.changes.filter((c) => c.action === action).length;
    out.print(
      `Plan: ${count('create')} to create, ${count('change')} to change, ${count('remove')} to remove` +
        (count('undeclared') ? `, ${count('undeclared')} undeclared kept.` : '.'),
    );
  }
  out.print(`plan hash: ${plan.hash}`);
}

const planJson = (plan: Plan) => ({
  planHash: plan.hash,
  changes: plan.changes.map((c) => {
    const { end: _end, ...rest } = c as Change & { end?: unknown };
    return { ...rest, line: changeLine(c) };
  }),
});

/** Graph's expiration for a desired end. */
function expirationOf(end: End) {
  if ('permanent' in end) return { type: 'noExpiration' };
  if ('expires' in end) return { type: 'afterDateTime', endDateTime: new Date(end.expires).toISOString() };
  const days = end.ms % 86_400_000 === 0 ? `P${end.ms / 86_400_000}D` : toIso(end.ms);
  return { type: 'afterDuration', duration: days };
}

/** Applies the plan, settings first (one PATCH per role, every changed rule in it), then assignments. */
async function applyPlan(
  graph: Graph,
  out: Output,
  plan: Plan,
  desired: Desired,
  live: LiveState,
  reason: string,
): Promise<number> {
  const todo = actionable(plan);
  let done = 0;
  const settings = todo.filter((c): c is SettingChange => c.kind === 'setting');
  const policyKey = (c: SettingChange) =>
    c.groupId !== undefined
      ? groupPolicyKey(c.groupId, c.roleDefinitionId)
      : c.scope !== undefined
        ? resourcePolicyKey(c.scope, c.roleDefinitionId)
        : c.roleDefinitionId;
  for (const roleId of new Set(settings.map(policyKey))) {
    const have = live.roles.get(roleId);
    const want = desired.roles.get(roleId);
    if (!have || !want) throw new ClientError(`no settings found for ${roleId}`, EXIT.notFound);
    const merged = overlay(have.readable, want.settings) as Record<string, unknown>;
    const ruleIds = [...new Set(settings.filter((c) => policyKey(c) === roleId).map((c) => c.ruleId))];
    const rules = ruleIds.map((id) => {
      const rule = have.rules.find((r) => r.id === id);
      if (!rule) throw new ClientError(`role ${have.role.displayName} has no rule ${id}`, EXIT.notFound);
      return rulePatchOf(id, rule, merged);
    });
    const whose = have.scope === undefined ? have.role.displayName : resourceRoleName(have.role, have.scope);
    await step(done, todo.length, () =>
      have.scope === undefined
        ? graph.call(
            'PATCH',
            `/v1.0/policies/roleManagementPolicies/${encodeURIComponent(have.policyId)}`,
            `change the settings of ${whose}`,
            { rules },
          )
        : new Arm(graph).call(
            'PATCH',
            armPath(have.scope, 'roleManagementPolicies', have.policyId),
            `change the settings of ${whose}`,
            { properties: { rules: rules.map(armRuleOf) } },
          ),
    );
    done += settings.filter((c) => policyKey(c) === roleId).length;
    out.note(`changed the settings of ${whose} (${ruleIds.join(', ')})`);
  }
  const assignments = todo.filter((c): c is AssignmentChange => c.kind !== 'setting');
  for (const c of assignments) {
    const action =
      c.action === 'create' ? 'adminAssign' : c.action === 'change' ? 'adminUpdate' : 'adminRemove';
    if (c.resourceRole) {
      const created = await step(done, todo.length, () =>
        new Arm(graph).putRequest<{ status: string }>(
          c.scope,
          c.kind === 'eligible' ? 'eligibility' : 'assignment',
          {
            requestType: action,
            principalId: c.principalId,
            roleDefinitionId: roleDefinitionArmId(c.scope, c.roleDefinitionId),
            justification: reason,
            ...(c.end === null
              ? {}
              : { scheduleInfo: { startDateTime: null, expiration: expirationOf(c.end) } }),
          },
          changeLine(c),
        ),
      );
      done = requestDone(out, c, created.properties.status, done, todo.length);
      continue;
    }
    const target =
      c.groupId === undefined
        ? { roleDefinitionId: c.roleDefinitionId, directoryScopeId: c.scope }
        : { groupId: c.groupId, accessId: c.roleDefinitionId };
    const requests =
      c.groupId === undefined
        ? c.kind === 'eligible'
          ? ELIGIBILITY_REQUESTS
          : ASSIGNMENT_REQUESTS
        : `${GROUPS_PIM}/${c.kind === 'eligible' ? 'eligibility' : 'assignment'}ScheduleRequests`;
    const created = await step(done, todo.length, () =>
      graph.call<GraphRequest>('POST', requests, changeLine(c), {
        action,
        principalId: c.principalId,
        ...target,
        justification: reason,
        ...(c.end === null ? {} : { scheduleInfo: { startDateTime: null, expiration: expirationOf(c.end) } }),
      }),
    );
    done = requestDone(out, c, created.status, done, todo.length);
  }
  return done;
}

/** One more change done, or the refusal of a request that ended without doing it. */
function requestDone(out: Output, c: AssignmentChange, status: string, done: number, total: number): number {
  if (FAILED.has(status)) {
    throw new ClientError(
      `${changeLine(c)}: the request ended ${status} (${done} of ${total} applied)`,
      EXIT.refused,
    );
  }
  out.note(`${changeLine(c)}: ${status}`);
  return done + 1;
}

/** Runs one step; a failure names how far apply got. */
async function step<T>(done: number, total: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClientError) {
      throw new ClientError(`${error.message} (${done} of ${total} changes applied)`, error.exitCode);
    }
    throw error;
  }
}

/** The users the live state names: principals of assignments, approvers. */
const liveUsers = (live: LiveState): string[] => [
  ...live.assignments.map((a) => a.principalId),
  ...[...live.roles.values()].flatMap((r) => approverUsers(r.readable)),
];

/**
 * The live state as the file format: every directory role's settings, the `member` and `owner`
 * settings of every group onboarded to PIM, and every assignment.
 */
function exportConfig(live: LiveState, dir: Directory): Record<string, unknown> {
  const resources = exportResources(live, dir);
  const roles: Record<string, unknown> = {};
  const all = [...live.roles.values()];
  const sorted = all
    .filter((r) => r.group === undefined && r.scope === undefined)
    .sort((a, b) => a.role.displayName.localeCompare(b.role.displayName));
  for (const { role, readable } of sorted) {
    const name = roles[role.displayName] === undefined ? role.displayName : role.id;
    roles[name] = readableForFile(readable, dir);
  }
  // A group by its display name, or by its id when another group has the same name.
  const groupName = (id: string) => {
    const group = dir.groups.find((g) => g.id === id);
    if (!group) return id;
    return dir.groups.filter((g) => g.displayName.toLowerCase() === group.displayName.toLowerCase())
      .length === 1
      ? group.displayName
      : id;
  };
  const groups: Record<string, Record<string, unknown>> = {};
  const groupPolicies = all
    .filter((r) => r.group !== undefined)
    .sort((a, b) => (a.group?.displayName ?? '').localeCompare(b.group?.displayName ?? ''));
  for (const { group, role, readable } of groupPolicies) {
    const name = groupName(group?.id ?? '');
    (groups[name] ??= {})[role.id] = readableForFile(readable, dir);
  }
  const end = (a: LiveState['assignments'][number]) =>
    a.end === null ? { permanent: true } : { expires: new Date(a.end).toISOString() };
  return {
    version: 1,
    roles,
    ...(Object.keys(groups).length > 0 ? { groups } : {}),
    ...(resources === undefined ? {} : { resources }),
    assignments: live.assignments.map((a) =>
      a.resource
        ? {
            type: a.type,
            principal: principalName(dir, a.principalId),
            resourceRole: resourceRoleFileName(dir, a.roleDefinitionId),
            scope: a.scope,
            ...end(a),
          }
        : a.group
          ? {
              type: a.type,
              principal: principalName(dir, a.principalId),
              group: groupName(a.scope),
              access: a.roleDefinitionId,
              ...end(a),
            }
          : {
              type: a.type,
              principal: principalName(dir, a.principalId),
              role: dir.roles.find((r) => r.id === a.roleDefinitionId)?.displayName ?? a.roleDefinitionId,
              scope: a.scope,
              ...end(a),
            },
    ),
  };
}

/** A resource role by its name, or by its id when another role has the same name. */
function resourceRoleFileName(dir: Directory, id: string): string {
  const roles = dir.resourceRoles ?? [];
  const role = roles.find((r) => r.id === id);
  if (!role) return id;
  return roles.filter((r) => r.displayName.toLowerCase() === role.displayName.toLowerCase()).length === 1
    ? role.displayName
    : id;
}

/**
 * The resource roles' settings stored at each scope, by scope and role name; undefined when the
 * server has no resource roles (then the file leaves them unmanaged). An empty map still manages
 * the resource-role assignments.
 */
function exportResources(
  live: LiveState,
  dir: Directory,
): Record<string, Record<string, unknown>> | undefined {
  if (dir.resourceRoles === undefined) return undefined;
  const resources: Record<string, Record<string, unknown>> = {};
  const stored = [...live.roles.values()]
    .filter((r) => r.scope !== undefined)
    .sort(
      (a, b) =>
        (a.scope ?? '').localeCompare(b.scope ?? '') || a.role.displayName.localeCompare(b.role.displayName),
    );
  for (const { scope, role, readable } of stored)
    (resources[scope ?? '/'] ??= {})[resourceRoleFileName(dir, role.id)] = readableForFile(readable, dir);
  return resources;
}

/** Users named by principal name; unknown values (null) left out, except "no authentication context". */
function readableForFile(value: unknown, dir: Directory): unknown {
  if (Array.isArray(value)) return value.map((v) => readableForFile(v, dir));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && k !== 'authenticationContext') continue;
    out[k] = k === 'user' && typeof v === 'string' ? principalName(dir, v) : readableForFile(v, dir);
  }
  return out;
}

/** What `--help` of export, plan and apply says about the file. */
const FILE_HELP = [
  '',
  'The file (elevate.yaml, JSON Schema docs/schemas/elevate-config.schema.json):',
  '  roles:       directory roles by name or id: their settings',
  '  groups:      PIM for Groups by name or id: member and owner settings',
  '  resources:   resource roles by scope path, then role name or id: their settings at that scope',
  '               (over the ARM API; a file without resources leaves resource roles alone)',
  '  assignments: eligible or active, with role [scope], group and access, or resourceRole and scope',
  'Documentation: docs/config-as-code.md',
].join('\n');

export function registerConfigAsCodeCommands(program: Command, run: ClientRun): void {
  clientCommand(
    program,
    'export',
    'Write the live settings and assignments of directory roles, groups and resource roles as elevate.yaml (administrators).',
  )
    .addHelpText('after', FILE_HELP)
    .option('-o, --output <file>', 'write to this file (default: standard output)')
    .action(async (opts: CommonOptions & { output?: string }) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const dir = await readDirectory(graph);
      const schedules = await readGroupSchedules(graph, dir.groups, []);
      const live = await readLive(graph, dir, schedules, dir.groups);
      const arm = new Arm(graph);
      // Entra's Graph host has no ARM API: resource roles are Elevate's (ADR 0044).
      dir.resourceRoles = graph.entraMode ? undefined : await resourceRolesIfServed(arm);
      if (dir.resourceRoles !== undefined)
        mergeLive(live, await readResourceLive(arm, dir.resourceRoles, await allScopes(graph), true));
      await learnUsers(graph, dir, liveUsers(live));
      const config = exportConfig(live, dir);
      if (ctx.out.json) return ctx.out.printJson(config);
      const doc = new Document(config);
      doc.commentBefore = ` yaml-language-server: $schema=${CONFIG_SCHEMA.$id}\n Exported from ${graph.server}; docs/config-as-code.md`;
      const text = doc.toString({ lineWidth: 0 });
      if (opts.output === undefined) return ctx.out.print(text);
      try {
        writeFileSync(opts.output, text);
      } catch (error) {
        throw new ClientError(
          `cannot write ${opts.output}: ${(error as { code?: string }).code ?? 'failed'}`,
          EXIT.usage,
        );
      }
      ctx.out.note(`wrote ${opts.output}`);
    });

  clientCommand(program, 'plan', 'Show what apply would change to make the server match the file.')
    .addHelpText('after', FILE_HELP)
    .requiredOption('-f, --file <file>', 'the file (elevate.yaml)')
    .option('--prune', 'remove live assignments the file does not declare (else they are reported and kept)')
    .action(async (opts: FileOptions) => {
      const ctx = contextOf(run, opts);
      const { plan } = await planOf(ctx.graph(), opts);
      if (ctx.out.json) ctx.out.printJson(planJson(plan));
      else printPlan(ctx.out, plan);
      if (hasDrift(plan)) run.exitCode = EXIT.drift;
    });

  clientCommand(program, 'apply', 'Make the server match the file: exactly the changes `plan` shows.')
    .addHelpText('after', FILE_HELP)
    .requiredOption('-f, --file <file>', 'the file (elevate.yaml)')
    .option('--prune', 'remove live assignments the file does not declare')
    .option('--plan-hash <hash>', 'apply only if the plan is still this one (as `plan` printed it)')
    .option('-r, --reason <text>', 'justification of the assignment requests, kept in the audit log')
    .action(async (opts: FileOptions & { planHash?: string; reason?: string }) => {
      const ctx = contextOf(run, opts);
      const graph = ctx.graph();
      const { plan, desired, live } = await planOf(graph, opts);
      if (opts.planHash !== undefined && opts.planHash !== plan.hash) {
        throw new ClientError(
          `the plan changed since ${opts.planHash} (now ${plan.hash}): the server or the file changed; run \`elevate plan\` again`,
          EXIT.stalePlan,
        );
      }
      if (!ctx.out.json) printPlan(ctx.out, plan);
      const applied = await applyPlan(
        graph,
        ctx.out,
        plan,
        desired,
        live,
        opts.reason ?? `elevate apply ${basename(opts.file)}`,
      );
      if (ctx.out.json) return ctx.out.printJson({ ...planJson(plan), applied });
      ctx.out.print(
        applied === 0 ? 'Nothing to apply.' : `Applied ${applied} change${applied === 1 ? '' : 's'}.`,
      );
    });
}
