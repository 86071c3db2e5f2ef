import type { WebhookTransport } from '../app/notifications/webhook-channel.js';
import { callOut, hostOf } from '../net/call.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';
import { signedHeaders } from '../net/standard-webhooks.js';

/** Longest a receiver may take to answer before the attempt counts as failed. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Most of a receiver's answer read (nothing in it is used). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Posts Standard Webhooks calls: `webhook-id` (the delivery's idempotency key), `webhook-timestamp`
 * (seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per valid
 * secret, space-separated), the JSON body, through the address-guarded `fetch` (ADR 0052). A 2xx
 * answer within the timeout is success; anything else, a redirect included (it is not followed),
 * is a failure to retry.
 */
export function webhookTransport(o: {
  fetch: OutboundFetch;
  timeoutMs?: number;
  userAgent?: string;
}): WebhookTransport {
  const timeoutMs = o.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  return {
    async post(call) {
      const answer = await callOut(
        o.fetch,
        call.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': o.userAgent ?? 'Elevate-Webhooks/1',
            ...signedHeaders(call),
          },
          body: call.body,
        },
        { timeoutMs, maxBytes: MAX_ANSWER_BYTES },
      );
      if (answer.status < 200 || answer.status > 299)
        throw new Error(`${hostOf(call.url)} answered HTTP ${answer.status}`);
    },
  };
}
