import type { ExportCursorStore } from '../audit-export/ports.js';
import type { AuditLog } from '../audit/audit-log.js';
import { publicationReport, type AuditPublicationReport } from '../audit/publication-report.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { emailOf } from '../notifications/people.js';
import { PIM_ADMIN_ROLES } from '../../domain/pim/permissions.js';
import {
  ADMIN_WEBHOOK_EVENT_TYPES,
  evaluateChecklist,
  REVIEW_QUARTER_MS,
  type ReviewFact,
  type ChecklistItem,
  type ComplianceSnapshot,
  type ScheduleFact,
  type BreakGlassAccountFact,
} from '../../domain/compliance/checklist.js';
import type { Schedule } from '../../domain/pim/schedule.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import type { Clock } from '../../domain/time/clock.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { COMPLIANCE_RULES } from '../../domain/compliance/permissions.js';
import { ALERT_DEFINITIONS, alertId } from '../../domain/alerts/definitions.js';
import { tenantAlerts } from '../alerts/scan.js';
import { occurrenceStart, shortestPeriodDays } from '../../domain/access-reviews/recurrence.js';

/** Bound on the rows one report reads per collection; a larger tenant is reported as truncated. */
const MAX_ROWS = 50_000;
const all: CollectionQuery = { expand: [], orderBy: [], top: MAX_ROWS, skip: 0, count: false };

export interface ComplianceReport {
  format: 'elevate.compliance.v1';
  tenantId: string;
  generatedAt: string;
  /** The audit chain as verified for this report: its head hash is what the report vouches for. */
  auditChain:
    | { verified: true; entries: number; headHash: string; checkpoints: number }
    | { verified: false; firstBadSeq: number; reason: string; message: string };
  /**
   * What the database records about publishing the audit checkpoints outside it; null when the
   * report was made without access to that record.
   */
  auditPublication: AuditPublicationReport | null;
  summary: { passed: number; failed: number; total: number };
  items: ChecklistItem[];
  /** True when a collection had more rows than one report reads. */
  truncated: boolean;
}

const fact = (s: Schedule): ScheduleFact => ({
  id: s.id,
  principalId: s.principalId,
  principalType: s.principalType,
  roleDefinitionId: s.roleDefinitionId,
  directoryScopeId: s.directoryScopeId,
  origin: s.origin,
  assignmentType: s.assignmentType,
  start: s.window.start,
  end: s.window.end,
});

const WEEK_MS = 7 * 24 * 3_600_000;

/** What could notify administrators now (enabled channels, reachable mailboxes), and last week's outcome. */
async function notificationFacts(
  tx: Stores,
  tenantId: string,
  now: number,
): Promise<ComplianceSnapshot['notifications']> {
  const email = await tx.notificationChannels.email(tenantId);
  const holders = await tx.notificationDirectory.roleHolders(tenantId, PIM_ADMIN_ROLES, now);
  const mailboxes = await tx.notificationDirectory.mailboxes(tenantId, [...new Set(holders)]);
  const hooks = await tx.notificationChannels.enabledWebhooks(tenantId);
  const receivesAdminEvents = (types: readonly string[]) =>
    types.length === 0 || ADMIN_WEBHOOK_EVENT_TYPES.every((t) => types.includes(t));
  return {
    emailEnabled: email?.isEnabled === true,
    adminMailboxes: mailboxes.filter((m) => emailOf(m) !== null).length,
    adminWebhooks: hooks.filter((h) => receivesAdminEvents(h.eventTypes)).length,
    recent: await tx.notificationDeliveries.outcomesSince(tenantId, now - WEEK_MS),
  };
}

/** Access review definitions as the checklist reads them, with their last quarter's instances. */
async function reviewFacts(tx: Stores, tenantId: string, now: number): Promise<ReviewFact[]> {
  const out: ReviewFact[] = [];
  for (const d of await tx.reviewDefinitions.list(tenantId)) {
    const { pattern, range } = d.settings.recurrence;
    const instances = await tx.reviewInstances.listByDefinition(tenantId, d.id);
    const ended =
      pattern === null ||
      (range.type === 'endDate' && range.endDate !== null && range.endDate <= now) ||
      (range.type === 'numbered' &&
        occurrenceStart(range.startDate, pattern, range.numberOfOccurrences - 1) <= now);
    out.push({
      id: d.id,
      displayName: d.displayName,
      roleIds: [...new Set(d.scope.roles.map((r) => r.roleDefinitionId))],
      periodDays: pattern === null ? null : shortestPeriodDays(pattern),
      ended,
      autoApplyDecisionsEnabled: d.settings.autoApplyDecisionsEnabled,
      recentInstances: instances
        .filter((i) => i.startAt <= now && i.startAt > now - REVIEW_QUARTER_MS)
        .map((i) => ({ id: i.id, startAt: i.startAt })),
    });
  }
  return out;
}

/** Uses listed per break-glass account in the report (newest first); unjustified ones are all counted. */
const BREAK_GLASS_USES_LISTED = 20;

/** Marked break-glass accounts with their last use, last test, and whether each use was justified. */
async function breakGlassFacts(tx: Stores, tenantId: string): Promise<BreakGlassAccountFact[]> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const usage = await tx.breakGlass.usage(tenantId);
  const out: BreakGlassAccountFact[] = [];
  for (const a of await tx.breakGlass.list(tenantId)) {
    const user = await tx.users.get(tenantId, a.userId);
    const u = usage.get(a.userId);
    const uses = await tx.breakGlass.uses(tenantId, a.userId, BREAK_GLASS_USES_LISTED);
    out.push({
      id: a.userId,
      userPrincipalName: user?.userPrincipalName ?? null,
      accountEnabled: user?.accountEnabled ?? false,
      lastUsedDateTime: iso(u?.lastUsedAt ?? null),
      lastTestedDateTime: iso(a.lastTestedAt),
      uses: uses.map((x) => ({
        id: x.id,
        usedDateTime: new Date(x.usedAt).toISOString(),
        method: x.method,
        justified: x.justifiedAt !== null,
        isTest: x.isTest,
      })),
      unjustifiedUseIds: (u?.unjustified ?? []).map((x) => x.id),
    });
  }
  return out;
}

/**
 * The compliance evidence report (issue 3, item 5): the PIM deployment validation checklist,
 * evaluated over live state at one instant, with the verified head of the audit chain.
 */
export function makeComplianceReport(deps: {
  uow: UnitOfWork;
  clock: Clock;
  audit: Pick<AuditLog, 'verifyTenant' | 'publicationStatus'>;
  cursors: Pick<ExportCursorStore, 'cursors'>;
  /** Configured SIEM destinations (ids and types only). */
  destinations: readonly { id: string; type: string }[];
  /** A role-assignable group whose members are break-glass accounts (config). */
  breakGlassGroupId: string | null;
}) {
  async function snapshot(tx: Stores, tenantId: string, now: number) {
    let truncated = false;
    const roles = await tx.roleDefinitions.list(tenantId, all);
    const privilegedRoles = roles.items
      .filter((r) => r.isPrivileged)
      .map((r) => ({ id: r.id, displayName: r.displayName }));
    const privileged = new Set(privilegedRoles.map((r) => r.id));
    const policies = new Map<string, readonly PolicyRule[]>();
    for (const r of privilegedRoles) {
      const p = await tx.policies.forRole(tenantId, 'DirectoryRole', '/', r.id);
      if (p) policies.set(r.id, p.rules);
    }
    const assignments = await tx.schedules.list(tenantId, 'assignment', all, {}, now);
    const eligibilities = await tx.schedules.list(tenantId, 'eligibility', all, {}, now);
    truncated ||= roles.hasMore || assignments.hasMore || eligibilities.hasMore;
    const groupId = deps.breakGlassGroupId?.toLowerCase() ?? null;
    const group = groupId ? await tx.groups.get(tenantId, groupId) : undefined;
    const members: ComplianceSnapshot['breakGlass']['members'] = [];
    if (group) {
      const page = await tx.groups.members(tenantId, group.id, all);
      truncated ||= page.hasMore;
      for (const m of page.items.filter((x) => x.memberType === 'user')) {
        const u = await tx.users.get(tenantId, m.memberId);
        if (u)
          members.push({
            id: u.id,
            userPrincipalName: u.userPrincipalName,
            accountEnabled: u.accountEnabled,
          });
      }
    }
    const head = await tx.audit.head(tenantId);
    const notifications = await notificationFacts(tx, tenantId, now);
    const alerts = (await tenantAlerts(tx, tenantId)).map((a) => ({
      id: alertId(tenantId, a.name),
      isEnabled: a.isEnabled,
      isActive: a.isActive,
      severityLevel: ALERT_DEFINITIONS[a.name].severityLevel,
      lastScannedAt: a.lastScannedAt,
      incidentIds: a.incidents.map((i) => i.id),
    }));
    return {
      truncated,
      snapshot: {
        tenantId,
        generatedAt: now,
        privilegedRoles,
        policies,
        authenticationContexts: await tx.authenticationContexts.list(tenantId),
        assignments: assignments.items.filter((s) => privileged.has(s.roleDefinitionId)).map(fact),
        eligibilities: eligibilities.items.filter((s) => privileged.has(s.roleDefinitionId)).map(fact),
        breakGlass: {
          groupId,
          groupExists: group !== undefined,
          members,
          accounts: await breakGlassFacts(tx, tenantId),
        },
        forwarding: { destinations: [...deps.destinations], cursors: [], headSeq: head?.seq ?? 0 },
        notifications,
        accessReviews: await reviewFacts(tx, tenantId, now),
        alerts,
      } satisfies ComplianceSnapshot,
    };
  }

  /** The report for one tenant, without an authorization check (the CLI, run by the operator). */
  async function forTenant(tenantId: string): Promise<ComplianceReport> {
    const now = deps.clock.now();
    const { snapshot: s, truncated } = await deps.uow.run((tx) => snapshot(tx, tenantId, now));
    const cursors = (await deps.cursors.cursors()).filter(
      (c) => c.tenantId === tenantId && deps.destinations.some((d) => d.id === c.destinationId),
    );
    const items = evaluateChecklist({ ...s, forwarding: { ...s.forwarding, cursors } });
    const chain = await deps.audit.verifyTenant(tenantId);
    const publication = await deps.audit.publicationStatus(tenantId);
    const passed = items.filter((i) => i.status === 'pass').length;
    return {
      format: 'elevate.compliance.v1',
      tenantId,
      generatedAt: new Date(now).toISOString(),
      auditChain: chain.ok
        ? { verified: true, entries: chain.count, headHash: chain.headHash, checkpoints: chain.checkpoints }
        : { verified: false, firstBadSeq: chain.firstBadSeq, reason: chain.reason, message: chain.message },
      auditPublication: publication ? publicationReport(publication) : null,
      summary: { passed, failed: items.length - passed, total: items.length },
      items,
      truncated,
    };
  }

  return {
    forTenant,
    /** `GET /v1.0/elevate/complianceReport`: the caller's tenant. */
    async report(caller: Caller): Promise<ComplianceReport> {
      await deps.uow.run((tx) => authorize(tx, caller, COMPLIANCE_RULES.read, deps.clock.now()));
      return forTenant(caller.tenantId);
    },
  };
}

export type ComplianceReporter = ReturnType<typeof makeComplianceReport>;
