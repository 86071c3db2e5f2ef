import type { EventType } from '../events/domain-event.js';
import { formatDateTime } from '../time/datetime.js';
import { MAX_AUDIT_TEXT } from './draft.js';
import type { AuditDraft } from './entry.js';

/**
 * The events whose `failure` entries are an authenticated principal's refused API calls, so that a
 * loop repeating one can be summarised (docs/adr/0017-aggregated-refusals.md). Other failures are
 * each recorded: sign-in failures (already bounded by the sign-in back-off, and what brute-force
 * rules in a SIEM count one by one) and failures that are facts about the system (an approval
 * whose grant failed).
 */
export const REFUSAL_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'authorization.denied',
  'pim.requestRefused',
]);

/** Who made an entry: the tenant and the initiator's identity (not their changing display name). */
export function principalKey(draft: AuditDraft): string {
  const { user, app } = draft.initiatedBy;
  const who =
    user !== null
      ? `user\u0000${user.id}\u0000${user.userPrincipalName ?? ''}`
      : `app\u0000${app?.servicePrincipalId ?? ''}\u0000${app?.appId ?? ''}\u0000${app?.displayName ?? ''}`;
  return `${draft.tenantId}\u0000${who}`;
}

/**
 * What makes two refusals identical: the same principal from the same address, the same activity,
 * the same targets and the same reason. `Other` targets are left out: they name the attempt itself
 * (a refused request's id, new each time), not what it was aimed at.
 */
export function refusalKey(draft: AuditDraft): string {
  const ip = draft.initiatedBy.user?.ipAddress ?? draft.initiatedBy.app?.ipAddress ?? '';
  const targets = draft.targetResources
    .filter((t) => t.type !== 'Other')
    .map((t) => `${t.type}:${t.id ?? ''}:${t.userPrincipalName ?? ''}`);
  return [principalKey(draft), ip, draft.code, draft.resultReason, ...targets].join('\u0000');
}

/** Identical refusals left out of the log: how many, and when the first and last were made. */
export interface RepeatedRefusals {
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * The one entry that stands for `repeated` refusals identical to `template` (the last of them): the
 * same activity, initiator and targets, at `now`, its reason prefixed with how many and when, and
 * the same in `additionalDetails` for machines (`RepeatedRefusals`, `FirstRepeatedAt`,
 * `LastRepeatedAt`).
 */
export function repeatedRefusalsDraft(
  template: AuditDraft,
  repeated: RepeatedRefusals,
  id: string,
  now: number,
): AuditDraft {
  const [first, last] = [formatDateTime(repeated.firstAt), formatDateTime(repeated.lastAt)];
  const times = repeated.count === 1 ? 'time' : 'times';
  const reason = `Refused ${repeated.count} more ${times} between ${first} and ${last}: ${template.resultReason}`;
  return {
    ...template,
    id,
    activityDateTime: now,
    resultReason: reason.slice(0, MAX_AUDIT_TEXT),
    additionalDetails: [
      ...template.additionalDetails,
      { key: 'RepeatedRefusals', value: String(repeated.count) },
      { key: 'FirstRepeatedAt', value: first },
      { key: 'LastRepeatedAt', value: last },
    ],
  };
}
