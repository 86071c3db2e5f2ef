import { randomBytes } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';
import { isEmailAddress } from './audience.js';
import { hasControl } from './text.js';
import { isNotificationEventType, type NotificationEventType } from './event-types.js';

/**
 * How Elevate talks to the SMTP server: `tls` = implicit TLS from the first byte (usually port
 * 465), `starttls` = plain connect then STARTTLS, required (usually 587), `none` = no TLS (a relay
 * on the same host); credentials are refused with `none`, they would cross the network in clear.
 */
export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** The email channel's settings as an administrator gives them (the password travels apart). */
export interface EmailSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  fromAddress: string;
  fromDisplayName: string | null;
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST = new RegExp(`^(?:${LABEL})(?:\\.${LABEL})*\\.?$`);
const IPV6 = /^\[?[0-9A-Fa-f:.]{2,45}\]?$/;
/** A host name or an IP address, as the request schema documents it. */
export const SMTP_HOST_PATTERN = new RegExp(`${HOST.source}|${IPV6.source}`);
/**
 * A webhook URL as the request schema documents it: http(s), a host name or address, an optional
 * port, path and query; no user info, no fragment (`checkWebhookUrl` decides the rest). An IPv4
 * octet has no leading zero: the URL parser reads `09` as a broken octal number and refuses it.
 */
export const WEBHOOK_URL_PATTERN =
  /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z])?|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4}))?(?:[/?][^\s#]*)?$/;
/** A `whsec_` secret of 24 to 64 bytes in base64, as the request schema documents it. */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,86}={0,2}$/;

/**
 * Checks the email channel's settings as a whole (after a partial update is merged).
 * @throws ValidationError naming the property
 */
export function checkEmailSettings(s: EmailSettings, hasPassword: boolean): void {
  if (s.host.length > 253 || !(HOST.test(s.host) || IPV6.test(s.host)))
    throw new ValidationError('host must be a host name or an IP address.', 'host');
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
    throw new ValidationError('port must be an integer from 1 to 65535.', 'port');
  if (!isEmailAddress(s.fromAddress))
    throw new ValidationError('fromAddress must be an email address such as pim@contoso.com.', 'fromAddress');
  if (s.fromDisplayName !== null && (s.fromDisplayName.length > 128 || hasControl(s.fromDisplayName)))
    throw new ValidationError(
      'fromDisplayName must be one line of at most 128 characters.',
      'fromDisplayName',
    );
  if (s.username !== null && (s.username.length > 256 || hasControl(s.username)))
    throw new ValidationError('username must be one line of at most 256 characters.', 'username');
  if ((s.username === null) !== !hasPassword)
    throw new ValidationError('username and password go together: give both, or neither.', 'password');
  if (s.security === 'none' && s.username !== null)
    throw new ValidationError(
      "SMTP credentials are sent only over TLS: use security 'tls' or 'starttls', or remove the username and password.",
      'security',
    );
}

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Checks a webhook endpoint's URL: absolute `https://` (or `http://` where the operator allowed it,
 * `ELEVATE_NOTIFICATIONS_ALLOW_HTTP`), a host, no user name or password in it, no fragment.
 * @throws ValidationError (`url`)
 */
export function checkWebhookUrl(url: string, allowHttp: boolean): string {
  const bad = (why: string) => new ValidationError(`url ${why}`, 'url');
  if (url.length > MAX_WEBHOOK_URL_LENGTH) throw bad(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('must be an absolute https:// URL.');
  }
  if (parsed.protocol === 'http:' && !allowHttp)
    throw bad(
      'must use https://; plain http:// is accepted only when the operator allows it (ELEVATE_NOTIFICATIONS_ALLOW_HTTP).',
    );
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw bad('must be an http(s) URL.');
  if (parsed.hostname === '') throw bad('must name a host.');
  if (parsed.username !== '' || parsed.password !== '')
    throw bad('must not carry a user name or password; Elevate signs each call instead.');
  if (parsed.hash !== '') throw bad('must not have a fragment (#…).');
  return parsed.toString();
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Checks a webhook signing secret in Standard Webhooks' form: `whsec_` then base64 of 24 to 64
 * random bytes. @throws ValidationError (`secret`)
 */
export function checkWebhookSecret(secret: string): string {
  const m = SECRET.exec(secret);
  const bytes = m === null ? 0 : Buffer.from(m[1]!, 'base64').length;
  if (bytes < 24 || bytes > 64)
    throw new ValidationError(
      "secret must be 'whsec_' followed by base64 of 24 to 64 random bytes (or leave it out and Elevate makes one).",
      'secret',
    );
  return secret;
}

/** A fresh signing secret: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * An endpoint's event filter: catalogue types, each once; empty means every type.
 * @throws ValidationError (`eventTypes`) naming an unknown type
 */
export function checkEventTypes(types: readonly string[]): NotificationEventType[] {
  const out: NotificationEventType[] = [];
  for (const t of types) {
    if (!isNotificationEventType(t))
      throw new ValidationError(
        `eventTypes: '${t.slice(0, 64)}' is not an event type of the catalogue (docs/events.md).`,
        'eventTypes',
      );
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** Whether an endpoint with this filter wants events of this type. */
export const subscribes = (filter: readonly NotificationEventType[], type: NotificationEventType): boolean =>
  filter.length === 0 || filter.includes(type);

/** How long the previous secret stays valid after a rotation, by default and at most. */
export const DEFAULT_ROTATION_OVERLAP_MINUTES = 1440;
export const MAX_ROTATION_OVERLAP_MINUTES = 10_080;
