import { Webhook } from 'standardwebhooks';
import type { WebhookTransport } from '../app/notifications/webhook-channel.js';

/** Longest a receiver may take to answer before the attempt counts as failed. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** The receiver, named without path or query (they may carry tokens; errors land in the log). */
const where = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'the receiver';
  }
};

/**
 * Posts Standard Webhooks calls: `webhook-id` (the delivery's idempotency key), `webhook-timestamp`
 * (seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per valid
 * secret, space-separated), the JSON body. A 2xx answer within the timeout is success; anything
 * else, a redirect included (it is not followed), is a failure to retry.
 */
export function webhookTransport(o: { timeoutMs?: number; userAgent?: string } = {}): WebhookTransport {
  const timeoutMs = o.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  return {
    async post(call) {
      const at = new Date(call.timestamp);
      const signatures = call.secrets.map((s) => new Webhook(s).sign(call.id, at, call.body));
      let res: Response;
      try {
        res = await fetch(call.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': o.userAgent ?? 'Elevate-Webhooks/1',
            'webhook-id': call.id,
            'webhook-timestamp': String(Math.floor(call.timestamp / 1000)),
            'webhook-signature': signatures.join(' '),
          },
          body: call.body,
        });
      } catch (e) {
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        if (timedOut) throw new Error(`${where(call.url)} did not answer within ${timeoutMs} ms`);
        const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
        throw new Error(`could not reach ${where(call.url)}${cause}`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299)
        throw new Error(`${where(call.url)} answered HTTP ${res.status}`);
    },
  };
}
