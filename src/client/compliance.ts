import type { AuthenticationContext, ContextRequirement } from '../domain/authn/authentication-context.js';
import {
  CRITICAL_ROLE_IDS,
  evaluateChecklist,
  type ChecklistItem,
  type ComplianceSnapshot,
  type ControlRefs,
  type RoleFact,
  type ScheduleFact,
} from '../domain/compliance/checklist.js';
import { evaluateGlobalAdministratorCount } from '../domain/compliance/global-administrators.js';
import { findRule, type PolicyRule } from '../domain/policy/types.js';
import { ClientError, EXIT } from './exit-codes.js';
import { query, type Graph } from './graph.js';

/**
 * The compliance report computed on the client from Microsoft Graph reads only (`elevate
 * compliance`), so it runs against a real Entra tenant as against Elevate. It reuses the pure
 * checklist of src/domain/compliance/ over a snapshot built from Graph; a check whose data Graph
 * cannot supply is reported as `notEvaluated` with the reason, never as a pass
 * (docs/compliance-report.md, "From the CLI, over Graph").
 */

export type ClientCheckStatus = 'pass' | 'fail' | 'notEvaluated';

export interface ClientCheck {
  id: string;
  title: string;
  status: ClientCheckStatus;
  summary: string;
  /** Why the check was not evaluated; null when it was. */
  reason: string | null;
  evidence: Record<string, unknown>;
  controls: ControlRefs;
}

export interface ClientComplianceReport {
  server: string;
  tenantId: string | null;
  generatedDateTime: string;
  /** The break-glass accounts named with `--break-glass` (Graph does not mark them). */
  breakGlassPrincipalIds: string[];
  /**
   * `isPrivileged`: the roles Graph labels privileged; `criticalRoles`: Graph gave no label, so
   * only the four critical roles were checked.
   */
  privilegedRolesFrom: 'isPrivileged' | 'criticalRoles';
  privilegedRoleCount: number;
  summary: { passed: number; failed: number; notEvaluated: number; total: number };
  items: ClientCheck[];
}

/** Checks whose data Graph cannot supply, or that this report does not read yet: why, per check. */
export const NOT_EVALUATED: Readonly<Record<string, string>> = {
  breakGlassAccountsMonitored:
    'Graph does not say which accounts are break-glass accounts nor whether their sign-ins are monitored (Elevate keeps this in its own extension; in Entra it is an Azure Monitor alert).',
  notificationsConfigured:
    "Whether a notification reaches administrators depends on the mail channel and its deliveries, which Graph does not expose (Elevate's notification channels are server configuration).",
  accessReviewsQuarterly:
    'The client report does not read access review definitions yet: use `elevate report compliance` on an Elevate server.',
  accessReviewsAutoApply:
    'The client report does not read access review definitions yet: use `elevate report compliance` on an Elevate server.',
  alertsEnabled:
    'The client report does not read PIM alerts yet (beta API): use `elevate report compliance` on an Elevate server.',
  auditForwardedToSiem:
    'Audit log forwarding is not in Graph (Entra: diagnostic settings in Azure Resource Manager; Elevate: server configuration).',
};

const CONTEXT_UNKNOWN =
  'A role names an authentication context whose requirement Graph does not state (in Entra it is the Conditional Access policy behind the context, which this report does not read).';

const DIRECTORY = '/v1.0/roleManagement/directory';

interface GraphRoleDefinition {
  id: string;
  displayName: string;
  isPrivileged?: boolean;
}

interface GraphSchedule {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string | null;
  assignmentType?: string | null;
  memberType?: string | null;
  scheduleInfo: {
    startDateTime: string | null;
    expiration?: { endDateTime?: string | null } | null;
  } | null;
  principal?: { '@odata.type'?: string } | null;
}

interface GraphRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string | null;
  principal?: { '@odata.type'?: string } | null;
}

interface GraphContext {
  id: string;
  displayName?: string | null;
  isAvailable?: boolean;
  /** Elevate's extension; Entra has none (its Conditional Access policies say what a context takes). */
  elevateRequirement?: ContextRequirement;
}

const typeOf = (p: { '@odata.type'?: string } | null | undefined): string =>
  p?.['@odata.type']?.replace('#microsoft.graph.', '') ?? 'unknown';

const time = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

function scheduleFact(s: GraphSchedule, origin: string): ScheduleFact {
  return {
    id: s.id,
    principalId: s.principalId,
    principalType: typeOf(s.principal),
    roleDefinitionId: s.roleDefinitionId,
    directoryScopeId: s.directoryScopeId ?? '/',
    origin,
    assignmentType: s.assignmentType ?? null,
    start: time(s.scheduleInfo?.startDateTime) ?? 0,
    end: time(s.scheduleInfo?.expiration?.endDateTime),
  };
}

/** The privileged role definitions (Entra's `isPrivileged`), or the critical ones when Graph has no label. */
async function privilegedRoles(graph: Graph): Promise<{ roles: RoleFact[]; labelled: boolean }> {
  const all = await graph.list<GraphRoleDefinition>(
    `${DIRECTORY}/roleDefinitions`,
    'read the role definitions',
  );
  const labelled = all.some((r) => typeof r.isPrivileged === 'boolean');
  const keep = labelled
    ? all.filter((r) => r.isPrivileged === true)
    : all.filter((r) => CRITICAL_ROLE_IDS.includes(r.id));
  return { roles: keep.map((r) => ({ id: r.id, displayName: r.displayName })), labelled };
}

/** Each privileged role's tenant-scope policy rules, in one read with the policies expanded. */
async function tenantPolicies(
  graph: Graph,
  roleIds: ReadonlySet<string>,
): Promise<Map<string, PolicyRule[]>> {
  const assignments = await graph.list<{ roleDefinitionId: string; policy?: { rules?: PolicyRule[] } }>(
    `/v1.0/policies/roleManagementPolicyAssignments${query({
      $filter: "scopeId eq '/' and scopeType eq 'DirectoryRole'",
      $expand: 'policy($expand=rules)',
    })}`,
    'read the role settings',
  );
  const out = new Map<string, PolicyRule[]>();
  for (const a of assignments) {
    if (roleIds.has(a.roleDefinitionId)) out.set(a.roleDefinitionId, a.policy?.rules ?? []);
  }
  return out;
}

/**
 * Current and future schedules of privileged roles. Standing role assignments that no schedule
 * covers (made outside PIM) count as permanent active assignments, as the server's report counts
 * direct ones.
 */
async function schedules(graph: Graph, privileged: ReadonlySet<string>, now: number) {
  const current = (f: ScheduleFact) => privileged.has(f.roleDefinitionId) && (f.end === null || f.end > now);
  const expand = query({ $expand: 'principal' });
  const assignments = (
    await graph.list<GraphSchedule>(
      `${DIRECTORY}/roleAssignmentSchedules${expand}`,
      'read the active assignments',
    )
  )
    .map((s) => scheduleFact(s, 'pim'))
    .filter(current);
  const eligibilities = (
    await graph.list<GraphSchedule>(
      `${DIRECTORY}/roleEligibilitySchedules${expand}`,
      'read the eligibilities',
    )
  )
    .map((s) => scheduleFact(s, 'pim'))
    .filter(current);
  const key = (x: { principalId: string; roleDefinitionId: string; directoryScopeId: string | null }) =>
    `${x.principalId}|${x.roleDefinitionId}|${x.directoryScopeId ?? '/'}`;
  const covered = new Set(assignments.map(key));
  const standing = await graph.list<GraphRoleAssignment>(
    // No `$expand=principal`: Elevate does not offer it on this set (Entra does); the type stays unknown.
    `${DIRECTORY}/roleAssignments`,
    'read the role assignments',
  );
  for (const a of standing) {
    if (!privileged.has(a.roleDefinitionId) || covered.has(key(a))) continue;
    covered.add(key(a));
    assignments.push({
      id: a.id,
      principalId: a.principalId,
      principalType: typeOf(a.principal),
      roleDefinitionId: a.roleDefinitionId,
      directoryScopeId: a.directoryScopeId ?? '/',
      origin: 'direct',
      assignmentType: 'Assigned',
      start: 0,
      end: null,
    });
  }
  return { assignments, eligibilities };
}

/**
 * The tenant's authentication contexts; those whose requirement Graph states (Elevate's
 * extension) go to the checklist, the others are only named, for the "not evaluated" verdicts.
 * A caller without the permission to read them gets the same treatment: unknown, not absent.
 */
async function contexts(
  graph: Graph,
): Promise<{ known: AuthenticationContext[]; unknownIds: string[] | null }> {
  let all: GraphContext[];
  try {
    all = await graph.list<GraphContext>(
      '/v1.0/identity/conditionalAccess/authenticationContextClassReferences',
      'read the authentication contexts',
    );
  } catch (error) {
    if (error instanceof ClientError && error.exitCode === EXIT.refused)
      return { known: [], unknownIds: null };
    throw error;
  }
  const known = all
    .filter((c) => c.elevateRequirement !== undefined)
    .map((c) => ({
      tenantId: '',
      id: c.id,
      displayName: c.displayName ?? c.id,
      description: null,
      isAvailable: c.isAvailable === true,
      requirement: c.elevateRequirement as ContextRequirement,
      createdAt: 0,
      modifiedAt: 0,
      version: 0,
    }));
  return { known, unknownIds: all.filter((c) => c.elevateRequirement === undefined).map((c) => c.id) };
}

/** Reads what the checklist needs from Graph, at one instant (as far as a client can). */
export async function graphSnapshot(
  graph: Graph,
  now: number,
  breakGlassIds: readonly string[],
): Promise<{ snapshot: ComplianceSnapshot; labelled: boolean; unknownContextIds: string[] | null }> {
  const { roles, labelled } = await privilegedRoles(graph);
  const privileged = new Set(roles.map((r) => r.id));
  const policies = await tenantPolicies(graph, privileged);
  const { assignments, eligibilities } = await schedules(graph, privileged, now);
  const { known, unknownIds } = await contexts(graph);
  const tid = graph.claims().tid;
  return {
    labelled,
    unknownContextIds: unknownIds,
    snapshot: {
      tenantId: typeof tid === 'string' ? tid : '',
      generatedAt: now,
      privilegedRoles: roles,
      policies,
      authenticationContexts: known,
      assignments,
      eligibilities,
      breakGlass: {
        groupId: null,
        groupExists: false,
        // Named by the caller: exempt from "no permanent assignments"; nothing else is known of them.
        members: breakGlassIds.map((id) => ({ id, userPrincipalName: '', accountEnabled: true })),
        accounts: [],
      },
      forwarding: { destinations: [], cursors: [], headSeq: 0 },
      notifications: {
        emailEnabled: false,
        adminMailboxes: 0,
        adminWebhooks: 0,
        recent: { sent: 0, dead: 0 },
      },
      accessReviews: [],
      alerts: [],
    },
  };
}

/** The roles among `roleIds` whose context rule names a context the report cannot judge. */
function relyOnUnknownContext(
  snapshot: ComplianceSnapshot,
  roleIds: readonly string[],
  unknownIds: readonly string[] | null,
): string[] {
  return roleIds.filter((roleId) => {
    const rule = findRule(snapshot.policies.get(roleId) ?? [], 'AuthenticationContext_EndUser_Assignment');
    if (rule?.isEnabled !== true || rule.claimValue === null) return false;
    const known = snapshot.authenticationContexts.some((c) => c.id === rule.claimValue);
    return !known && (unknownIds === null || unknownIds.includes(rule.claimValue));
  });
}

const notEvaluated = (item: ChecklistItem, reason: string): ClientCheck => ({
  id: item.id,
  title: item.title,
  status: 'notEvaluated',
  summary: `Not evaluated: ${reason}`,
  reason,
  evidence: {},
  controls: item.controls,
});

/**
 * The verdicts over a snapshot read from Graph: the checklist's, except where the data behind a
 * verdict did not come from Graph; then the check is `notEvaluated`, with the reason.
 */
export function clientChecklist(
  snapshot: ComplianceSnapshot,
  unknownContextIds: readonly string[] | null,
): ClientCheck[] {
  const items = evaluateChecklist(snapshot).map((item): ClientCheck => {
    const reason = NOT_EVALUATED[item.id];
    if (reason !== undefined) return notEvaluated(item, reason);
    if (item.id === 'mfaOnActivation' && item.status === 'fail') {
      // A role failing only because its context cannot be judged is not known to fail.
      const failing = (item.evidence.rolesWithoutMfa as RoleFact[]).map((r) => r.id);
      const unsure = relyOnUnknownContext(snapshot, failing, unknownContextIds);
      if (unsure.length > 0) return notEvaluated(item, CONTEXT_UNKNOWN);
    }
    if (item.id === 'phishingResistantMfaForCriticalRoles' && item.status === 'fail') {
      const lacking = (item.evidence.criticalRolesLacking as { roleDefinitionId: string }[]).map(
        (r) => r.roleDefinitionId,
      );
      if (relyOnUnknownContext(snapshot, lacking, unknownContextIds).length > 0)
        return notEvaluated(item, CONTEXT_UNKNOWN);
    }
    return { ...item, reason: null };
  });
  return [
    ...items,
    { ...evaluateGlobalAdministratorCount(snapshot.assignments, snapshot.eligibilities), reason: null },
  ];
}

/** The whole report: read, evaluate, count. */
export async function clientComplianceReport(
  graph: Graph,
  now: number,
  breakGlassIds: readonly string[],
): Promise<ClientComplianceReport> {
  const { snapshot, labelled, unknownContextIds } = await graphSnapshot(graph, now, breakGlassIds);
  const items = clientChecklist(snapshot, unknownContextIds);
  const count = (status: ClientCheckStatus) => items.filter((i) => i.status === status).length;
  return {
    server: graph.server,
    tenantId: snapshot.tenantId === '' ? null : snapshot.tenantId,
    generatedDateTime: new Date(now).toISOString(),
    breakGlassPrincipalIds: [...breakGlassIds],
    privilegedRolesFrom: labelled ? 'isPrivileged' : 'criticalRoles',
    privilegedRoleCount: snapshot.privilegedRoles.length,
    summary: {
      passed: count('pass'),
      failed: count('fail'),
      notEvaluated: count('notEvaluated'),
      total: items.length,
    },
    items,
  };
}
