// The role settings beyond activation, as form values and as the PATCH bodies of their rules: how
// long eligible and active assignments may last, what an administrator's active assignment requires,
// and the nine notification rules. No DOM: the settings editor and tests use it alike.
// (No imports: the server's tests load it too, under their own module resolution.)

/** A policy rule as the API answers it (graph.ts's `PolicyRule`). */
export interface PolicyRule {
  id: string;
  '@odata.type': string;
  [key: string]: unknown;
}

/** The expiration rules of assignments an administrator makes. */
export const ASSIGNMENT_EXPIRATION = [
  { id: 'Expiration_Admin_Eligibility', label: 'Eligible assignments' },
  { id: 'Expiration_Admin_Assignment', label: 'Active assignments' },
] as const;

export const ADMIN_ASSIGNMENT_ENABLEMENT = 'Enablement_Admin_Assignment';

/** The nine notification rules: when (the rule's level and caller) and whom they notify. */
export const NOTIFICATIONS = [
  { id: 'Notification_Admin_Admin_Eligibility', when: 'Someone is made eligible', who: 'Administrators' },
  { id: 'Notification_Requestor_Admin_Eligibility', when: 'Someone is made eligible', who: 'The member' },
  { id: 'Notification_Approver_Admin_Eligibility', when: 'Someone is made eligible', who: 'Approvers' },
  { id: 'Notification_Admin_Admin_Assignment', when: 'Someone is assigned active', who: 'Administrators' },
  { id: 'Notification_Requestor_Admin_Assignment', when: 'Someone is assigned active', who: 'The member' },
  { id: 'Notification_Approver_Admin_Assignment', when: 'Someone is assigned active', who: 'Approvers' },
  { id: 'Notification_Admin_EndUser_Assignment', when: 'Someone activates', who: 'Administrators' },
  { id: 'Notification_Requestor_EndUser_Assignment', when: 'Someone activates', who: 'The member' },
  { id: 'Notification_Approver_EndUser_Assignment', when: 'Someone activates', who: 'Approvers' },
] as const;

export interface ExpirationForm {
  permanentAllowed: boolean;
  days: number | string;
}

export interface NotificationForm {
  level: string;
  defaultRecipients: boolean;
  /** Extra addresses, separated by commas. */
  recipients: string;
}

/** Whole days in an ISO 8601 duration of days or hours (`P365D`, `PT48H`); undefined otherwise. */
export function isoDays(duration: unknown): number | undefined {
  const m = typeof duration === 'string' ? /^P(?:(\d+)D)?(?:T(\d+)H)?$/.exec(duration) : null;
  if (!m || duration === 'P') return undefined;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 24;
}

export const expirationForm = (r: PolicyRule): ExpirationForm => ({
  permanentAllowed: r.isExpirationRequired !== true,
  days: isoDays(r.maximumDuration) ?? 365,
});

/** The PATCH body: permanent allowed or not, and the longest time-bound one in days. */
export const expirationBody = (r: PolicyRule, f: ExpirationForm): PolicyRule => ({
  '@odata.type': r['@odata.type'],
  id: r.id,
  isExpirationRequired: !f.permanentAllowed,
  maximumDuration: `P${f.days === '' ? 0 : Number(f.days)}D`,
});

export const enablementBody = (r: PolicyRule, enabledRules: string[]): PolicyRule => ({
  '@odata.type': r['@odata.type'],
  id: r.id,
  enabledRules,
});

export const notificationForm = (r: PolicyRule): NotificationForm => ({
  level: typeof r.notificationLevel === 'string' ? r.notificationLevel : 'All',
  defaultRecipients: r.isDefaultRecipientsEnabled !== false,
  recipients: Array.isArray(r.notificationRecipients) ? r.notificationRecipients.join(', ') : '',
});

export const notificationBody = (r: PolicyRule, f: NotificationForm): PolicyRule => ({
  '@odata.type': r['@odata.type'],
  id: r.id,
  notificationLevel: f.level,
  isDefaultRecipientsEnabled: f.defaultRecipients,
  notificationRecipients: f.recipients
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean),
});
