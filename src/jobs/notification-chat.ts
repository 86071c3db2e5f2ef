import type { ChatTransport } from '../app/notifications/chat-channel.js';

/** Longest a chat platform may take to answer before the attempt counts as failed. */
export const DEFAULT_CHAT_TIMEOUT_MS = 10_000;

/**
 * Posts JSON to Slack and Teams incoming webhooks. The URL is the credential, so errors name only
 * its host. A 2xx answer within the timeout is success; anything else, a redirect included (not
 * followed), is a failure the worker retries.
 */
export function chatTransport(o: { timeoutMs?: number; userAgent?: string } = {}): ChatTransport {
  const timeoutMs = o.timeoutMs ?? DEFAULT_CHAT_TIMEOUT_MS;
  return {
    async post(url, body) {
      let host = 'the chat platform';
      try {
        host = new URL(url).host;
      } catch {
        // keep the generic name
      }
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': o.userAgent ?? 'Elevate-Notifications/1',
          },
          body,
        });
      } catch (e) {
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        if (timedOut) throw new Error(`${host} did not answer within ${timeoutMs} ms`);
        throw new Error(`could not reach ${host}`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`${host} answered HTTP ${res.status}`);
    },
  };
}
