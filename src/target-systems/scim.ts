import { performance } from 'node:perf_hooks';
import type { TargetCheck, TargetSystem } from '../app/connectors/ports.js';
import type { ConnectorSettings, ScimUserAttribute } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { answerError, exchange, hostOf, jsonOf, type HttpAnswer } from './outbound.js';
import type { OutboundFetch } from '../net/outbound-fetch.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** How long a login's SCIM user id is trusted before it is looked up again (a renamed user). */
const USER_CACHE_MS = 10 * 60_000;

/** A SCIM string literal in a filter (RFC 7644 §3.4.2.2: a JSON string). */
const literal = (v: string) => JSON.stringify(v);

interface ScimMember {
  value?: unknown;
  type?: unknown;
}

/** The attribute's value of a SCIM user as Elevate compares it with a login (lower case). */
function attributeOf(user: unknown, attribute: ScimUserAttribute): string | null {
  if (typeof user !== 'object' || user === null) return null;
  const u = user as { userName?: unknown; externalId?: unknown; emails?: unknown };
  if (attribute === 'emails.value') {
    const emails = Array.isArray(u.emails) ? (u.emails as { value?: unknown; primary?: unknown }[]) : [];
    const email = emails.find((e) => e.primary === true) ?? emails[0];
    return typeof email?.value === 'string' ? email.value.toLowerCase() : null;
  }
  const v = u[attribute];
  return typeof v === 'string' ? v.toLowerCase() : null;
}

/**
 * SCIM 2.0 out (ADR 0039, docs/connectors.md): membership of a group in any SCIM service provider,
 * changed with RFC 7644 `PATCH /Groups/{id}` (`add` of `members`, `remove` of
 * `members[value eq "<user id>"]`) and read with `GET /Groups/{id}?attributes=members`. A login is
 * the target user whose `scimUserAttribute` (default `userName`) equals it, found with
 * `GET /Users?filter=… eq "…"` and cached for ten minutes. The secret is the bearer token.
 */
export function scimTarget(s: ConnectorSettings, secret: string | null, fetch: OutboundFetch): TargetSystem {
  const base = (s.url ?? '').replace(/\/+$/, '');
  const where = `SCIM at ${hostOf(base)}`;
  const attribute: ScimUserAttribute = s.scimUserAttribute ?? 'userName';
  const ids = new Map<string, { id: string; at: number }>();
  const logins = new Map<string, { login: string | null; at: number }>();
  // A cache age, not a domain time: the monotonic clock of the process.
  const fresh = (at: number) => performance.now() - at < USER_CACHE_MS;

  const headers = (body: boolean): Record<string, string> => ({
    accept: 'application/scim+json, application/json',
    'user-agent': 'Elevate-Connectors/1',
    ...(body ? { 'content-type': 'application/scim+json' } : {}),
    ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
  });
  const get = (path: string) => exchange(fetch, `${base}${path}`, { method: 'GET', headers: headers(false) });
  const patch = (groupId: string, operations: unknown[]) =>
    exchange(fetch, `${base}/Groups/${encodeURIComponent(groupId)}`, {
      method: 'PATCH',
      headers: headers(true),
      body: JSON.stringify({ schemas: [PATCH_OP], Operations: operations }),
    });
  /** A SCIM error's `detail`, bounded to a line. */
  const detailOf = (a: HttpAnswer) => {
    const d = (jsonOf(a.text) as { detail?: unknown } | undefined)?.detail;
    return typeof d === 'string' ? d.replace(/\p{Cc}+/gu, ' ').slice(0, 200) : '';
  };
  const fail = (a: HttpAnswer) => answerError(where, a, detailOf(a));

  /** The target's user id of a login, or null when no user has it. */
  async function userIdOf(login: string): Promise<string | null> {
    const cached = ids.get(login);
    if (cached !== undefined && fresh(cached.at)) return cached.id;
    const filter = encodeURIComponent(`${attribute} eq ${literal(login)}`);
    const a = await get(`/Users?filter=${filter}&attributes=id`);
    if (a.status !== 200) throw fail(a);
    const found = (jsonOf(a.text) as { Resources?: { id?: unknown }[] } | undefined)?.Resources ?? [];
    const matches = found.filter((r) => typeof r.id === 'string');
    if (matches.length > 1)
      throw new Error(
        `${matches.length} users have ${attribute} "${login}" in ${where}: which one is ambiguous.`,
      );
    const id = matches[0]?.id as string | undefined;
    if (id === undefined) return null;
    ids.set(login, { id, at: performance.now() });
    logins.set(id, { login, at: performance.now() });
    return id;
  }

  /** The login of a target user id (its attribute, lower case), or null for none. */
  async function loginOfId(id: string): Promise<string | null> {
    const cached = logins.get(id);
    if (cached !== undefined && fresh(cached.at)) return cached.login;
    const a = await get(`/Users/${encodeURIComponent(id)}?attributes=${attribute.split('.')[0]}`);
    if (a.status === 404) return null;
    if (a.status !== 200) throw fail(a);
    const login = attributeOf(jsonOf(a.text), attribute);
    logins.set(id, { login, at: performance.now() });
    return login;
  }

  const missingGroup = (target: string) => new Error(`The group "${target}" does not exist in ${where}.`);

  return {
    async grant({ target, login }) {
      const id = await userIdOf(login);
      if (id === null) throw new Error(`No user has ${attribute} "${login}" in ${where}.`);
      const a = await patch(target, [{ op: 'add', path: 'members', value: [{ value: id }] }]);
      if (a.status === 404) throw missingGroup(target);
      if (a.status < 200 || a.status > 299) throw fail(a);
    },

    async revoke({ target, login }) {
      const id = await userIdOf(login);
      if (id === null) return; // no such user there: no membership to take back
      const a = await patch(target, [{ op: 'remove', path: `members[value eq ${literal(id)}]` }]);
      // RFC 7644 §3.5.2.2: a filter that matches nothing is `noTarget`; the member is not there.
      if (a.status === 400 && (jsonOf(a.text) as { scimType?: unknown } | undefined)?.scimType === 'noTarget')
        return;
      if (a.status === 404) throw missingGroup(target);
      if (a.status < 200 || a.status > 299) throw fail(a);
    },

    async list(targets) {
      const found: ActualGrant[] = [];
      for (const target of targets) {
        const a = await get(`/Groups/${encodeURIComponent(target)}?attributes=members`);
        if (a.status === 404) continue;
        if (a.status !== 200) throw fail(a);
        const members = (jsonOf(a.text) as { members?: ScimMember[] } | undefined)?.members ?? [];
        for (const m of members) {
          if (typeof m.value !== 'string' || m.type === 'Group') continue;
          const login = await loginOfId(m.value);
          if (login !== null) found.push({ target, login });
        }
      }
      return found;
    },

    async test(targets): Promise<TargetCheck> {
      try {
        for (const t of targets) {
          const a = await get(`/Groups/${encodeURIComponent(t)}?attributes=id`);
          if (a.status === 404)
            return { ok: false, message: `The mapped group "${t}" does not exist in ${where}.` };
          if (a.status === 401 || a.status === 403)
            return { ok: false, message: `${where} refused the bearer token (HTTP ${a.status}).` };
          if (a.status !== 200)
            return { ok: false, message: `${where} answered HTTP ${a.status} for group "${t}".` };
        }
        const a = await get(`/Users?filter=${encodeURIComponent(`${attribute} eq ""`)}&attributes=id`);
        if (a.status === 401 || a.status === 403)
          return { ok: false, message: `${where} refused the bearer token (HTTP ${a.status}).` };
        if (a.status !== 200)
          return {
            ok: false,
            message: `${where} cannot look users up by ${attribute} (GET /Users?filter=… answered HTTP ${a.status}).`,
          };
      } catch (e) {
        return {
          ok: false,
          message: `Could not call ${where}: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
      return {
        ok: true,
        message: `Connected to ${where}; ${targets.length} mapped group(s) found; users are looked up by ${attribute}.`,
      };
    },

    close: async () => undefined,
  };
}
