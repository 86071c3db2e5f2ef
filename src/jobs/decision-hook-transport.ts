import { performance } from 'node:perf_hooks';
import { HookCallError, type HookTransport } from '../app/decision-hooks/ports.js';
import { CallFailed, callOut, hostOf } from '../net/call.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';
import { signedHeaders } from '../net/standard-webhooks.js';

/** Largest answer read from a hook; a decision is a few bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Calls decision hooks: a Standard Webhooks POST (`webhook-id`, `webhook-timestamp` in seconds,
 * `webhook-signature` = `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), JSON body, redirects not
 * followed, the hook's own timeout for the whole exchange. Resolves with the JSON of a 2xx answer;
 * anything else is a `HookCallError` naming what went wrong and how long it took.
 */
export function decisionHookTransport(o: { fetch: OutboundFetch; userAgent?: string }): HookTransport {
  return {
    async post(call) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const where = hostOf(call.url, 'the hook');
      let text: string;
      try {
        const answer = await callOut(
          o.fetch,
          call.url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              'user-agent': o.userAgent ?? 'Elevate-DecisionHooks/1',
              ...signedHeaders({ ...call, secrets: [call.secret] }),
            },
            body: call.body,
          },
          { timeoutMs: call.timeoutMs, maxBytes: MAX_ANSWER_BYTES },
        );
        if (answer.status < 200 || answer.status > 299)
          throw new HookCallError(`${where} answered HTTP ${answer.status}`, elapsed());
        text = answer.text;
      } catch (e) {
        if (e instanceof CallFailed) throw new HookCallError(e.message, elapsed());
        throw e;
      }
      try {
        return { json: JSON.parse(text) as unknown, latencyMs: elapsed() };
      } catch {
        throw new HookCallError(`${where} did not answer with JSON`, elapsed());
      }
    },
  };
}
