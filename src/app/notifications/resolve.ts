import type { PublishedEvent, Trigger } from '../../domain/notifications/classify.js';
import { notificationEventId } from '../../domain/notifications/delivery.js';
import {
  linksFor,
  type NamedPrincipal,
  type NotificationData,
  type NotificationEvent,
} from '../../domain/notifications/notification.js';
import type { ApprovalStep } from '../../domain/pim/approval.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import { loadPrincipal, type PrincipalRef } from '../pim/principals.js';
import type { Stores } from '../ports.js';

/** A notification with everything the channels need to plan its deliveries. */
export interface Resolved {
  event: NotificationEvent;
  rules: PolicyRule[];
  principal: { id: string; type: 'user' | 'group' | 'servicePrincipal' | null };
  approverSteps: ApprovalStep[];
  /** Approvers not to write to (those who already decided, for a reminder). */
  exceptApprovers: string[];
}

const iso = (ms: number | null | undefined): string | null =>
  ms == null ? null : new Date(ms).toISOString();

const named = (p: PrincipalRef | undefined, id: string): NamedPrincipal => ({
  id,
  type: p?.type ?? null,
  displayName: p?.displayName ?? null,
  userPrincipalName: p?.userPrincipalName ?? null,
});

/** Events an approver made happen: the decided stage's reviewer is their actor. */
const DECIDED = new Set(['activation.approved', 'activation.denied', 'activation.failed']);
/** Events time made happen: no actor. */
const BY_TIME = new Set([
  'activation.timedOut',
  'activation.reminder',
  'activation.escalated',
  'eligibility.expired',
  'assignment.expired',
  'activation.endingSoon',
  'eligibility.expiringSoon',
  'assignment.expiringSoon',
]);
/** Events asking approvers to decide: they name the waiting stage and its deadline. */
const ASKING = new Set(['activation.requested', 'activation.reminder', 'activation.escalated']);
/** Events about one waiting stage, named by the event (1-based). */
const ABOUT_STAGE = new Set(['activation.reminder', 'activation.escalated']);

/** The stages an event is about: the one waiting (requested) or every started one (decisions). */
function stagesOf(t: Trigger, steps: readonly ApprovalStep[]): ApprovalStep[] | undefined {
  const started = steps.filter((s) => s.status !== 'NotStarted');
  if (ABOUT_STAGE.has(t.eventType)) {
    const named = started.filter((s) => s.stageIndex === (t.stage ?? 1) - 1);
    return named.length > 0 ? named : undefined;
  }
  if (t.eventType !== 'activation.requested') return started;
  if (!t.nextStage) return steps.filter((s) => s.stageIndex === 0);
  // Stage `t.stage` (1-based) was approved: the stage after it started then, unless it was the
  // last one (then `activation.approved` follows from the completion event instead).
  const next = steps.filter((s) => s.stageIndex === t.stage && s.status !== 'NotStarted');
  return next.length > 0 ? next : undefined;
}

/**
 * A trigger as a notification: names and the request's justification and ticket read now, in the
 * fan-out's transaction, the window and status as the event recorded them. Undefined when there is
 * nothing to say (a stage approval after which no stage started).
 */
export async function resolveNotification(
  tx: Stores,
  message: PublishedEvent,
  t: Trigger,
  publicUrl: string,
): Promise<Resolved | undefined> {
  const tenantId = message.tenantId;
  const request: ScheduleRequest | undefined =
    t.requestId === null ? undefined : await tx.scheduleRequests.get(tenantId, t.kind, t.requestId);
  const steps = request?.approvalId ? await tx.approvalSteps.list(tenantId, request.id) : [];
  const stages = stagesOf(t, steps);
  if (stages === undefined) return undefined;

  const role = await tx.roleDefinitions.get(tenantId, t.roleDefinitionId);
  const principal = await loadPrincipal(tx, tenantId, t.principalId, t.principalType ?? undefined);
  const directoryScopeId = t.directoryScopeId ?? request?.directoryScopeId ?? '/';
  const rules = (await tx.policies.forRole(tenantId, 'DirectoryRole', '/', t.roleDefinitionId))?.rules ?? [];

  const decided = [...stages].reverse().find((s) => s.reviewedById !== null);
  const actor = await actorOf(tx, tenantId, t, request, decided);
  const stage = ASKING.has(t.eventType) ? stages[0] : (decided ?? stages.at(-1));
  const approvalId = request?.approvalId ?? null;
  const eventId = notificationEventId(message.id, t.eventType);
  const data: NotificationData = {
    eventId,
    tenantId,
    occurredDateTime: new Date(message.occurredAt).toISOString(),
    role: { id: t.roleDefinitionId, displayName: role?.displayName ?? null },
    directoryScopeId,
    principal: named(principal, t.principalId),
    actor,
    request:
      request === undefined
        ? null
        : {
            id: request.id,
            action: request.action,
            status: t.status,
            justification: request.justification,
            ticketNumber: request.ticketInfo.ticketNumber,
            ticketSystem: request.ticketInfo.ticketSystem,
          },
    startDateTime: iso(t.start),
    endDateTime: iso(t.end),
    schedule:
      t.schedule === null
        ? null
        : { id: t.schedule.id, startDateTime: iso(t.schedule.start), endDateTime: iso(t.schedule.end) },
    approval:
      approvalId === null
        ? null
        : {
            id: approvalId,
            stage: stage === undefined ? null : stage.stageIndex + 1,
            approverJustification: DECIDED.has(t.eventType) ? (decided?.justification ?? null) : null,
            deadlineDateTime: ASKING.has(t.eventType) ? iso(stage?.deadlineAt) : null,
          },
    reason: t.reason,
    links: linksFor(publicUrl, t.kind, {
      requestId: request?.id ?? null,
      approvalId,
      scheduleId: t.schedule?.id ?? null,
      direct: t.direct,
    }),
  };
  return {
    event: { type: t.eventType, data },
    rules,
    principal: { id: t.principalId, type: principal?.type ?? t.principalType },
    approverSteps: stages.map((s) => approversFor(t, s, message.occurredAt)),
    exceptApprovers:
      t.eventType === 'activation.reminder'
        ? stages.flatMap((s) => s.decisions.map((d) => d.approverId))
        : [],
  };
}

/**
 * Whose approvers hear of an event about a stage: an escalation goes to the escalation approvers
 * alone; anything after the escalation to the primary and the escalation approvers; else the
 * primary ones (or, when the stage names none, the default approvers).
 */
function approversFor(t: Trigger, s: ApprovalStep, at: number): ApprovalStep {
  if (t.eventType === 'activation.escalated') return { ...s, approvers: s.escalationApprovers };
  const escalated = s.escalationAt !== null && s.escalationAt <= at && s.approvers.length > 0;
  return escalated ? { ...s, approvers: [...s.approvers, ...s.escalationApprovers] } : s;
}

/** Who made it happen: the approver who decided, the request's creator, or nobody (time, unknown). */
async function actorOf(
  tx: Stores,
  tenantId: string,
  t: Trigger,
  request: ScheduleRequest | undefined,
  decided: ApprovalStep | undefined,
): Promise<NamedPrincipal | null> {
  if (BY_TIME.has(t.eventType) || (t.eventType === 'activation.ended' && t.reason !== 'deactivated'))
    return null;
  const viaApproval =
    DECIDED.has(t.eventType) || (t.eventType === 'activation.activated' && request?.approvalId);
  if (viaApproval) {
    if (decided?.reviewedById == null) return null;
    return named(await loadPrincipal(tx, tenantId, decided.reviewedById, 'user'), decided.reviewedById);
  }
  if (request === undefined) return null;
  const type = request.createdBy.kind === 'user' ? 'user' : 'servicePrincipal';
  return named(await loadPrincipal(tx, tenantId, request.createdBy.id, type), request.createdBy.id);
}
