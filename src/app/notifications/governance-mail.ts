import { createHash } from 'node:crypto';
import { ALERT_DEFINITIONS, alertNameOf } from '../../domain/alerts/definitions.js';
import { SECURITY_ADMINISTRATOR, GLOBAL_ADMINISTRATOR } from '../../domain/roles/built-in-role-ids.js';
import { escapeHtml } from '../../domain/notifications/templates.js';
import { tenantAlerts } from '../alerts/scan.js';
import type { DeliveredMessage, OutboxConsumer } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { serverOf, type MailTransport } from './email-channel.js';
import { emailOf } from './people.js';
import type { Sealer } from './ports.js';

/** The outbox consumer's name (its cursor); never renamed. */
export const GOVERNANCE_MAIL_CONSUMER = 'governanceMail';

/** Who hears of new alert incidents: Security Administrators and Global Administrators. */
export const ALERT_AUDIENCE_ROLES = [SECURITY_ADMINISTRATOR, GLOBAL_ADMINISTRATOR] as const;

/** Most recipients one message is sent to (a huge role must not stall the consumer). */
const MAX_RECIPIENTS = 500;
/** Most incidents one email lists. */
const MAX_LISTED = 50;

interface Mail {
  subject: string;
  lines: string[];
  link: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * Governance email that is not about one PIM request (ADR 0033): new incidents of PIM security
 * alerts (break-glass use among them) to Security and Global Administrators, and access review
 * reminders to the reviewers who still have items. Sent through the tenant's email channel, as
 * the outbox delivers the event: at least once (a failed send is retried with back-off, the same
 * `Message-ID` each time), after the change committed. Nothing is sent without an enabled email
 * channel; these mails are not in the delivery log.
 */
export function makeGovernanceMail(deps: {
  uow: UnitOfWork;
  transport: MailTransport;
  sealer: Sealer;
  publicUrl: string;
}): OutboxConsumer {
  const base = deps.publicUrl.replace(/\/+$/, '');

  async function addresses(tx: Stores, tenantId: string, userIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(userIds)].slice(0, MAX_RECIPIENTS);
    const boxes = await tx.notificationDirectory.mailboxes(tenantId, unique);
    const out = new Map<string, string>();
    for (const b of boxes) {
      const address = emailOf(b);
      if (address !== null) out.set(address.toLowerCase(), address);
    }
    return [...out.values()];
  }

  /** New incidents of an alert: what they are, and who must hear. */
  async function alertMail(
    tx: Stores,
    m: DeliveredMessage,
  ): Promise<{ mail: Mail; to: string[] } | undefined> {
    const raised = strings(m.payload.raisedIncidentIds);
    const alertId = text(m.payload.alertId);
    if (raised.length === 0 || alertId === null) return undefined;
    const name = alertNameOf(m.tenantId, alertId);
    if (name === undefined) return undefined;
    const d = ALERT_DEFINITIONS[name];
    const stored = (await tenantAlerts(tx, m.tenantId)).find((a) => a.name === name);
    const fields = new Map(stored?.incidents.map((i) => [i.id, i.fields]) ?? []);
    const lines = raised.slice(0, MAX_LISTED).map((id) => {
      const f = fields.get(id);
      if (f === undefined) return `- ${id} (already cleared)`;
      const details = Object.entries(f)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
      return `- ${id}: ${details}`;
    });
    if (raised.length > MAX_LISTED) lines.push(`… and ${raised.length - MAX_LISTED} more.`);
    const holders = await tx.notificationDirectory.roleHolders(
      m.tenantId,
      ALERT_AUDIENCE_ROLES,
      m.occurredAt,
    );
    return {
      to: await addresses(tx, m.tenantId, holders),
      mail: {
        subject: `[${d.severityLevel} severity] ${d.displayName}: ${raised.length} new incident${raised.length === 1 ? '' : 's'}`,
        lines: [d.description, '', ...lines, '', `What to do: ${d.mitigationSteps}`],
        link: `${base}/beta/identityGovernance/roleManagementAlerts/alerts/${encodeURIComponent(alertId)}?$expand=*`,
      },
    };
  }

  /** A review reminder to the reviewers with items left, when the review mails reminders. */
  async function reminderMail(
    tx: Stores,
    m: DeliveredMessage,
  ): Promise<{ mail: Mail; to: string[] } | undefined> {
    const p = m.payload;
    if (p.mailNotificationsEnabled !== true || p.reminderNotificationsEnabled !== true) return undefined;
    const definitionId = text(p.definitionId);
    const instanceId = text(p.instanceId);
    if (definitionId === null || instanceId === null) return undefined;
    const title = text(p.displayName) ?? 'an access review';
    const ends = text(p.endDateTime);
    return {
      to: await addresses(tx, m.tenantId, strings(p.reviewerIds)),
      mail: {
        subject: `Reminder: access review "${title}" is waiting for your decisions`,
        lines: [
          `You still have access to review in "${title}".`,
          ends === null ? '' : `The review ends at ${ends}; undecided items then take the review's default.`,
        ].filter((l) => l !== ''),
        link: `${base}/v1.0/identityGovernance/accessReviews/definitions/${definitionId}/instances/${instanceId}/decisions/filterByCurrentUser(on='reviewer')`,
      },
    };
  }

  return {
    name: GOVERNANCE_MAIL_CONSUMER,
    accepts: (type) => type === 'alerts.incidentsChanged' || type === 'accessReviews.reminderSent',
    async handle(message) {
      const planned = await deps.uow.run(async (tx) => {
        const channel = await tx.notificationChannels.email(message.tenantId);
        if (channel === undefined || !channel.isEnabled) return undefined;
        const found =
          message.type === 'alerts.incidentsChanged'
            ? await alertMail(tx, message)
            : await reminderMail(tx, message);
        return found === undefined || found.to.length === 0 ? undefined : { channel, ...found };
      });
      if (planned === undefined) return;
      const { channel, mail, to } = planned;
      const server = serverOf(channel, deps.sealer);
      const body = [...mail.lines, '', `Details: ${mail.link}`].join('\n');
      const html = `<p>${mail.lines.map(escapeHtml).join('<br>')}</p><p><a href="${escapeHtml(mail.link)}">Details</a></p>`;
      for (const address of to) {
        const key = createHash('sha256').update(address.toLowerCase()).digest('hex').slice(0, 16);
        await deps.transport.send(server, {
          from: { address: channel.fromAddress, name: channel.fromDisplayName },
          to: address,
          subject: mail.subject,
          text: body,
          html,
          messageId: `<${message.id}.${key}@elevate.governance>`,
          headers: { 'X-Elevate-Event-Type': message.type, 'Auto-Submitted': 'auto-generated' },
        });
      }
    },
  };
}
