import { TargetUnavailableError } from '../app/connectors/ports.js';
import { CallFailed, callOut, hostOf as hostOfUrl, type CallAnswer } from '../net/call.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';

/** How long one call to a connector's HTTP target may take, answer included. */
export const HTTP_TARGET_TIMEOUT_MS = 10_000;
/** The largest answer read from a webhook receiver or a SCIM service (a member list included). */
export const MAX_HTTP_ANSWER_BYTES = 4 * 1024 * 1024;

/** The target named without path or query (they may carry tokens; messages land in the audit log). */
export const hostOf = (url: string): string => hostOfUrl(url, 'the target');

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * A target's answer as an error: unauthorised, rate limited and server errors mean the target as a
 * whole cannot be used now (`TargetUnavailableError`, the reconcile backs off); other 4xx refuse
 * this one change.
 */
export function answerError(what: string, a: HttpAnswer, detail = ''): Error {
  const message = `${what} answered HTTP ${a.status}${detail === '' ? '' : `: ${detail}`}`;
  return a.status === 401 || a.status === 403 || a.status === 408 || a.status === 429 || a.status >= 500
    ? new TargetUnavailableError(message)
    : new Error(message);
}

/**
 * One HTTP exchange with a connector's target (ADR 0039) through the address-guarded `fetch` (ADR
 * 0052): a timeout for the whole exchange, the answer read up to a bound, and no redirect followed
 * (a 3xx is an error naming where it pointed: a target that moves is reconfigured by its
 * administrator, never followed to another host with Elevate's signature or token). Network
 * failures, timeouts, refused addresses and oversized answers are `TargetUnavailableError`.
 */
export async function exchange(
  fetch: OutboundFetch,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  o: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<HttpAnswer> {
  let answer: CallAnswer;
  try {
    answer = await callOut(fetch, url, init, {
      timeoutMs: o.timeoutMs ?? HTTP_TARGET_TIMEOUT_MS,
      maxBytes: o.maxBytes ?? MAX_HTTP_ANSWER_BYTES,
    });
  } catch (e) {
    if (e instanceof CallFailed) throw new TargetUnavailableError(e.message);
    throw e;
  }
  if (answer.status >= 300 && answer.status < 400) {
    const to = answer.location;
    throw new TargetUnavailableError(
      `${hostOf(url)} answered HTTP ${answer.status} (a redirect${to === null ? '' : ` to ${hostOf(new URL(to, url).toString())}`}); Elevate does not follow redirects: set the final URL`,
    );
  }
  return { status: answer.status, text: answer.text };
}

/** The JSON of an answer, or undefined when it is empty or not JSON. */
export function jsonOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
