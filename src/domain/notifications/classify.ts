import type { EndReason, NotificationEventType } from './event-types.js';

/** A published domain event as the notifications consumer reads it (an outbox message). */
export interface PublishedEvent {
  id: string;
  tenantId: string;
  type: string;
  occurredAt: number;
  payload: Record<string, unknown>;
}

/** Whose schedule an event is about: an eligibility, or an active assignment (activations included). */
export type TriggerKind = 'eligibility' | 'assignment';

/**
 * One notification a published event calls for, with the facts its payload carries (ids, status,
 * window). Names, the request's justification and ticket, and the approvers are read live when the
 * notification is fanned out.
 */
export interface Trigger {
  eventType: NotificationEventType;
  kind: TriggerKind;
  principalId: string;
  principalType: 'user' | 'group' | 'servicePrincipal' | null;
  roleDefinitionId: string;
  /** From the schedule when the payload has one; else read from the request (default `/`). */
  directoryScopeId: string | null;
  requestId: string | null;
  action: string | null;
  status: string;
  start: number | null;
  end: number | null;
  schedule: { id: string; start: number | null; end: number | null } | null;
  reason: EndReason | null;
  /**
   * `activation.requested` after a stage was approved: meant for the stage after it, if there is
   * one (stage 2 of `Serial`); the last stage's approval is followed by `activation.approved`.
   */
  nextStage: boolean;
  /** The 1-based approval stage the event names (decisions, timeouts), when it names one. */
  stage: number | null;
  /** A direct (non-PIM) role assignment: `schedule.id` is the `roleAssignments` id. */
  direct: boolean;
}

/** The domain events the consumer reads; the others only move its cursor. */
export const CONSUMED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'pim.requestAccepted',
  'pim.requestCanceled',
  'pim.approvalStepDecided',
  'pim.approvalCompleted',
  'pim.approvalTimedOut',
  'pim.approvalEscalated',
  'pim.approvalReminder',
  'pim.scheduleExpired',
  'pim.scheduleEndingSoon',
  'pim.activationEnded',
  'roles.assignmentCreated',
  'roles.assignmentDeleted',
]);

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const time = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const record = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const principalTypeOf = (v: unknown): Trigger['principalType'] =>
  v === 'user' || v === 'group' || v === 'servicePrincipal' ? v : null;

const GRANTS = new Set(['adminAssign', 'adminRenew']);
const CHANGES = new Set(['adminUpdate', 'adminExtend']);
const GRANTED = new Set(['Provisioned', 'Granted']);

/** What an event's payload says about its subject; undefined when it lacks the ids every trigger needs. */
function facts(p: Record<string, unknown>) {
  const principalId = text(p.principalId);
  const roleDefinitionId = text(p.roleDefinitionId);
  if (principalId === null || roleDefinitionId === null) return undefined;
  const s = record(p.schedule);
  const scheduleId = s === null ? null : text(s.id);
  return {
    kind: p.kind === 'eligibility' ? ('eligibility' as const) : ('assignment' as const),
    principalId,
    principalType: principalTypeOf(p.principalType),
    roleDefinitionId,
    directoryScopeId: text(p.directoryScopeId) ?? (s === null ? null : text(s.directoryScopeId)),
    requestId: text(p.requestId),
    action: text(p.action),
    status: text(p.status) ?? '',
    start: time(p.startDateTime),
    end: time(p.endDateTime),
    schedule:
      s === null || scheduleId === null
        ? null
        : { id: scheduleId, start: time(s.startDateTime), end: time(s.endDateTime) },
    assignmentType: s === null ? null : text(s.assignmentType),
    reason: null,
    nextStage: false,
    stage:
      typeof p.approvalStage === 'number' && Number.isSafeInteger(p.approvalStage) ? p.approvalStage : null,
    direct: false,
  };
}

type Facts = NonNullable<ReturnType<typeof facts>>;

const as = (
  f: Facts,
  eventType: NotificationEventType,
  extra: Partial<Pick<Trigger, 'reason' | 'nextStage' | 'kind'>> = {},
): Trigger => {
  const { assignmentType: _a, ...rest } = f;
  return { ...rest, eventType, ...extra };
};

/** `pim.requestAccepted`: what the accepted request did, by its action and status. */
function accepted(f: Facts): Trigger[] {
  const a = f.action ?? '';
  const kind = f.kind;
  if (GRANTS.has(a) && GRANTED.has(f.status)) return [as(f, `${kind}.granted`)];
  if (CHANGES.has(a) && GRANTED.has(f.status)) return [as(f, `${kind}.updated`)];
  if (a === 'adminRemove') return [as(f, `${kind}.removed`, { reason: 'removed' })];
  if (kind !== 'assignment') return [];
  if (a === 'selfActivate' && f.status === 'PendingApproval') return [as(f, 'activation.requested')];
  if (a === 'selfActivate' && GRANTED.has(f.status)) return [as(f, 'activation.activated')];
  if (a === 'selfDeactivate') return [as(f, 'activation.ended', { reason: 'deactivated' })];
  // selfExtend / selfRenew wait as PendingAdminDecision: an extension point (issue 12, approvals).
  return [];
}

/** A direct (permanent, non-PIM) role assignment, seen as an assignment schedule of its own id. */
const direct = (f: Facts, p: Record<string, unknown>, status: string): Facts => {
  const id = text(p.roleAssignmentId);
  const schedule = id === null ? null : { id, start: null, end: null };
  return { ...f, kind: 'assignment', status, schedule, direct: true };
};

/**
 * The notifications a published domain event calls for (pure; table-tested beside). Most events
 * call for one; an approval that grants calls for two (approved, to the requestor and approvers;
 * activated, to the administrators and the requestor). Events outside {@link CONSUMED_EVENT_TYPES},
 * or whose payload lacks the principal or role, call for none.
 */
export function classify(event: Pick<PublishedEvent, 'type' | 'payload'>): Trigger[] {
  if (!CONSUMED_EVENT_TYPES.has(event.type)) return [];
  const f = facts(event.payload);
  if (f === undefined) return [];
  // Approvals of selfExtend/selfRenew (ADR 0022): only their outcome is announced, as a change.
  if (event.type.startsWith('pim.approval') && (f.action === 'selfExtend' || f.action === 'selfRenew')) {
    return event.type === 'pim.approvalCompleted' && GRANTED.has(f.status)
      ? [as(f, `${f.kind}.updated`)]
      : [];
  }
  switch (event.type) {
    case 'pim.requestAccepted':
      return accepted(f);
    case 'pim.requestCanceled':
      if (f.action === 'selfActivate') return [as(f, 'activation.canceled', { reason: 'canceled' })];
      return f.action?.startsWith('admin') ? [as(f, `${f.kind}.removed`, { reason: 'canceled' })] : [];
    case 'pim.approvalStepDecided':
      if (f.status === 'Denied') return [as(f, 'activation.denied')];
      // A quorum still waits for more approvals: nothing started, nothing to announce.
      if (event.payload.stageCompleted === false) return [];
      return f.status === 'PendingApproval' ? [as(f, 'activation.requested', { nextStage: true })] : [];
    case 'pim.approvalCompleted':
      if (GRANTED.has(f.status)) return [as(f, 'activation.approved'), as(f, 'activation.activated')];
      return f.status === 'Failed' ? [as(f, 'activation.failed')] : [];
    case 'pim.approvalTimedOut':
      return [as(f, 'activation.timedOut')];
    case 'pim.approvalEscalated':
      return [as(f, 'activation.escalated')];
    case 'pim.approvalReminder':
      return [as(f, 'activation.reminder')];
    case 'pim.scheduleExpired':
      if (f.kind === 'eligibility') return [as(f, 'eligibility.expired', { reason: 'expired' })];
      return f.assignmentType === 'Activated'
        ? [as(f, 'activation.ended', { reason: 'expired' })]
        : [as(f, 'assignment.expired', { reason: 'expired' })];
    case 'pim.scheduleEndingSoon':
      if (f.kind === 'eligibility') return [as(f, 'eligibility.expiringSoon')];
      return f.assignmentType === 'Activated'
        ? [as(f, 'activation.endingSoon')]
        : [as(f, 'assignment.expiringSoon')];
    case 'pim.activationEnded':
      return [as(f, 'activation.ended', { reason: 'revoked' })];
    case 'roles.assignmentCreated':
      return [as(direct(f, event.payload, 'Provisioned'), 'assignment.granted')];
    case 'roles.assignmentDeleted':
      return [as(direct(f, event.payload, 'Revoked'), 'assignment.removed', { reason: 'removed' })];
    default:
      return [];
  }
}
