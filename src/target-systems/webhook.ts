import { randomUUID } from 'node:crypto';
import {
  TargetUnavailableError,
  type TargetCall,
  type TargetCheck,
  type TargetSystem,
} from '../app/connectors/ports.js';
import type { ConnectorSettings } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { answerError, exchange, hostOf, jsonOf, type HttpAnswer } from './outbound.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';
import { signedHeaders } from '../net/standard-webhooks.js';

/** The calls Elevate makes to a webhook receiver (docs/connectors.md "Webhook"). */
export const WEBHOOK_CALLS = {
  grant: 'elevate.access.grant',
  revoke: 'elevate.access.revoke',
  list: 'elevate.access.list',
  endSessions: 'elevate.sessions.end',
  test: 'elevate.connector.test',
} as const;

/** A receiver's words in one bounded line, for the audit log and `test`. */
const detailOf = (text: string) =>
  text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 200);

const isGrant = (g: unknown): g is ActualGrant =>
  typeof g === 'object' &&
  g !== null &&
  typeof (g as ActualGrant).target === 'string' &&
  typeof (g as ActualGrant).login === 'string';

/**
 * Webhook (ADR 0039, docs/connectors.md): each grant, revoke and (with `endSessions`) session end
 * is a Standard Webhooks POST to `url`: `webhook-id` and `idempotency-key` (the change's key, the
 * same on a retry), `webhook-timestamp`, `webhook-signature` (HMAC-SHA256 with the connector's
 * `whsec_` secret), a JSON body `{type, timestamp, data}`. A 2xx answer is done. With `listUrl`
 * Elevate asks the receiver what it has granted (`elevate.access.list`, answer
 * `{"grants":[{"target","login"}]}`) and repairs drift; without it `list` is null and Elevate's
 * records of its own calls are the actual state.
 */
export function webhookTarget(
  s: ConnectorSettings,
  secret: string | null,
  fetch: OutboundFetch,
): TargetSystem {
  const url = s.url ?? '';
  const where = `the receiver at ${hostOf(url)}`;

  async function send(
    to: string,
    type: string,
    data: unknown,
    key = `elevate.${randomUUID()}`,
  ): Promise<HttpAnswer> {
    if (secret === null)
      throw new TargetUnavailableError(
        'The webhook connector has no secret: set one, the receiver verifies each call with it.',
      );
    // The signature's timestamp is checked against the receiver's clock (a replay window), so it
    // is the wall-clock time of sending, not the injected domain clock.
    const at = new Date();
    const body = JSON.stringify({ type, timestamp: at.toISOString(), data });
    return exchange(fetch, to, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'Elevate-Connectors/1',
        'idempotency-key': key,
        ...signedHeaders({ id: key, timestamp: at.getTime(), body, secrets: [secret] }),
      },
      body,
    });
  }

  /** A change the receiver must acknowledge with a 2xx. */
  async function change(type: string, data: unknown, call: TargetCall | undefined): Promise<HttpAnswer> {
    const a = await send(url, type, data, call?.key);
    if (a.status < 200 || a.status > 299)
      throw answerError(`The receiver at ${hostOf(url)}`, a, detailOf(a.text));
    return a;
  }

  async function list(targets: readonly string[]): Promise<ActualGrant[] | null> {
    if (s.listUrl === null) return null;
    const a = await send(s.listUrl, WEBHOOK_CALLS.list, { targets });
    if (a.status < 200 || a.status > 299)
      throw answerError(`The list endpoint at ${hostOf(s.listUrl)}`, a, detailOf(a.text));
    const grants = (jsonOf(a.text) as { grants?: unknown } | undefined)?.grants;
    if (!Array.isArray(grants))
      throw new TargetUnavailableError(
        `The list endpoint at ${hostOf(s.listUrl)} did not answer {"grants":[{"target","login"}]}.`,
      );
    const wanted = new Set(targets);
    return grants
      .filter(isGrant)
      .filter((g) => wanted.has(g.target))
      .map((g) => ({ target: g.target, login: g.login.toLowerCase() }));
  }

  return {
    async grant(g, call) {
      await change(WEBHOOK_CALLS.grant, { target: g.target, login: g.login }, call);
    },

    async revoke(g, call) {
      await change(WEBHOOK_CALLS.revoke, { target: g.target, login: g.login }, call);
    },

    list,

    ...(s.endSessions
      ? {
          async endSessions(login: string, call?: TargetCall) {
            const a = await change(WEBHOOK_CALLS.endSessions, { login }, call);
            const n = (jsonOf(a.text) as { sessionsEnded?: unknown } | undefined)?.sessionsEnded;
            return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
          },
        }
      : {}),

    async test(targets): Promise<TargetCheck> {
      if (secret === null)
        return {
          ok: false,
          message: 'The webhook connector has no secret: set one, the receiver verifies each call with it.',
        };
      let a: HttpAnswer;
      try {
        a = await send(url, WEBHOOK_CALLS.test, { targets });
      } catch (e) {
        return {
          ok: false,
          message: `Could not call the receiver: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
      if (a.status === 401 || a.status === 403)
        return {
          ok: false,
          message: `${capital(where)} refused the signed test call (HTTP ${a.status}): check that it verifies signatures with this connector's secret.`,
        };
      if (a.status < 200 || a.status > 299)
        return { ok: false, message: `${capital(where)} answered the test call with HTTP ${a.status}.` };
      const unknown = (jsonOf(a.text) as { unknownTargets?: unknown } | undefined)?.unknownTargets;
      if (Array.isArray(unknown) && unknown.length > 0)
        return {
          ok: false,
          message: `${capital(where)} does not know the mapped target(s) ${unknown
            .slice(0, 5)
            .map((t) => JSON.stringify(String(t)))
            .join(', ')}.`,
        };
      if (s.listUrl !== null)
        try {
          await list(targets);
        } catch (e) {
          return {
            ok: false,
            message: `The list endpoint failed: ${e instanceof Error ? e.message : String(e)}`,
          };
        }
      return {
        ok: true,
        message: `${capital(where)} accepted the signed test call for ${targets.length} mapped target(s); ${
          s.listUrl === null
            ? 'no list endpoint: Elevate tracks its own calls.'
            : 'its list endpoint answered.'
        }`,
      };
    },

    close: async () => undefined,
  };
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
