import { audiencesWithDefaults, planRecipients, type Person } from '../../domain/notifications/audience.js';
import type { SmtpSecurity } from '../../domain/notifications/channel-config.js';
import type { Audience } from '../../domain/notifications/event-types.js';
import { renderEmail } from '../../domain/notifications/templates.js';
import { PermanentDeliveryError, type NotificationChannel } from './channel.js';
import { emailPasswordContext, type EmailChannel, type Sealer } from './ports.js';

/** An SMTP server to send through, with its password opened. */
export interface SmtpServer {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  password: string | null;
}

/** One email to one recipient. */
export interface OutgoingMail {
  from: { address: string; name: string | null };
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `Message-ID`, derived from the delivery id: a repeated attempt carries the same one. */
  messageId: string;
  headers: Record<string, string>;
}

/** Sends mail over SMTP (`jobs/notification-email.ts`, nodemailer). Rejects when the server did not accept it. */
export interface MailTransport {
  send(server: SmtpServer, mail: OutgoingMail): Promise<void>;
}

/**
 * Email: one delivery per recipient address, written for the recipient's audience. Who hears is
 * the role's `Notification_*` rules (`domain/notifications/audience.ts`); users are reached at their
 * `mail`, or else their user principal name.
 */
export function makeEmailChannel(deps: { transport: MailTransport; sealer: Sealer }): NotificationChannel {
  return {
    kind: 'email',

    async plan(ctx) {
      const channel = await ctx.tx.notificationChannels.email(ctx.tenantId);
      if (channel === undefined || !channel.isEnabled) return [];
      const defaults: Partial<Record<Audience, Person[]>> = {};
      for (const audience of audiencesWithDefaults(ctx.event.type, ctx.rules))
        defaults[audience] = await ctx.people(audience);
      return planRecipients(ctx.event.type, ctx.rules, defaults).map((r) => ({
        recipient: r.address,
        audience: r.audience,
      }));
    },

    async send(d, ctx) {
      const channel = await ctx.read(`email:${d.tenantId}`, (tx) =>
        tx.notificationChannels.email(d.tenantId),
      );
      if (channel === undefined) throw new PermanentDeliveryError('the email channel is not configured');
      if (!channel.isEnabled) throw new PermanentDeliveryError('the email channel is turned off');
      const mail = renderEmail({ type: d.eventType, data: d.data }, d.audience ?? 'admin');
      await deps.transport.send(serverOf(channel, deps.sealer), {
        from: { address: channel.fromAddress, name: channel.fromDisplayName },
        to: d.recipient,
        ...mail,
        messageId: `<${d.id}@elevate.notifications>`,
        headers: {
          'X-Elevate-Delivery-Id': d.id,
          'X-Elevate-Event-Type': d.eventType,
          'Auto-Submitted': 'auto-generated',
        },
      });
    },
  };
}

/** The channel's SMTP server, its password opened. */
export function serverOf(c: EmailChannel, sealer: Sealer): SmtpServer {
  return {
    host: c.host,
    port: c.port,
    security: c.security,
    username: c.username,
    password:
      c.sealedPassword === null ? null : sealer.open(c.sealedPassword, emailPasswordContext(c.tenantId)),
  };
}
