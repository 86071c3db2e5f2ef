import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * A real HTTP server on 127.0.0.1 that the test can take down and bring back on the same port
 * ("the target is down"), counting every request it answers.
 */
async function restartable(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
      });
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async down() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => server!.close(() => r()));
    },
    up: listen,
  };
}

/** A port nothing listens on (taken from the system, then closed): "the host is unreachable". */
export const closedPort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

export interface WebhookCall {
  path: string;
  type: string;
  key: string;
  idempotencyKey: string | undefined;
  data: Record<string, unknown>;
}

/**
 * A webhook receiver as an organisation would write one: it verifies each call's Standard Webhooks
 * signature with its secret (401 otherwise), applies each change once per `webhook-id` (a replay
 * gets the same answer and changes nothing), keeps who holds which target, and answers the list
 * endpoint (`/list`) with them. `failNext` makes the next calls answer 503.
 */
export async function webhookReceiver(secret: string, known: readonly string[]) {
  const verifier = new Webhook(secret);
  const members = new Map<string, Set<string>>();
  const done = new Map<string, unknown>();
  const calls: WebhookCall[] = [];
  let hits = 0;
  let failNext = 0;
  const holders = (target: string) => {
    let set = members.get(target);
    if (set === undefined) members.set(target, (set = new Set()));
    return set;
  };
  const server = await restartable((req, body, res) => {
    hits += 1;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    let payload: { type: string; data: Record<string, unknown> };
    try {
      payload = verifier.verify(body, headers) as typeof payload;
    } catch {
      return json(res, 401, { error: 'bad signature' });
    }
    const key = headers['webhook-id']!;
    calls.push({
      path: req.url ?? '',
      type: payload.type,
      key,
      idempotencyKey: headers['idempotency-key'],
      data: payload.data,
    });
    if (failNext > 0) {
      failNext -= 1;
      return json(res, 503, { error: 'busy' });
    }
    if (req.url === '/list') {
      const targets = payload.data.targets as string[];
      return json(res, 200, {
        grants: targets.flatMap((t) => [...holders(t)].map((login) => ({ target: t, login }))),
      });
    }
    if (done.has(key)) return json(res, 200, done.get(key));
    const { target, login } = payload.data as { target: string; login: string };
    let answer: unknown = { ok: true };
    switch (payload.type) {
      case 'elevate.access.grant':
        if (!known.includes(target)) return json(res, 404, { error: `no target ${target}` });
        holders(target).add(login);
        break;
      case 'elevate.access.revoke':
        holders(target).delete(login);
        break;
      case 'elevate.sessions.end':
        answer = { sessionsEnded: 1 };
        break;
      case 'elevate.connector.test':
        answer = { unknownTargets: (payload.data.targets as string[]).filter((t) => !known.includes(t)) };
        break;
      default:
        return json(res, 400, { error: 'unknown type' });
    }
    done.set(key, answer);
    return json(res, 200, answer);
  });
  return {
    ...server,
    url: (path = '/hooks') => `http://127.0.0.1:${server.port}${path}`,
    holders: (target: string) => [...holders(target)].sort(),
    /** A change by hand in the receiver, outside Elevate. */
    byHand: {
      add: (target: string, login: string) => void holders(target).add(login),
      remove: (target: string, login: string) => void holders(target).delete(login),
    },
    calls,
    get hits() {
      return hits;
    },
    failNext(n: number) {
      failNext = n;
    },
  };
}

interface ScimUser {
  id: string;
  userName: string;
  externalId?: string;
}
interface ScimGroup {
  id: string;
  displayName: string;
  members: Set<string>;
}

const SCIM_JSON = 'application/scim+json';
const scimError = (res: ServerResponse, status: number, detail: string, scimType?: string) =>
  json(
    res,
    status,
    {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      detail,
      ...(scimType === undefined ? {} : { scimType }),
    },
    SCIM_JSON,
  );

/**
 * A small, real SCIM 2.0 service provider (RFC 7644) under `/scim/v2`, in memory: Users (by id, or
 * listed with `filter=<attr> eq "<value>"`), Groups (by id, `members`), and `PATCH /Groups/{id}`
 * with a PatchOp adding `members` values or removing `members[value eq "…"]` (400 `noTarget` when
 * the filter matches nothing), or removing `members` with a value list, as Entra ID sends it.
 * Every request needs the bearer token (401 otherwise).
 */
export async function scimService(token: string) {
  const users = new Map<string, ScimUser>();
  const groups = new Map<string, ScimGroup>();
  const requests: { method: string; url: string; authorized: boolean }[] = [];
  const groupJson = (g: ScimGroup) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: g.id,
    displayName: g.displayName,
    members: [...g.members].map((value) => ({ value, display: users.get(value)?.userName })),
  });
  const userJson = (u: ScimUser) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...u });

  function patchGroup(g: ScimGroup, body: string, res: ServerResponse) {
    let op: { schemas?: unknown; Operations?: { op?: string; path?: string; value?: unknown }[] };
    try {
      op = JSON.parse(body) as typeof op;
    } catch {
      return scimError(res, 400, 'The body is not JSON.', 'invalidSyntax');
    }
    if (!Array.isArray(op.schemas) || !op.schemas.includes('urn:ietf:params:scim:api:messages:2.0:PatchOp'))
      return scimError(res, 400, 'A PatchOp message is expected.', 'invalidSyntax');
    const next = new Set(g.members);
    for (const o of op.Operations ?? []) {
      const kind = (o.op ?? '').toLowerCase();
      const filtered = /^members\[value eq "([^"]+)"\]$/.exec(o.path ?? '');
      if (kind === 'add' && o.path === 'members' && Array.isArray(o.value)) {
        for (const v of o.value as { value?: string }[]) {
          if (v.value === undefined || !users.has(v.value))
            return scimError(res, 400, `No user ${v.value}.`, 'invalidValue');
          next.add(v.value);
        }
      } else if (kind === 'remove' && filtered !== null) {
        if (!next.has(filtered[1]!)) return scimError(res, 400, 'The filter matched no member.', 'noTarget');
        next.delete(filtered[1]!);
      } else if (kind === 'remove' && o.path === 'members' && Array.isArray(o.value)) {
        for (const v of o.value as { value?: string }[]) next.delete(v.value ?? '');
      } else return scimError(res, 400, `Unsupported operation ${o.op} ${o.path}.`, 'invalidPath');
    }
    g.members = next;
    res.writeHead(204).end();
  }

  const server = await restartable((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://scim.test');
    const authorized = req.headers.authorization === `Bearer ${token}`;
    requests.push({ method: req.method ?? '', url: `${url.pathname}${url.search}`, authorized });
    if (!authorized) return scimError(res, 401, 'Authorization failure.');
    const path = url.pathname.replace(/^\/scim\/v2/, '');
    const user = /^\/Users\/([^/]+)$/.exec(path);
    const group = /^\/Groups\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && path === '/Users') {
      const f = /^(userName|externalId) eq "([^"]*)"$/.exec(url.searchParams.get('filter') ?? '');
      if (f === null) return scimError(res, 400, 'Unsupported filter.', 'invalidFilter');
      const [, attr, value] = f as unknown as [string, 'userName' | 'externalId', string];
      const found = [...users.values()].filter((u) =>
        attr === 'userName' ? u.userName.toLowerCase() === value.toLowerCase() : u.externalId === value,
      );
      return json(
        res,
        200,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: found.length,
          Resources: found.map(userJson),
        },
        SCIM_JSON,
      );
    }
    if (req.method === 'GET' && user !== null) {
      const u = users.get(decodeURIComponent(user[1]!));
      return u === undefined ? scimError(res, 404, 'No such user.') : json(res, 200, userJson(u), SCIM_JSON);
    }
    if (group !== null) {
      const g = groups.get(decodeURIComponent(group[1]!));
      if (g === undefined) return scimError(res, 404, 'No such group.');
      if (req.method === 'GET') return json(res, 200, groupJson(g), SCIM_JSON);
      if (req.method === 'PATCH') return patchGroup(g, body, res);
    }
    return scimError(res, 404, 'No such resource.');
  });

  return {
    ...server,
    url: () => `http://127.0.0.1:${server.port}/scim/v2`,
    requests,
    addUser(userName: string): string {
      const id = randomUUID();
      users.set(id, { id, userName });
      return id;
    },
    addGroup(displayName: string): string {
      const id = randomUUID();
      groups.set(id, { id, displayName, members: new Set() });
      return id;
    },
    members: (groupId: string) => [...(groups.get(groupId)?.members ?? [])].sort(),
    /** A change by hand in the provider, outside Elevate. */
    setMembers(groupId: string, ids: string[]) {
      groups.get(groupId)!.members = new Set(ids);
    },
  };
}
