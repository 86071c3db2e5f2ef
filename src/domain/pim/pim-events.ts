import type { AuditActivity } from '../audit/activities.js';
import type { AuditResult, KeyValue, ModifiedProperty, TargetResource } from '../audit/entry.js';
import { auditValue, principalTarget, roleTarget } from '../audit/targets.js';
import type { PrincipalType } from '../directory/types.js';
import type { DomainEvent, EventType } from '../events/domain-event.js';
import { formatDateTime } from '../time/datetime.js';
import type { Schedule, ScheduleRequest } from './schedule.js';
import type { ScheduleKind, Window } from './types.js';

/** The role and principal a PIM event is about, named as they are when it happens. */
export interface PimSubject {
  kind: ScheduleKind;
  role: { id: string; displayName: string | null };
  principal: {
    id: string;
    type: PrincipalType | undefined;
    displayName: string | null;
    userPrincipalName: string | null;
  };
}

/** What one PIM audit entry names besides the subject: the request (or schedule) and its state. */
export interface PimChange extends PimSubject {
  /** The request's id, or for the sweeper the schedule's. */
  objectId: string;
  objectType: 'request' | 'schedule';
  window: Window | null | undefined;
  status: string;
}

const when = (ms: number | null | undefined): string => auditValue(ms == null ? null : formatDateTime(ms));

/**
 * The targets of a PIM entry as Entra lists them (role, then principal), plus the request or
 * schedule as an `Other` target, so `targetResources/any(t: t/id eq '{requestId}')` finds every
 * entry about one request. Its modified properties carry the window and the status.
 */
export function pimTargets(change: PimChange): TargetResource[] {
  const props: ModifiedProperty[] = [
    { displayName: 'Status', oldValue: null, newValue: auditValue(change.status) },
    { displayName: 'StartDateTime', oldValue: null, newValue: when(change.window?.start) },
    { displayName: 'EndDateTime', oldValue: null, newValue: when(change.window?.end) },
  ];
  const noun = change.kind === 'eligibility' ? 'roleEligibilitySchedule' : 'roleAssignmentSchedule';
  return [
    roleTarget(change.role),
    principalTarget(
      change.principal.type,
      change.principal.id,
      change.principal.displayName,
      change.principal.userPrincipalName,
    ),
    {
      id: change.objectId,
      displayName: change.objectType === 'request' ? `${noun}Request` : noun,
      type: 'Other',
      userPrincipalName: null,
      modifiedProperties: props,
    },
  ];
}

/** `"ServiceNow INC-4711"`, or null without a ticket. */
export const ticketText = (ticket: { ticketSystem: string | null; ticketNumber: string | null } | null) => {
  const text = [ticket?.ticketSystem, ticket?.ticketNumber].filter(Boolean).join(' ');
  return text === '' ? null : text;
};

/** What consumers of a PIM event read: ids, the state and the window (epoch ms), no names. */
function payloadOf(
  subject: PimSubject,
  facts: { requestId?: string; action?: string; status: string; window: Window | null | undefined },
  schedule: Schedule | null,
) {
  return {
    kind: subject.kind,
    principalId: subject.principal.id,
    principalType: subject.principal.type ?? null,
    roleDefinitionId: subject.role.id,
    ...(facts.requestId === undefined ? {} : { requestId: facts.requestId }),
    ...(facts.action === undefined ? {} : { action: facts.action }),
    status: facts.status,
    startDateTime: facts.window?.start ?? null,
    endDateTime: facts.window?.end ?? null,
    schedule:
      schedule === null
        ? null
        : {
            id: schedule.id,
            directoryScopeId: schedule.directoryScopeId,
            assignmentType: schedule.assignmentType,
            memberType: schedule.memberType,
            status: schedule.status,
            startDateTime: schedule.window.start,
            endDateTime: schedule.window.end,
          },
  };
}

/** Entries about one request that share targets and details. */
interface RequestEntries {
  activities: readonly AuditActivity[];
  /** The request's id (a fresh id for a refused request, which is never stored). */
  objectId: string;
  status: string;
  window: Window | null | undefined;
  details: KeyValue[];
  justification: string | null;
  ticket: string | null;
  result?: AuditResult;
  resultReason?: string;
}

function requestEvent(
  type: EventType,
  subject: PimSubject,
  e: RequestEntries,
  payload?: Record<string, unknown>,
): DomainEvent {
  const targets = pimTargets({
    ...subject,
    objectId: e.objectId,
    objectType: 'request',
    window: e.window,
    status: e.status,
  });
  return {
    type,
    audit: e.activities.map((activity) => ({
      activity,
      targets,
      additionalDetails: e.details,
      justification: e.justification,
      ticket: e.ticket,
      ...(e.result === undefined ? {} : { result: e.result }),
      ...(e.resultReason === undefined ? {} : { resultReason: e.resultReason }),
    })),
    ...(payload === undefined ? {} : { payload }),
  };
}

/** A schedule request was accepted: granted, provisioned, waiting, or a removal done. */
export function requestAccepted(
  subject: PimSubject,
  request: ScheduleRequest,
  activities: readonly AuditActivity[],
  window: Window | null | undefined,
  schedule: Schedule | null,
  details: KeyValue[],
): DomainEvent {
  return requestEvent(
    'pim.requestAccepted',
    subject,
    {
      activities,
      objectId: request.id,
      status: request.status,
      window,
      details,
      justification: request.justification,
      ticket: ticketText(request.ticketInfo),
    },
    payloadOf(
      subject,
      { requestId: request.id, action: request.action, status: request.status, window },
      schedule,
    ),
  );
}

/** A schedule request was refused (policy, state or permission); audited as a `failure`, not published. */
export function requestRefused(
  subject: PimSubject,
  asked: { objectId: string; justification: string | null; ticket: string | null },
  activity: AuditActivity,
  window: Window | null | undefined,
  details: KeyValue[],
  resultReason: string,
): DomainEvent {
  return requestEvent('pim.requestRefused', subject, {
    ...asked,
    activities: [activity],
    status: 'Failed',
    window,
    details,
    result: 'failure',
    resultReason,
  });
}

/** A granted or waiting request was canceled (and a granted schedule ended before it held). */
export function requestCanceled(
  subject: PimSubject,
  request: ScheduleRequest,
  activity: AuditActivity,
  window: Window | null,
  previousStatus: string,
): DomainEvent {
  return requestEvent(
    'pim.requestCanceled',
    subject,
    {
      activities: [activity],
      objectId: request.id,
      justification: null,
      ticket: null,
      status: 'Canceled',
      window,
      details: [
        { key: 'RequestId', value: request.id },
        { key: 'Action', value: request.action },
        { key: 'PreviousStatus', value: previousStatus },
      ],
    },
    payloadOf(subject, { requestId: request.id, action: request.action, status: 'Canceled', window }, null),
  );
}

/** One approval event of an activation request, as its audit entry records it. */
export interface ApprovalFacts {
  type: Extract<
    EventType,
    | 'pim.approvalStepDecided'
    | 'pim.approvalCompleted'
    | 'pim.approvalTimedOut'
    | 'pim.approvalEscalated'
    | 'pim.approvalReminder'
    | 'pim.approvalHookDeferred'
  >;
  activity: AuditActivity;
  request: ScheduleRequest;
  /** The status the request has after the event. */
  status: string;
  window: Window | null;
  /** The approver's justification when the event is a decision; the requestor's otherwise. */
  justification: string | null;
  details?: KeyValue[];
  schedule?: Schedule | null;
  result?: AuditResult;
  resultReason?: string;
  /**
   * For a decision: whether it completed its stage (false while a quorum waits for more approvals),
   * carried in the payload as `stageCompleted` so consumers do not announce a stage that has not
   * started.
   */
  stageCompleted?: boolean;
}

/**
 * An approval event: the approver (or Elevate, for a timeout) as initiator, the approver's
 * justification as the entry's justification, the requestor's alongside (`RequestorJustification`)
 * with the ticket, the role and principal as targets. Its payload names the stage (1-based
 * `approvalStage`) when the entry does, so consumers know which stage was decided.
 */
export function approvalEvent(subject: PimSubject, f: ApprovalFacts): DomainEvent {
  const r = f.request;
  const stage = Number(f.details?.find((d) => d.key === 'ApprovalStage')?.value);
  const event = requestEvent(
    f.type,
    subject,
    {
      activities: [f.activity],
      objectId: r.id,
      status: f.status,
      window: f.window,
      justification: f.justification,
      ticket: ticketText(r.ticketInfo),
      details: [
        { key: 'RequestId', value: r.id },
        { key: 'ApprovalId', value: r.approvalId ?? r.id },
        ...(r.justification === null ? [] : [{ key: 'RequestorJustification', value: r.justification }]),
        ...(f.details ?? []),
      ],
      ...(f.result === undefined ? {} : { result: f.result }),
      ...(f.resultReason === undefined ? {} : { resultReason: f.resultReason }),
    },
    payloadOf(
      subject,
      { requestId: r.id, action: r.action, status: f.status, window: f.window },
      f.schedule ?? null,
    ),
  );
  if (event.payload === undefined) return event;
  return {
    ...event,
    payload: {
      ...event.payload,
      ...(Number.isSafeInteger(stage) ? { approvalStage: stage } : {}),
      ...(f.stageCompleted === undefined ? {} : { stageCompleted: f.stageCompleted }),
    },
  };
}

/** A schedule's window ended by time; the sweeper records it (Elevate is the initiator). */
export function scheduleExpired(subject: PimSubject, s: Schedule, activity: AuditActivity): DomainEvent {
  return {
    type: 'pim.scheduleExpired',
    audit: [
      {
        activity,
        targets: pimTargets({
          ...subject,
          objectId: s.id,
          objectType: 'schedule',
          window: s.window,
          status: 'Expired',
        }),
        additionalDetails: [
          { key: 'ScheduleId', value: s.id },
          { key: 'CreatedUsing', value: s.createdUsing },
          ...(s.assignmentType === null ? [] : [{ key: 'AssignmentType', value: s.assignmentType }]),
          { key: 'MemberType', value: s.memberType },
        ],
      },
    ],
    payload: payloadOf(subject, { status: 'Expired', window: s.window }, { ...s, status: 'Expired' }),
  };
}

/**
 * A running schedule's end is near (its lead time: minutes for activations, days otherwise); the
 * sweeper records it once per end, so an extended schedule is announced again for its new end.
 */
export function scheduleEndingSoon(subject: PimSubject, s: Schedule, activity: AuditActivity): DomainEvent {
  return {
    type: 'pim.scheduleEndingSoon',
    audit: [
      {
        activity,
        targets: pimTargets({
          ...subject,
          objectId: s.id,
          objectType: 'schedule',
          window: s.window,
          status: s.status,
        }),
        additionalDetails: [
          { key: 'ScheduleId', value: s.id },
          ...(s.assignmentType === null ? [] : [{ key: 'AssignmentType', value: s.assignmentType }]),
        ],
      },
    ],
    payload: payloadOf(subject, { status: s.status, window: s.window }, s),
  };
}

/**
 * An activation ended at `now` because the eligibility it was made with was removed: audited with
 * the request that removed the eligibility (`EndedBy`) and published so connectors revoke it.
 */
export function activationEnded(
  subject: PimSubject,
  s: Schedule,
  activity: AuditActivity,
  endedBy: string,
): DomainEvent {
  return {
    type: 'pim.activationEnded',
    audit: [
      {
        activity,
        targets: pimTargets({
          ...subject,
          objectId: s.id,
          objectType: 'schedule',
          window: s.window,
          status: 'Revoked',
        }),
        additionalDetails: [
          { key: 'ScheduleId', value: s.id },
          { key: 'EligibilityScheduleId', value: s.activatedUsing ?? '' },
          { key: 'EndedBy', value: endedBy },
          { key: 'MemberType', value: s.memberType },
        ],
      },
    ],
    payload: payloadOf(subject, { status: 'Revoked', window: s.window }, s),
  };
}
