import { createHash } from 'node:crypto';
import { parseDuration } from '../duration.js';
import { ruleOfPath } from './settings.js';
import { accessName } from './groups.js';
import { resourceRoleName } from './resources.js';
import {
  byKey,
  type Assignment,
  keyOf,
  principalName,
  type Desired,
  type Directory,
  type End,
  type LiveAssignment,
  type LiveState,
} from './state.js';

type Json = Record<string, unknown>;

/** One field of a role's settings that differs from the file. */
export interface SettingChange {
  kind: 'setting';
  action: 'change';
  /** The role's id; for a group, the access id (`member`, `owner`). */
  roleDefinitionId: string;
  roleName: string;
  /** For a group's settings: the group's id. */
  groupId?: string;
  /** For a resource role's settings: the scope path they are at. */
  scope?: string;
  resourceRole?: true;
  /** The readable field, `activation.maximumDuration`. */
  field: string;
  /** The Graph rule it lives in. */
  ruleId: string;
  from: unknown;
  to: unknown;
}

/** An assignment to create, change (its end), remove (`--prune`), or keep although undeclared. */
export interface AssignmentChange {
  kind: 'eligible' | 'active';
  action: 'create' | 'change' | 'remove' | 'undeclared';
  principalId: string;
  principal: string;
  /** The role's id; for a group, the access id. */
  roleDefinitionId: string;
  roleName: string;
  /** The directory scope; for a group, the group's id. */
  scope: string;
  /** For a group membership or ownership: the group's id. */
  groupId?: string;
  /** A resource role (at `scope`, a scope path). */
  resourceRole?: true;
  /** The live end (ISO date-time, `permanent`), null when there is none yet. */
  from: string | null;
  /** The desired end (ISO date-time, `permanent`, or a duration), null when removed or kept. */
  to: string | null;
  end: End | null;
}

export type Change = SettingChange | AssignmentChange;

export interface Plan {
  /** What apply would do, in order: settings, then creations and changes, then removals. */
  changes: Change[];
  /** sha256 of the changes and of the live state they were computed from. */
  hash: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Two readable values the same? Durations compare by length (`P1D` = `PT24H`). */
function same(field: string, a: unknown, b: unknown): boolean {
  if (field.endsWith('maximumDuration') && typeof a === 'string' && typeof b === 'string') {
    try {
      return parseDuration(a).ms === parseDuration(b).ms;
    } catch {
      return a === b;
    }
  }
  return canonical(a) === canonical(b);
}

/** The fields of `want` (declared) that differ from `have` (live), one entry per leaf. */
function diffSettings(
  want: unknown,
  have: unknown,
  path: string[],
  out: [string[], unknown, unknown][],
): void {
  if (isObject(want)) {
    for (const [k, v] of Object.entries(want))
      diffSettings(v, isObject(have) ? have[k] : undefined, [...path, k], out);
    return;
  }
  const stages = path[path.length - 1] === 'stages';
  if (stages && Array.isArray(want) && Array.isArray(have) && want.length === have.length) {
    want.forEach((w, i) => diffSettings(w, have[i], [...path.slice(0, -1), `stages[${i}]`], out));
    return;
  }
  if (!same(path.join('.'), want, have)) out.push([path, have, want]);
}

/** `have` with the fields `want` declares laid over (approval stages merged one by one). */
export function overlay(have: unknown, want: unknown, key = ''): unknown {
  if (isObject(want) && isObject(have)) {
    const out: Json = { ...have };
    for (const [k, v] of Object.entries(want)) out[k] = overlay(have[k], v, k);
    return out;
  }
  if (key === 'stages' && Array.isArray(want) && Array.isArray(have)) {
    return want.map((w, i) => overlay(have[i], w));
  }
  return want;
}

const endText = (end: number | null): string => (end === null ? 'permanent' : new Date(end).toISOString());
const wantText = (end: End): string =>
  'permanent' in end
    ? 'permanent'
    : 'expires' in end
      ? new Date(end.expires).toISOString()
      : `after ${end.duration}`;

/** Is the live end what the file asks for? A duration is met by any end (it sets the end only at creation). */
function endMet(end: End, live: number | null): boolean {
  if ('permanent' in end) return live === null;
  if ('expires' in end) return live === end.expires;
  return live !== null;
}

/**
 * The plan: what makes the live state what the file declares. Computed from schedules and
 * policies only (never from requests, which may be gone); an assignment whose end is met is
 * left alone, never recreated. Live assignments the file does not declare are removed with
 * `prune`, else listed as undeclared (kept).
 */
export function computePlan(desired: Desired, live: LiveState, dir: Directory, prune: boolean): Plan {
  const changes: Change[] = [];
  const roleName = (a: Assignment) => {
    if (a.group) {
      const group = dir.groups.find((g) => g.id === a.scope) ?? { id: a.scope, displayName: a.scope };
      return accessName(group, a.roleDefinitionId);
    }
    const id = a.roleDefinitionId;
    if (a.resource) return dir.resourceRoles?.find((r) => r.id === id.toLowerCase())?.displayName ?? id;
    return dir.roles.find((r) => r.id.toLowerCase() === id.toLowerCase())?.displayName ?? id;
  };
  for (const [roleId, { role, group, scope, settings }] of desired.roles) {
    const out: [string[], unknown, unknown][] = [];
    diffSettings(settings, live.roles.get(roleId)?.readable, [], out);
    for (const [path, from, to] of out) {
      changes.push({
        kind: 'setting',
        action: 'change',
        roleDefinitionId: role.id,
        roleName: role.displayName,
        ...(group === undefined ? {} : { groupId: group.id }),
        ...(scope === undefined ? {} : { scope, resourceRole: true as const }),
        field: path.join('.'),
        ruleId: ruleOfPath(path.map((p) => p.replace(/\[\d+\]$/, ''))),
        from: from ?? null,
        to,
      });
    }
  }
  const liveByKey = new Map(live.assignments.map((a) => [keyOf(a), a]));
  const declared = new Set<string>();
  const row = (a: LiveAssignment | Desired['assignments'][number], action: AssignmentChange['action']) => ({
    kind: a.type,
    action,
    principalId: a.principalId,
    principal: principalName(dir, a.principalId),
    roleDefinitionId: a.roleDefinitionId,
    roleName: roleName(a),
    scope: a.scope,
    ...(a.group ? { groupId: a.scope } : {}),
    ...(a.resource ? { resourceRole: true as const } : {}),
  });
  for (const want of [...desired.assignments].sort(byKey)) {
    declared.add(keyOf(want));
    const have = liveByKey.get(keyOf(want));
    if (have === undefined) {
      changes.push({ ...row(want, 'create'), from: null, to: wantText(want.end), end: want.end });
    } else if (!endMet(want.end, have.end)) {
      changes.push({
        ...row(want, 'change'),
        from: endText(have.end),
        to: wantText(want.end),
        end: want.end,
      });
    }
  }
  for (const have of live.assignments) {
    if (declared.has(keyOf(have))) continue;
    changes.push({
      ...row(have, prune ? 'remove' : 'undeclared'),
      from: endText(have.end),
      to: null,
      end: null,
    });
  }
  const snapshot = {
    roles: [...desired.roles.keys()].sort().map((id) => [id, live.roles.get(id)?.readable ?? null]),
    assignments: live.assignments.map((a) => [keyOf(a), a.end]),
  };
  const hash = createHash('sha256').update(canonical({ changes, snapshot })).digest('hex');
  return { changes, hash: `sha256:${hash}` };
}

/** Does the plan change anything (or find undeclared assignments, which is drift too)? */
export const hasDrift = (plan: Plan): boolean => plan.changes.length > 0;

/** Does applying it do anything? (Undeclared assignments are only reported.) */
export const actionable = (plan: Plan): Change[] => plan.changes.filter((c) => c.action !== 'undeclared');

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One readable line per change. */
export function changeLine(c: Change): string {
  if (c.kind === 'setting') {
    const whose =
      c.groupId !== undefined
        ? c.roleName
        : c.scope !== undefined
          ? resourceRoleName({ displayName: c.roleName }, c.scope)
          : `role "${c.roleName}"`;
    return `~ ${whose} ${c.field}: ${show(c.from)} -> ${show(c.to)}`;
  }
  const what =
    c.groupId !== undefined
      ? `${c.kind} ${c.principal} ${c.roleName}`
      : c.resourceRole
        ? `${c.kind} ${c.principal} ${resourceRoleName({ displayName: c.roleName }, c.scope)}`
        : `${c.kind} ${c.principal} "${c.roleName}" at ${c.scope}`;
  if (c.action === 'create') return `+ ${what} (${c.to ?? ''})`;
  if (c.action === 'change') return `~ ${what}: ${c.from ?? ''} -> ${c.to ?? ''}`;
  if (c.action === 'remove') return `- ${what} (was ${c.from ?? ''})`;
  return `? ${what} (${c.from ?? ''}) is live but not declared: kept (--prune removes it)`;
}

/** JSON with keys sorted at every level: the same value always gives the same text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
