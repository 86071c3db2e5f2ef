import type { ChatTransport } from '../app/notifications/chat-channel.js';
import { callOut, hostOf } from '../net/call.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';

/** Longest a chat platform may take to answer before the attempt counts as failed. */
export const DEFAULT_CHAT_TIMEOUT_MS = 10_000;
/** Most of a chat platform's answer read (nothing in it is used). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Posts JSON to Slack and Teams incoming webhooks through the address-guarded `fetch` (ADR 0052).
 * The URL is the credential, so errors name only its host. A 2xx answer within the timeout is
 * success; anything else, a redirect included (not followed), is a failure the worker retries.
 */
export function chatTransport(o: {
  fetch: OutboundFetch;
  timeoutMs?: number;
  userAgent?: string;
}): ChatTransport {
  const timeoutMs = o.timeoutMs ?? DEFAULT_CHAT_TIMEOUT_MS;
  return {
    async post(url, body) {
      const answer = await callOut(
        o.fetch,
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': o.userAgent ?? 'Elevate-Notifications/1',
          },
          body,
        },
        { timeoutMs, maxBytes: MAX_ANSWER_BYTES },
      );
      if (answer.status < 200 || answer.status > 299)
        throw new Error(`${hostOf(url, 'the chat platform')} answered HTTP ${answer.status}`);
    },
  };
}
