import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  call,
  dbSnapshot,
  expectGraphError,
  type DbSnapshot,
  type Headers,
  type Method,
} from './support/graph.js';
import { ROLES } from './support/fixtures.js';

// PostgreSQL rejects U+0000 in text ("invalid byte sequence"), SQLite stores it: without a guard at
// the edge these requests were 500 on PostgreSQL and accepted on SQLite.
describe('NUL characters are refused with 400 on every dialect', () => {
  let s: TestServer;
  let h: Headers;
  let before: DbSnapshot;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    before = await dbSnapshot(s);
  });
  afterAll(() => s.close());

  const filter = (expression: string) => `$filter=${encodeURIComponent(expression)}`;
  const cases: [string, Method, string, unknown, string, string | undefined][] = [
    [
      'a body string',
      'POST',
      '/v1.0/users',
      { accountEnabled: true, displayName: 'a\u0000b', userPrincipalName: 'nul@contoso.test' },
      'body',
      'displayName',
    ],
    [
      'a UPN',
      'POST',
      '/v1.0/users',
      { accountEnabled: true, displayName: 'ab', userPrincipalName: 'n\u0000ul@contoso.test' },
      'body',
      'userPrincipalName',
    ],
    [
      'a nested body string',
      'POST',
      `${ROLES}/roleDefinitions`,
      {
        displayName: 'x',
        isEnabled: true,
        rolePermissions: [{ allowedResourceActions: ['microsoft.directory/\u0000'] }],
      },
      'body',
      'rolePermissions.0.allowedResourceActions.0',
    ],
    ['a body key', 'POST', '/v1.0/servicePrincipals', { displayName: 'x', ['a\u0000']: 1 }, 'body', 'a\\0'],
    [
      'a $filter literal',
      'GET',
      `/v1.0/users?${filter("displayName eq 'a\u0000'")}`,
      undefined,
      'querystring',
      '$filter',
    ],
    [
      'a startswith argument',
      'GET',
      `/v1.0/groups?${filter("startswith(displayName,'\u0000')")}`,
      undefined,
      'querystring',
      '$filter',
    ],
    ['a path id', 'GET', '/v1.0/users/a%00b', undefined, 'params', 'id'],
    ['a path UPN', 'GET', '/v1.0/users/a%00b@contoso.test', undefined, 'params', 'id'],
    ['a role assignment id', 'DELETE', `${ROLES}/roleAssignments/a%00`, undefined, 'params', 'id'],
  ];

  it.each(cases)('in %s', async (_name, method, url, body, where, target) => {
    const res = await call(s, method, url, h, body);
    expectGraphError(
      res,
      400,
      'invalidRequest',
      `Invalid ${where} property '${target}': must not contain NUL characters.`,
      {
        ...(target ? { target } : {}),
      },
    );
  });

  it('left the database unchanged', async () => {
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });
});
