import { CAEP_SESSION_REVOKED, CAEP_TOKEN_CLAIMS_CHANGE, type SupportedEvent } from './stream.js';

/** CAEP `initiating_entity`: who or what caused the event. */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system';

/**
 * What a published domain event means for receivers: whose sessions or claims changed, why, and
 * which CAEP events say it.
 */
export interface Trigger {
  principalId: string;
  events: SupportedEvent[];
  initiatingEntity: InitiatingEntity;
  /** `reason_admin.en`: one line for the receiver's administrators. */
  reason: string;
  /** CAEP `event_timestamp` (epoch ms): when it happened, e.g. the activation's end, not when it was noticed. */
  at: number;
}

/** The domain events the transmitter reads; everything else only moves its outbox cursor. */
export const SSF_EVENT_TYPES: ReadonlySet<string> = new Set([
  'pim.requestAccepted',
  'pim.scheduleExpired',
  'pim.activationEnded',
  'roles.assignmentDeleted',
  'directory.groupMemberRemoved',
  'directory.userUpdated',
  'directory.userDeleted',
]);

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const time = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

/** A held role or membership ended: tokens issued before carry it, so claims changed and sessions should be re-checked. */
const BOTH: SupportedEvent[] = [CAEP_TOKEN_CLAIMS_CHANGE, CAEP_SESSION_REVOKED];

/**
 * The trigger a published event calls for, or undefined (pure; table-tested). An ended holding
 * (activation deactivated, expired or ended with its eligibility; an active assignment removed or
 * expired; a direct role assignment deleted; a group membership removed) yields
 * `token-claims-change` and `session-revoked`; a disabled or deleted account yields
 * `session-revoked` only (it has no claims left to change). Eligibilities are not holdings: their
 * end matters only through the activations it ends, which have events of their own.
 */
export function triggerOf(event: {
  type: string;
  occurredAt: number;
  payload: Record<string, unknown>;
}): Trigger | undefined {
  const p = event.payload;
  // A role held by a group: its members' tokens change, but Elevate names direct principals only.
  const byGroup = p.principalType === 'group';
  const ended = (
    principalId: string | null,
    initiatingEntity: InitiatingEntity,
    reason: string,
    at = event.occurredAt,
  ) =>
    principalId === null || byGroup ? undefined : { principalId, events: BOTH, initiatingEntity, reason, at };
  switch (event.type) {
    case 'pim.requestAccepted': {
      if (p.kind !== 'assignment') return undefined;
      if (p.action === 'selfDeactivate')
        return ended(text(p.principalId), 'user', 'The principal deactivated a role.');
      if (p.action === 'adminRemove')
        return ended(text(p.principalId), 'admin', 'An administrator removed an active role assignment.');
      return undefined;
    }
    case 'pim.scheduleExpired':
      if (p.kind !== 'assignment') return undefined;
      // The end of the window is the moment access ended, whenever the sweeper recorded it.
      return ended(
        text(p.principalId),
        'policy',
        'An active role assignment reached its end.',
        time(p.endDateTime) ?? event.occurredAt,
      );
    case 'pim.activationEnded':
      return ended(text(p.principalId), 'admin', 'An activation ended because its eligibility was removed.');
    case 'roles.assignmentDeleted':
      return ended(text(p.principalId), 'admin', 'An administrator removed a role assignment.');
    case 'directory.groupMemberRemoved':
      // A nested group's members lose the membership too; Elevate names direct user members only.
      if (p.memberType !== 'user') return undefined;
      return ended(text(p.memberId), 'admin', 'The user was removed from a group.');
    case 'directory.userUpdated': {
      const userId = text(p.userId);
      if (p.disabled !== true || userId === null) return undefined;
      return {
        principalId: userId,
        events: [CAEP_SESSION_REVOKED],
        initiatingEntity: 'admin',
        reason: 'The account was disabled.',
        at: event.occurredAt,
      };
    }
    case 'directory.userDeleted': {
      const userId = text(p.userId);
      if (userId === null) return undefined;
      return {
        principalId: userId,
        events: [CAEP_SESSION_REVOKED],
        initiatingEntity: 'admin',
        reason: 'The account was deleted.',
        at: event.occurredAt,
      };
    }
    default:
      return undefined;
  }
}
