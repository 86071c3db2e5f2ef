import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  groupFields,
  roleAssignmentFields,
  roleDefinitionFields,
  servicePrincipalFields,
  userFields,
} from '../../src/odata/collections.js';
import type { FieldMap } from '../../src/odata/index.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, dbSnapshot, expectClientError, type DbSnapshot, type Headers } from './support/graph.js';
import { createGroup, createUser, ROLES } from './support/fixtures.js';

const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 60);

let s: TestServer;
let h: Headers;
let before: DbSnapshot;
let collections: { url: string; fields: FieldMap }[];

beforeAll(async () => {
  s = await testServer();
  h = await s.admin();
  await createUser(s, h, { jobTitle: 'Engineer' });
  const group = await createGroup(s, h);
  collections = [
    { url: '/v1.0/users', fields: userFields },
    { url: '/v1.0/groups', fields: groupFields },
    { url: `/v1.0/groups/${group.id}/members`, fields: { id: { column: 'member_id', type: 'guid' } } },
    { url: '/v1.0/servicePrincipals', fields: servicePrincipalFields },
    { url: `${ROLES}/roleDefinitions`, fields: roleDefinitionFields },
    { url: `${ROLES}/roleAssignments`, fields: roleAssignmentFields },
  ];
  before = await dbSnapshot(s);
});
afterAll(() => s.close());

/** A 2xx collection page, or a 4xx Graph envelope; never a 5xx. */
function expectHandled(res: Awaited<ReturnType<typeof call>>) {
  if (res.statusCode === 200) {
    expect(res.json()).toHaveProperty('value');
    return;
  }
  expectClientError(res);
}

const collection = () => fc.nat().map((i) => collections[i % collections.length]!);
const literal = fc.oneof(
  fc.constantFrom(
    'null',
    'true',
    'false',
    '0',
    '-1',
    '1.5',
    '1e308',
    '9999999999999999999',
    "''",
    "'x'",
    "'O''Neil'",
  ),
  fc.constantFrom('2024-01-01T00:00:00Z', '2024-13-45T99:99:99Z', '2024-01-01', "'2024-01-01T00:00:00Z'"),
  fc
    .uuid()
    .map((u) => [u, `'${u}'`, u.toUpperCase()])
    .chain((xs) => fc.constantFrom(...xs)),
  fc.string({ unit: 'binary', maxLength: 8 }).map((x) => `'${x.replaceAll("'", "''")}'`),
  fc.string({ maxLength: 8 }),
);
const TOKENS = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'and',
  'or',
  'not',
  'in',
  '(',
  ')',
  ',',
  '/',
  'startswith(',
  'endswith(',
  'contains(',
  'any(',
  'x:',
  '$it',
  '$count',
  ' ',
];

/** Random expressions built from the collection's own properties, operators and literals of every type. */
const filterFor = (fields: FieldMap) =>
  fc
    .array(fc.oneof(fc.constantFrom(...Object.keys(fields)), fc.constantFrom(...TOKENS), literal), {
      minLength: 1,
      maxLength: 9,
    })
    .map((parts) => parts.join(' '));

/** Comparisons `property op literal` that parse: type mismatches must still be 400, not a database error. */
const comparisonFor = (fields: FieldMap) =>
  fc
    .tuple(
      fc.constantFrom(...Object.keys(fields)),
      fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le'),
      literal,
    )
    .map(([f, op, v]) => `${f} ${op} ${v}`);

async function check<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>) {
  await fc.assert(property, { numRuns: RUNS });
  expect(await dbSnapshot(s)).toStrictEqual(before);
}

describe('bad query strings and ids get a 4xx Graph envelope (or a page) and change nothing', () => {
  it("random $filter token soup over each collection's properties", () =>
    check(
      fc.asyncProperty(
        collection().chain((c) => fc.tuple(fc.constant(c), filterFor(c.fields))),
        async ([c, filter]) => {
          expectHandled(await call(s, 'GET', `${c.url}?$filter=${encodeURIComponent(filter)}`, h));
        },
      ),
    ));

  it('well-formed comparisons with literals of every type', () =>
    check(
      fc.asyncProperty(
        collection().chain((c) => fc.tuple(fc.constant(c), comparisonFor(c.fields))),
        async ([c, filter]) => {
          expectHandled(
            await call(
              s,
              'GET',
              `${c.url}?$filter=${encodeURIComponent(filter)}&$orderby=id desc&$count=true`,
              h,
            ),
          );
        },
      ),
    ));

  it('random values for every system query option, and made-up options', () =>
    check(
      fc.asyncProperty(
        collection(),
        fc.constantFrom(
          '$filter',
          '$select',
          '$orderby',
          '$top',
          '$skip',
          '$skiptoken',
          '$count',
          '$search',
          '$expand',
          '$format',
          '$FILTER',
          '$apply',
          'filter',
        ),
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.constantFrom('', ' ', '-1', '1e3', '0x10', 'null'),
        ),
        async (c, option, value) => {
          expectHandled(await call(s, 'GET', `${c.url}?${option}=${encodeURIComponent(value)}`, h));
        },
      ),
    ));

  it('raw, badly encoded query strings', () =>
    check(
      fc.asyncProperty(
        collection(),
        fc.string({
          unit: fc.constantFrom(
            '%',
            '$',
            '&',
            '=',
            '+',
            '#',
            "'",
            '"',
            ' ',
            'a',
            'F',
            '0',
            '\u00e9',
            '\u0000',
          ),
          maxLength: 40,
        }),
        async (c, raw) => {
          let res;
          try {
            res = await s.app.inject({ method: 'GET', url: `${c.url}?${raw}`, headers: h });
          } catch {
            return; // light-my-request refuses some URLs itself (e.g. NUL); they never reach the server
          }
          expectHandled(res);
        },
      ),
    ));

  it('random object ids in paths for GET, PATCH and DELETE', () =>
    check(
      fc.asyncProperty(
        fc.constantFrom(
          '/v1.0/users/',
          '/v1.0/groups/',
          '/v1.0/servicePrincipals/',
          `${ROLES}/roleDefinitions/`,
          `${ROLES}/roleAssignments/`,
        ),
        fc.constantFrom('GET' as const, 'DELETE' as const, 'PATCH' as const),
        fc
          .oneof(
            fc.string({ minLength: 1, maxLength: 60 }),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 600 }),
          )
          // A dot segment is no id: URL resolution removes it before sending (RFC 3986 §5.2.4),
          // so `/v1.0/users/.` is the collection `/v1.0/users/`, rightly 200.
          .filter((id) => id !== '.' && id !== '..'),
        async (prefix, method, id) => {
          const res = await call(
            s,
            method,
            `${prefix}${encodeURIComponent(id)}`,
            h,
            method === 'PATCH' ? { displayName: 'x' } : undefined,
          );
          expect(res.statusCode, res.body.slice(0, 200)).not.toBe(200);
          expectClientError(res);
        },
      ),
    ));

  it('random Authorization headers', () =>
    check(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.string({ maxLength: 200 }).map((t) => `Bearer ${t}`),
          fc.base64String().map((t) => `Bearer ${t}.${t}.${t}`),
        ),
        async (authorization) => {
          let res;
          try {
            res = await s.app.inject({ method: 'GET', url: '/v1.0/users', headers: { authorization } });
          } catch {
            return; // not a valid HTTP header value; cannot be sent
          }
          expect(res.statusCode).toBe(401);
          expectClientError(res);
        },
      ),
    ));
});
