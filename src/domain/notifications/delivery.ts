import { createHash } from 'node:crypto';
import type { Audience, ChannelKind, NotificationEventType } from './event-types.js';

/**
 * A delivery's state: `pending` (not tried yet, or put back by an operator), `failed` (the last
 * attempt failed; tried again from `nextAttemptAt`), `sent`, or `dead` (attempts used up; an
 * operator may retry it).
 */
export const DELIVERY_STATUSES = ['pending', 'failed', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One message to one recipient over one channel: a row of the delivery log. */
export interface Delivery {
  /** The idempotency key (webhooks send it as `webhook-id`). */
  id: string;
  tenantId: string;
  /** The notification's id (shared by all its deliveries). */
  eventId: string;
  eventType: NotificationEventType;
  channel: ChannelKind;
  /** An email address, or the webhook endpoint's id. */
  recipient: string;
  /** Who an email is written for; null for webhooks. */
  audience: Audience | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
  sentAt: number | null;
}

/** Fixed namespace of Elevate's name-based ids (RFC 9562 UUIDv5). */
const NAMESPACE = Buffer.from('5b0e7c2a9d4f4e1b8a3c6f2d1e0b9a87', 'hex');

/** A UUIDv5 (RFC 9562 §5.5) of `name` in Elevate's namespace: the same name, the same id. */
export function nameBasedId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A notification's id: derived from the outbox message and the event type (one message can make
 * two notifications: approved and activated), so fanning the same message out twice makes the same id.
 */
export const notificationEventId = (messageId: string, type: NotificationEventType): string =>
  nameBasedId(`event\n${messageId}\n${type}`);

/**
 * A delivery's id and idempotency key: derived from the notification (message id and type), the
 * channel and the recipient (lower-cased address, or endpoint id). Inserting it twice is a no-op,
 * so a repeated fan-out neither loses nor doubles a message; a receiver de-duplicates by it.
 */
export const deliveryId = (eventId: string, channel: ChannelKind, recipient: string): string =>
  nameBasedId(`delivery\n${eventId}\n${channel}\n${recipient.toLowerCase()}`);

/** How the delivery worker retries. */
export interface DeliveryRetryPolicy {
  /** Attempts in all; after the last failure the delivery is `dead`. */
  maxAttempts: number;
  /** Pause after the first failure; doubles after each further one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
};

/**
 * The pause after `attempts` failed attempts: exponential (`base · 2^(attempts-1)`, at most
 * `maxDelayMs`) with "equal jitter": half of it fixed, the other half random (`random()` in [0,1)),
 * so receivers that failed together are not retried together, and the pause is never shorter than
 * half the exponential step nor longer than the cap.
 */
export function retryDelayMs(attempts: number, policy: DeliveryRetryPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 52);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(step / 2 + (step / 2) * r);
}

/** What a failed attempt leads to: another try later, or the end. */
export function afterFailure(
  attempts: number,
  now: number,
  policy: DeliveryRetryPolicy,
  random: () => number,
): { status: 'failed' | 'dead'; nextAttemptAt: number } {
  if (attempts >= policy.maxAttempts) return { status: 'dead', nextAttemptAt: now };
  return { status: 'failed', nextAttemptAt: now + retryDelayMs(attempts, policy, random) };
}

/** Checks a policy once, at start. @throws RangeError */
export function checkDeliveryRetry(p: DeliveryRetryPolicy): DeliveryRetryPolicy {
  if (!Number.isSafeInteger(p.maxAttempts) || p.maxAttempts < 1 || p.maxAttempts > 100)
    throw new RangeError('maxAttempts must be an integer from 1 to 100');
  if (!Number.isSafeInteger(p.baseDelayMs) || p.baseDelayMs < 0)
    throw new RangeError('baseDelayMs must be a non-negative integer');
  if (!Number.isSafeInteger(p.maxDelayMs) || p.maxDelayMs < p.baseDelayMs)
    throw new RangeError('maxDelayMs must be an integer at least baseDelayMs');
  return p;
}
