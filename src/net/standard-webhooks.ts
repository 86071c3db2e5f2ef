import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one signed call: `webhook-id` (the idempotency key a receiver
 * deduplicates by), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated, so a receiver verifies
 * with either secret during a rotation).
 */
export function signedHeaders(call: {
  id: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const at = new Date(call.timestamp);
  return {
    'webhook-id': call.id,
    'webhook-timestamp': String(Math.floor(call.timestamp / 1000)),
    'webhook-signature': call.secrets.map((s) => new Webhook(s).sign(call.id, at, call.body)).join(' '),
  };
}
