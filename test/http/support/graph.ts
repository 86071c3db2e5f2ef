import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ownTables } from '../../helpers/db.js';
import { PUBLIC_URL, type TestServer } from '../../helpers/server.js';

export type Headers = Record<string, string>;
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** `@odata.context` Elevate writes for a fragment, e.g. `users/$entity`. */
export const ctx = (fragment: string) => `${PUBLIC_URL}/v1.0/$metadata#${fragment}`;

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Graph's DateTimeOffset as Elevate writes it: ISO 8601, UTC, milliseconds. */
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** One `app.inject()` with a JSON payload (objects are serialised by light-my-request). */
export async function call(
  s: Pick<TestServer, 'app'>,
  method: Method,
  url: string,
  headers: Headers = {},
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/**
 * Asserts the exact Graph error envelope: status, `code`, the message (exact or matching), the
 * `request-id` header equal to `innerError['request-id']`, Graph's innerError date format, and the
 * `client-request-id`: the one sent when accepted, else the generated one (the request id).
 */
export function expectGraphError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  message?: string | RegExp,
  extra: { target?: string; clientRequestId?: string } = {},
): void {
  expect({ status: res.statusCode, body: res.body.slice(0, 500) }).toMatchObject({ status });
  const requestId = res.headers['request-id'];
  expect(requestId).toMatch(GUID);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body).toStrictEqual({
    error: {
      code,
      message: typeof message === 'string' ? message : expect.stringMatching(message ?? /\S/),
      ...(extra.target !== undefined ? { target: extra.target } : {}),
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': requestId,
        'client-request-id': extra.clientRequestId ?? requestId,
      },
    },
  });
}

/** Like {@link expectGraphError} for any 4xx, without fixing the code or message. */
export function expectClientError(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({
    code: expect.stringMatching(/^\w+$/),
    message: expect.any(String),
    innerError: { 'request-id': res.headers['request-id'] },
  });
  expect(res.headers['request-id']).toMatch(GUID);
}

export type DbSnapshot = Record<string, unknown[]>;

/** The audit log's tables: refused requests (403, 404, state conflicts) may append to them. */
export const AUDIT_TABLES = /^audit/;

/**
 * Every row of every table in the test's database (found by introspection, so tables added later
 * are covered too), rows sorted, so two snapshots are equal exactly when nothing changed.
 * `except` leaves tables out by name, e.g. {@link AUDIT_TABLES} where a refused request is rightly
 * audited.
 */
export async function dbSnapshot(s: Pick<TestServer, 'db'>, except?: RegExp): Promise<DbSnapshot> {
  const kysely = s.db.kysely;
  const tables = (await ownTables(s.db))
    .filter((t) => !t.isView && !except?.test(t.name))
    .map((t) => t.name)
    .sort();
  const out: DbSnapshot = {};
  for (const name of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(kysely);
    out[name] = rows.rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    (out[name] as string[]).sort();
  }
  return out;
}

/** A Graph collection page. */
export interface Page<T = Record<string, unknown>> {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: T[];
}

/** GETs `url` and every `@odata.nextLink` after it; returns the pages' bodies in order. */
export async function followPages(
  s: Pick<TestServer, 'app'>,
  headers: Headers,
  url: string,
  maxPages = 100,
): Promise<Page[]> {
  const pages: Page[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    expect(pages.length, 'too many pages').toBeLessThan(maxPages);
    const res = await call(s, 'GET', next, headers);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const body = res.json<Page>();
    pages.push(body);
    const link: string | undefined = body['@odata.nextLink'];
    if (link !== undefined) expect(link.startsWith(`${PUBLIC_URL}/v1.0/`)).toBe(true);
    next = link?.slice(PUBLIC_URL.length);
  }
  return pages;
}

/** `?$filter=…` with the expression URL-encoded. */
export const filterQuery = (expression: string) => `$filter=${encodeURIComponent(expression)}`;
