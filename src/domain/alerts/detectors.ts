import { findRule, type PolicyRule } from '../policy/types.js';
import { GLOBAL_ADMINISTRATOR } from '../roles/built-in-role-ids.js';
import { parseDuration } from '../time/duration.js';
import type { AlertName, AlertSettings } from './definitions.js';

/** How far back activations count for "activated too frequently" (Graph: the last 30 days). */
export const SEQUENCE_LOOKBACK_MS = 30 * 86_400_000;

export interface AlertRoleFact {
  id: string;
  templateId: string;
  displayName: string;
  isPrivileged: boolean;
}

export interface AlertPrincipalFact {
  type: 'user' | 'group' | 'servicePrincipal';
  displayName: string | null;
  /** Users only. */
  userPrincipalName: string | null;
  /** Users only: when the account was created. */
  createdAt: number | null;
  /** Users only: the last completed sign-in; null when the user never signed in. */
  lastSignInAt: number | null;
}

/** A schedule that holds now: an eligibility, a PIM assignment, or a direct role assignment. */
export interface AlertScheduleFact {
  id: string;
  kind: 'eligibility' | 'assignment';
  origin: 'pim' | 'direct';
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  assignmentType: string | null;
  start: number;
  createdAt: number;
}

/** One granted self-activation (or renewal by activation), when it was asked for. */
export interface ActivationFact {
  principalId: string;
  roleDefinitionId: string;
  at: number;
}

/** What the detectors look at, gathered at one instant. */
export interface AlertSnapshot {
  now: number;
  roles: readonly AlertRoleFact[];
  principals: ReadonlyMap<string, AlertPrincipalFact>;
  /**
   * Schedules of privileged directory roles that hold at `now`: all of them, or (as a store reads
   * them) at least every one a detector could report with the settings scanned.
   */
  schedules: readonly AlertScheduleFact[];
  /**
   * Principals holding or eligible for any directory role at `now` (PIM or direct), each once;
   * null when not counted because the Global Administrators are too few for the share to matter.
   */
  holderCount: number | null;
  /** Tenant-scope policy rules by role id (privileged roles at least). */
  policies: ReadonlyMap<string, readonly PolicyRule[]>;
  /** Activations of the last `SEQUENCE_LOOKBACK_MS` at least, and the last one of each eligibility. */
  activations: readonly ActivationFact[];
  /** Break-glass accounts and their uses not yet justified (ADR 0033). */
  breakGlass: BreakGlassFacts;
}

/** What the break-glass alerts look at. */
export interface BreakGlassFacts {
  accounts: readonly { userId: string; createdAt: number; lastTestedAt: number | null }[];
  unjustifiedUses: readonly { id: string; userId: string; usedAt: number; method: string }[];
}

/** One incident: its id (stable across scans) and its Graph fields. */
export interface AlertIncident {
  id: string;
  fields: Record<string, string | number | null>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function context(s: AlertSnapshot) {
  const role = new Map(s.roles.map((r) => [r.id, r]));
  const privileged = (roleId: string) => role.get(roleId)?.isPrivileged === true;
  const assignee = (principalId: string) => {
    const p = s.principals.get(principalId);
    return {
      assigneeId: principalId,
      assigneeDisplayName: p?.displayName ?? null,
      assigneeUserPrincipalName: p?.userPrincipalName ?? null,
    };
  };
  const roleFields = (roleId: string) => ({
    roleDefinitionId: roleId,
    roleDisplayName: role.get(roleId)?.displayName ?? null,
    roleTemplateId: role.get(roleId)?.templateId ?? roleId,
  });
  return { privileged, assignee, roleFields };
}

const byId = (a: AlertIncident, b: AlertIncident) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Too many Global Administrators: more holders (eligible or active, counted once each) than
 * `globalAdminCountThreshold`, and a share of everyone holding or eligible for any role above
 * `percentageOfGlobalAdminsOutOfRolesThreshold`. Both must be exceeded. One incident per holder.
 */
export function tooManyGlobalAdmins(s: AlertSnapshot, settings: AlertSettings): AlertIncident[] {
  const { assignee } = context(s);
  const holders = new Set(
    s.schedules.filter((x) => x.roleDefinitionId === GLOBAL_ADMINISTRATOR).map((x) => x.principalId),
  );
  const count = Number(settings.globalAdminCountThreshold);
  const percentage = Number(settings.percentageOfGlobalAdminsOutOfRolesThreshold);
  if (!(holders.size > count)) return [];
  if (s.holderCount === null)
    throw new Error('holders were not counted although the count threshold is exceeded');
  const share = s.holderCount === 0 ? 0 : (holders.size * 100) / s.holderCount;
  if (!(holders.size > count && share > percentage)) return [];
  return [...holders].map((id) => ({ id, fields: assignee(id) })).sort(byId);
}

/** Privileged roles held through a direct role assignment. One incident per assignment. */
export function rolesAssignedOutsidePim(s: AlertSnapshot): AlertIncident[] {
  const { privileged, assignee, roleFields } = context(s);
  return s.schedules
    .filter((x) => x.kind === 'assignment' && x.origin === 'direct' && privileged(x.roleDefinitionId))
    .map((x) => ({
      id: x.id,
      fields: {
        ...assignee(x.principalId),
        assignmentCreatedDateTime: iso(x.createdAt),
        ...roleFields(x.roleDefinitionId),
      },
    }))
    .sort(byId);
}

/** True when activating the role asks for MFA, directly or through an authentication context. */
export function requiresMfaOnActivation(rules: readonly PolicyRule[]): boolean {
  const enablement = findRule(rules, 'Enablement_EndUser_Assignment');
  const authContext = findRule(rules, 'AuthenticationContext_EndUser_Assignment');
  return (
    enablement?.enabledRules.includes('MultiFactorAuthentication') === true || authContext?.isEnabled === true
  );
}

/** Privileged roles whose activation asks for no MFA. One incident per role. */
export function noMfaOnRoleActivation(s: AlertSnapshot): AlertIncident[] {
  const { roleFields } = context(s);
  return s.roles
    .filter((r) => r.isPrivileged && !requiresMfaOnActivation(s.policies.get(r.id) ?? []))
    .map((r) => {
      const { roleTemplateId, roleDisplayName } = roleFields(r.id);
      return { id: r.id, fields: { roleTemplateId, roleDisplayName } };
    })
    .sort(byId);
}

/**
 * Eligibilities of privileged roles older than `duration` whose principal has not activated the
 * role within `duration`. One incident per eligibility.
 */
export function redundantAssignments(s: AlertSnapshot, settings: AlertSettings): AlertIncident[] {
  const { privileged, assignee, roleFields } = context(s);
  const durationMs = parseDuration(String(settings.duration), 'duration');
  const since = s.now - durationMs;
  const last = new Map<string, number>();
  for (const a of s.activations) {
    const key = `${a.principalId}|${a.roleDefinitionId}`;
    if ((last.get(key) ?? -Infinity) < a.at) last.set(key, a.at);
  }
  return s.schedules
    .filter((x) => x.kind === 'eligibility' && privileged(x.roleDefinitionId) && x.start <= since)
    .flatMap((x) => {
      const lastActivation = last.get(`${x.principalId}|${x.roleDefinitionId}`);
      if (lastActivation !== undefined && lastActivation > since) return [];
      return [
        {
          id: x.id,
          fields: {
            ...assignee(x.principalId),
            lastActivationDateTime: lastActivation === undefined ? null : iso(lastActivation),
            ...roleFields(x.roleDefinitionId),
          },
        },
      ];
    })
    .sort(byId);
}

/**
 * Users holding or eligible for a privileged role (PIM or direct) who have not signed in within
 * `duration`: their last sign-in, or, if they never signed in, their account's creation, is at
 * least `duration` old. One incident per schedule.
 */
export function staleSignIns(s: AlertSnapshot, settings: AlertSettings): AlertIncident[] {
  const { privileged, assignee, roleFields } = context(s);
  const since = s.now - parseDuration(String(settings.duration), 'duration');
  return s.schedules
    .filter((x) => privileged(x.roleDefinitionId))
    .flatMap((x) => {
      const p = s.principals.get(x.principalId);
      if (p?.type !== 'user') return [];
      const seen = p.lastSignInAt ?? p.createdAt;
      if (seen === null || seen > since) return [];
      return [
        {
          id: x.id,
          fields: {
            ...assignee(x.principalId),
            assignmentCreatedDateTime: iso(x.createdAt),
            lastSignInDateTime: p.lastSignInAt === null ? null : iso(p.lastSignInAt),
            ...roleFields(x.roleDefinitionId),
          },
        },
      ];
    })
    .sort(byId);
}

/**
 * Runs of activations of one role by one principal, each within `timeIntervalBetweenActivations`
 * of the previous one, in the last 30 days; a run of at least `sequentialActivationCounterThreshold`
 * is an incident (the longest run of each principal and role, the latest on a tie).
 */
export function sequentialActivations(s: AlertSnapshot, settings: AlertSettings): AlertIncident[] {
  const { privileged, assignee, roleFields } = context(s);
  const gapMs = parseDuration(
    String(settings.timeIntervalBetweenActivations),
    'timeIntervalBetweenActivations',
  );
  const threshold = Number(settings.sequentialActivationCounterThreshold);
  const groups = new Map<string, ActivationFact[]>();
  for (const a of s.activations) {
    if (a.at < s.now - SEQUENCE_LOOKBACK_MS || a.at > s.now || !privileged(a.roleDefinitionId)) continue;
    const key = `${a.principalId}|${a.roleDefinitionId}`;
    const list = groups.get(key);
    if (list) list.push(a);
    else groups.set(key, [a]);
  }
  const out: AlertIncident[] = [];
  for (const list of groups.values()) {
    const times = list.map((a) => a.at).sort((x, y) => x - y);
    let best = { start: times[0]!, end: times[0]!, count: 1 };
    let run = { ...best };
    for (const t of times.slice(1)) {
      run =
        t - run.end <= gapMs
          ? { start: run.start, end: t, count: run.count + 1 }
          : { start: t, end: t, count: 1 };
      if (run.count >= best.count) best = { ...run };
    }
    if (best.count < threshold) continue;
    const { principalId, roleDefinitionId } = list[0]!;
    out.push({
      id: `${principalId}_${roleDefinitionId}`,
      fields: {
        ...assignee(principalId),
        activationCount: best.count,
        sequenceStartDateTime: iso(best.start),
        sequenceEndDateTime: iso(best.end),
        ...roleFields(roleDefinitionId),
      },
    });
  }
  return out.sort(byId);
}

/**
 * A break-glass account was used and has not justified the use yet: one incident per use (its id),
 * open until the account justifies it (or is unmarked).
 */
export function breakGlassUsed(s: AlertSnapshot): AlertIncident[] {
  const { assignee } = context(s);
  return s.breakGlass.unjustifiedUses
    .map((u) => ({
      id: u.id,
      fields: { ...assignee(u.userId), useDateTime: iso(u.usedAt), useMethod: u.method },
    }))
    .sort(byId);
}

/**
 * A break-glass account whose last test (a use it declared a test) is older than `duration`;
 * an account never tested counts from when it was marked. One incident per account (its user id).
 */
export function breakGlassTestOverdue(s: AlertSnapshot, settings: AlertSettings): AlertIncident[] {
  const { assignee } = context(s);
  const limit = parseDuration(String(settings.duration), 'duration');
  return s.breakGlass.accounts
    .filter((a) => s.now - (a.lastTestedAt ?? a.createdAt) > limit)
    .map((a) => ({
      id: a.userId,
      fields: {
        ...assignee(a.userId),
        lastTestedDateTime: a.lastTestedAt === null ? null : iso(a.lastTestedAt),
        breakGlassSinceDateTime: iso(a.createdAt),
      },
    }))
    .sort(byId);
}

/** Each alert's detector, declared once. */
export const DETECTORS: Readonly<
  Record<AlertName, (s: AlertSnapshot, settings: AlertSettings) => AlertIncident[]>
> = {
  TooManyGlobalAdminsAssignedToTenantAlert: tooManyGlobalAdmins,
  RolesAssignedOutsidePimAlert: rolesAssignedOutsidePim,
  NoMfaOnRoleActivationAlert: noMfaOnRoleActivation,
  RedundantAssignmentAlert: redundantAssignments,
  SequentialActivationRenewalsAlert: sequentialActivations,
  StaleSignInAlert: staleSignIns,
  BreakGlassAccountUsedAlert: breakGlassUsed,
  BreakGlassAccountTestOverdueAlert: breakGlassTestOverdue,
};
