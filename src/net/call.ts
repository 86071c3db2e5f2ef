import { OutboundAddressRefused, type OutboundFetch } from './outbound-fetch.js';

/** One outbound call's answer: its status, its body read up to a bound, where a redirect points. */
export interface CallAnswer {
  status: number;
  text: string;
  /** The `location` of a 3xx (never followed), else null. */
  location: string | null;
}

/** Why a call produced no answer. */
export type CallFailure = 'timeout' | 'unreachable' | 'refused' | 'tooLarge';

/**
 * A call that produced no answer; the message names the host only (paths and queries may carry
 * tokens) and is written to be shown as it is, so the error keeps the plain name `Error`.
 */
export class CallFailed extends Error {
  constructor(
    message: string,
    readonly reason: CallFailure,
  ) {
    super(message);
  }
}

/** A URL's host without path or query (they may carry tokens; messages land in logs and audit). */
export const hostOf = (url: string, otherwise = 'the receiver'): string => {
  try {
    return new URL(url).host;
  } catch {
    return otherwise;
  }
};

async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string | undefined> {
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One exchange with an administrator-configured URL (ADR 0052): through the address-guarded
 * `fetch`, one timeout for the whole exchange, the answer read up to `maxBytes`, redirects returned
 * and never followed. Every way of getting no answer is a `CallFailed` with a message fit for a
 * delivery error or a connector's status.
 */
export async function callOut(
  fetch: OutboundFetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  o: { timeoutMs: number; maxBytes: number },
): Promise<CallAnswer> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  const where = hostOf(url);
  const fail = (e: unknown): never => {
    const refused =
      e instanceof OutboundAddressRefused
        ? e
        : e instanceof Error && e.cause instanceof OutboundAddressRefused
          ? e.cause
          : undefined;
    if (refused !== undefined)
      throw new CallFailed(`refused to call ${where}: ${refused.message}`, 'refused');
    if (signal.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')))
      throw new CallFailed(`${where} did not answer within ${o.timeoutMs} ms`, 'timeout');
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    throw new CallFailed(`could not reach ${where}${cause}`, 'unreachable');
  };
  try {
    const res = await fetch(url, { ...init, signal });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    const text = await readBounded(res.body, o.maxBytes);
    if (text === undefined)
      throw new CallFailed(`${where}: the answer is larger than ${o.maxBytes} bytes`, 'tooLarge');
    return { status: res.status, text, location };
  } catch (e) {
    if (e instanceof CallFailed) throw e;
    return fail(e);
  }
}
