import type { EndReason, NotificationEventType } from './event-types.js';
import { EVENT_CATALOGUE_VERSION } from './event-types.js';

/** A directory object as a notification names it (as it was when the notification was made). */
export interface NamedPrincipal {
  id: string;
  type: 'user' | 'group' | 'servicePrincipal' | null;
  displayName: string | null;
  userPrincipalName: string | null;
}

/**
 * What one notification says, resolved once when it is fanned out: names read then, times as ISO
 * 8601 UTC. It is the `data` of the webhook body (docs/events.md) and the input of the email
 * templates, so both tell the same story.
 */
export interface NotificationData {
  /** This notification's id: the same for every channel and recipient of it. */
  eventId: string;
  tenantId: string;
  occurredDateTime: string;
  role: { id: string; displayName: string | null };
  directoryScopeId: string;
  principal: NamedPrincipal;
  /** Who made it happen (the administrator, the requestor, the approver); null when Elevate did (time). */
  actor: NamedPrincipal | null;
  request: {
    id: string;
    action: string;
    status: string;
    justification: string | null;
    ticketNumber: string | null;
    ticketSystem: string | null;
  } | null;
  /** The window the event is about (requested, granted or ended); null ends are permanent. */
  startDateTime: string | null;
  endDateTime: string | null;
  schedule: { id: string; startDateTime: string | null; endDateTime: string | null } | null;
  approval: {
    id: string;
    /** 1-based stage the event is about, when one is. */
    stage: number | null;
    /** The deciding approver's justification (approved, denied). */
    approverJustification: string | null;
    /** When the waiting stage times out (requested). */
    deadlineDateTime: string | null;
  } | null;
  reason: EndReason | null;
  /** Where to read more: Graph resources under this instance's public URL (a portal comes later). */
  links: { request: string | null; approval: string | null; schedule: string | null };
}

/** A notification: its catalogue type and what it says. */
export interface NotificationEvent {
  type: NotificationEventType;
  data: NotificationData;
}

/**
 * The JSON body of a webhook call (Standard Webhooks' recommended shape: `type`, `timestamp`,
 * `data`), plus the catalogue `version`. The same bytes are signed and sent.
 */
export function webhookBody(event: NotificationEvent): string {
  return JSON.stringify({
    type: event.type,
    version: EVENT_CATALOGUE_VERSION,
    timestamp: event.data.occurredDateTime,
    data: event.data,
  });
}

/** Graph resource links of a notification, under `publicUrl`. */
export function linksFor(
  publicUrl: string,
  kind: 'eligibility' | 'assignment',
  ids: { requestId: string | null; approvalId: string | null; scheduleId: string | null; direct: boolean },
): NotificationData['links'] {
  const base = `${publicUrl.replace(/\/+$/, '')}/v1.0/roleManagement/directory`;
  const noun = kind === 'eligibility' ? 'roleEligibility' : 'roleAssignment';
  const scheduleUrl =
    ids.scheduleId === null
      ? null
      : ids.direct
        ? `${base}/roleAssignments/${encodeURIComponent(ids.scheduleId)}`
        : `${base}/${noun}Schedules/${encodeURIComponent(ids.scheduleId)}`;
  return {
    request: ids.requestId === null ? null : `${base}/${noun}ScheduleRequests/${ids.requestId}`,
    approval:
      ids.approvalId === null
        ? null
        : `${publicUrl.replace(/\/+$/, '')}/beta/roleManagement/directory/roleAssignmentApprovals/${ids.approvalId}`,
    schedule: scheduleUrl,
  };
}
