import { createTransport } from 'nodemailer';
import type { ConnectionOptions } from 'node:tls';
import type { MailTransport } from '../app/notifications/email-channel.js';

/** Longest an SMTP conversation step may take before the attempt counts as failed. */
export const DEFAULT_SMTP_TIMEOUT_MS = 15_000;

/**
 * Mail over SMTP with nodemailer, one connection per message (notifications are few; a pool would
 * hold connections open between bursts). `tls`: implicit TLS from the first byte; `starttls`:
 * STARTTLS required (a server that does not offer it fails the attempt); `none`: no TLS even when
 * offered. Certificates are verified against the system roots (or `tls.ca`). A message counts as
 * sent once the server accepted it for its recipient.
 */
export function smtpTransport(
  o: { timeoutMs?: number; tls?: Pick<ConnectionOptions, 'ca'> } = {},
): MailTransport {
  const timeout = o.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  return {
    async send(server, mail) {
      const transport = createTransport({
        host: server.host,
        port: server.port,
        secure: server.security === 'tls',
        requireTLS: server.security === 'starttls',
        ignoreTLS: server.security === 'none',
        ...(server.username === null ? {} : { auth: { user: server.username, pass: server.password ?? '' } }),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        tls: { rejectUnauthorized: true, ...(o.tls ?? {}) },
      });
      try {
        const info = await transport.sendMail({
          from:
            mail.from.name === null
              ? mail.from.address
              : { name: mail.from.name, address: mail.from.address },
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: mail.headers,
        });
        if (info.rejected.length > 0)
          throw new Error(`the SMTP server refused the recipient: ${info.response}`);
      } finally {
        transport.close();
      }
    },
  };
}
