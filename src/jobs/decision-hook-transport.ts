import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { HookCallError, type HookTransport } from '../app/decision-hooks/ports.js';

/** Largest answer read from a hook; a decision is a few bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The hook, named without path or query (they may carry tokens; messages land in the audit log). */
const where = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'the hook';
  }
};

async function readBounded(res: Response): Promise<string> {
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Calls decision hooks: a Standard Webhooks POST (`webhook-id`, `webhook-timestamp` in seconds,
 * `webhook-signature` = `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), JSON body, redirects not
 * followed, the hook's own timeout for the whole exchange. Resolves with the JSON of a 2xx answer;
 * anything else is a `HookCallError` naming what went wrong and how long it took.
 */
export function decisionHookTransport(o: { userAgent?: string } = {}): HookTransport {
  return {
    async post(call) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const signal = AbortSignal.timeout(call.timeoutMs);
      const fail = (e: unknown): never => {
        const timedOut =
          signal.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
        if (timedOut)
          throw new HookCallError(`${where(call.url)} did not answer within ${call.timeoutMs} ms`, elapsed());
        const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
        throw new HookCallError(`could not reach ${where(call.url)}${cause}`, elapsed());
      };
      let res: Response;
      try {
        res = await fetch(call.url, {
          method: 'POST',
          redirect: 'manual',
          signal,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': o.userAgent ?? 'Elevate-DecisionHooks/1',
            'webhook-id': call.id,
            'webhook-timestamp': String(Math.floor(call.timestamp / 1000)),
            'webhook-signature': new Webhook(call.secret).sign(call.id, new Date(call.timestamp), call.body),
          },
          body: call.body,
        });
      } catch (e) {
        return fail(e);
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => undefined);
        throw new HookCallError(`${where(call.url)} answered HTTP ${res.status}`, elapsed());
      }
      let text: string;
      try {
        text = await readBounded(res);
      } catch (e) {
        if (signal.aborted) return fail(e);
        throw new HookCallError(
          `${where(call.url)} sent an unreadable answer (${e instanceof Error ? e.message : 'error'})`,
          elapsed(),
        );
      }
      try {
        return { json: JSON.parse(text) as unknown, latencyMs: elapsed() };
      } catch {
        throw new HookCallError(`${where(call.url)} did not answer with JSON`, elapsed());
      }
    },
  };
}
