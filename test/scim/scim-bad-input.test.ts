// Bad SCIM input gets an RFC 7644 §3.12 error with the right status and scimType, and changes
// nothing (every table compared before and after, the audit log aside: refusals may be audited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { AUDIT_TABLES, call, dbSnapshot, UNKNOWN_ID } from '../http/support/graph.js';
import {
  expectScimError,
  GROUP_SCHEMA,
  PATCH_OP,
  SCIM_BASE,
  scimClient,
  scimServer,
  USER_SCHEMA,
  type Json,
  type ScimClient,
} from './support.js';

let s: TestServer;
let scim: ScimClient;
let userId: string;
let groupId: string;

beforeAll(async () => {
  ({ s, scim } = await scimServer());
  const user = await scim.call('POST', '/Users', {
    schemas: [USER_SCHEMA],
    userName: 'kept@contoso.test',
    displayName: 'Kept',
  });
  userId = user.json<Json>()['id'] as string;
  const group = await scim.call('POST', '/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'Kept',
    members: [{ value: userId }],
  });
  groupId = group.json<Json>()['id'] as string;
});
afterAll(() => s.close());

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const long = 'x'.repeat(10_000);

type Case = [
  name: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: () => string,
  body: unknown,
  status: number,
  scimType?: string,
];

const CASES: Case[] = [
  [
    'a filter that does not parse',
    'GET',
    () => `/Users?filter=${encodeURIComponent('userName eq')}`,
    undefined,
    400,
    'invalidFilter',
  ],
  [
    'a filter with an unbalanced parenthesis',
    'GET',
    () => `/Users?filter=${encodeURIComponent('(userName eq "a"')}`,
    undefined,
    400,
    'invalidFilter',
  ],
  [
    'a filter on an unknown attribute',
    'GET',
    () => `/Users?filter=${encodeURIComponent('password eq "x"')}`,
    undefined,
    400,
    'invalidFilter',
  ],
  ['an over-long filter', 'GET', () => `/Groups?filter=${'a'.repeat(1001)}`, undefined, 400, 'invalidFilter'],
  ['a non-numeric count', 'GET', () => '/Users?count=ten', undefined, 400, 'invalidValue'],
  [
    'attributes and excludedAttributes together',
    'GET',
    () => '/Users?attributes=userName&excludedAttributes=name',
    undefined,
    400,
    'invalidSyntax',
  ],
  [
    'an unknown attribute asked for',
    'GET',
    () => `/Users/${userId}?attributes=secret`,
    undefined,
    400,
    'invalidValue',
  ],
  ['an unknown user', 'GET', () => `/Users/${UNKNOWN_ID}`, undefined, 404],
  [
    'a user id that is no id',
    'PUT',
    () => '/Users/not-an-id',
    { schemas: [USER_SCHEMA], userName: 'a@b.c' },
    404,
  ],
  [
    'an unknown group',
    'PATCH',
    () => `/Groups/${UNKNOWN_ID}`,
    patch({ op: 'replace', path: 'displayName', value: 'x' }),
    404,
  ],
  ['an unknown group deleted', 'DELETE', () => `/Groups/${UNKNOWN_ID}`, undefined, 404],
  ['an unknown endpoint', 'GET', () => '/Bulk', undefined, 404],
  ['a body that is not JSON', 'POST', () => '/Users', '{"schemas":', 400, 'invalidSyntax'],
  ['a body that is an array', 'POST', () => '/Users', '[]', 400, 'invalidSyntax'],
  [
    'a user without its schema',
    'POST',
    () => '/Users',
    { userName: 'new@contoso.test' },
    400,
    'invalidSyntax',
  ],
  [
    'a user without userName',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], displayName: 'x' },
    400,
    'invalidValue',
  ],
  [
    'a userName of the wrong type',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 42 },
    400,
    'invalidValue',
  ],
  [
    'a userName that is no name@domain',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'bob' },
    400,
    'invalidValue',
  ],
  [
    'a look-alike userName',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'аdmin@contoso.test' },
    400,
    'invalidValue',
  ],
  [
    'a huge displayName',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'huge@contoso.test', displayName: long },
    400,
    'invalidValue',
  ],
  [
    'active that is no boolean',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'b@contoso.test', active: 'maybe' },
    400,
    'invalidValue',
  ],
  [
    'emails that are not a list',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'c@contoso.test', emails: 'c@contoso.test' },
    400,
    'invalidValue',
  ],
  [
    'a password',
    'POST',
    () => '/Users',
    { schemas: [USER_SCHEMA], userName: 'd@contoso.test', password: 'Secret-Passw0rd!' },
    400,
    'invalidValue',
  ],
  [
    'a PUT with a wrong type',
    'PUT',
    () => `/Users/${userId}`,
    { schemas: [USER_SCHEMA], userName: 'kept@contoso.test', name: 'Kept' },
    400,
    'invalidValue',
  ],
  [
    'a PATCH without the PatchOp schema',
    'PATCH',
    () => `/Users/${userId}`,
    { Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] },
    400,
    'invalidSyntax',
  ],
  ['a PATCH without operations', 'PATCH', () => `/Users/${userId}`, patch(), 400, 'invalidSyntax'],
  [
    'a PATCH with an unknown op',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'delete', path: 'displayName' }),
    400,
    'invalidSyntax',
  ],
  [
    'a PATCH of an unknown attribute',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'favouriteColour', value: 'red' }),
    400,
    'invalidPath',
  ],
  [
    'a PATCH of an unknown attribute of another schema',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'add', path: 'urn:example:params:scim:schemas:Foo:bar', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'a path-less PATCH naming an unknown attribute',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', value: { displayName: 'x', favouriteColour: 'red' } }),
    400,
    'invalidPath',
  ],
  [
    'a PATCH of an unknown sub-attribute',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'name.nickname', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'a PATCH of an unknown email sub-attribute',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'emails[type eq "work"].colour', value: 'x' }),
    400,
    'invalidPath',
  ],
  [
    'a PATCH of a read-only attribute',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'id', value: UNKNOWN_ID }),
    400,
    'mutability',
  ],
  ['a remove without a path', 'PATCH', () => `/Users/${userId}`, patch({ op: 'remove' }), 400, 'noTarget'],
  [
    'a PATCH whose result has a wrong type',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'active', value: 'Nope' }),
    400,
    'invalidValue',
  ],
  [
    'a valid PATCH after a bad one',
    'PATCH',
    () => `/Users/${userId}`,
    patch(
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'replace', path: 'userName', value: 7 },
    ),
    400,
    'invalidValue',
  ],
  [
    'a PATCH that takes the userName of another',
    'PATCH',
    () => `/Users/${userId}`,
    patch({ op: 'replace', path: 'userName', value: 'admin@contoso.test' }),
    409,
    'uniqueness',
  ],
  [
    'a group member filter that does not parse',
    'PATCH',
    () => `/Groups/${groupId}`,
    patch({ op: 'remove', path: 'members[value eq]' }),
    400,
    'invalidFilter',
  ],
  [
    'a group member without a value',
    'PATCH',
    () => `/Groups/${groupId}`,
    patch({ op: 'add', path: 'members', value: [{ display: 'x' }] }),
    400,
    'invalidValue',
  ],
  [
    'a group member that does not exist',
    'PATCH',
    () => `/Groups/${groupId}`,
    patch({ op: 'add', path: 'members', value: [{ value: UNKNOWN_ID }] }),
    400,
    'invalidValue',
  ],
  ['a group without displayName', 'POST', () => '/Groups', { schemas: [GROUP_SCHEMA] }, 400, 'invalidValue'],
  [
    'a group with a member it may not have',
    'POST',
    () => '/Groups',
    { schemas: [GROUP_SCHEMA], displayName: 'New', members: [{ value: UNKNOWN_ID }] },
    400,
    'invalidValue',
  ],
  [
    'too many operations',
    'PATCH',
    () => `/Users/${userId}`,
    patch(...Array.from({ length: 101 }, () => ({ op: 'replace', path: 'displayName', value: 'x' }))),
    400,
    'invalidSyntax',
  ],
];

describe('bad SCIM input', () => {
  it.each(CASES)(
    '%s → RFC 7644 error, nothing changed',
    async (_name, method, path, body, status, scimType) => {
      const before = await dbSnapshot(s, AUDIT_TABLES);
      expectScimError(await scim.call(method, path(), body), status, scimType);
      expect(await dbSnapshot(s, AUDIT_TABLES)).toEqual(before);
    },
  );

  it('refuses a text/plain body as no JSON object (400 invalidSyntax)', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: `${SCIM_BASE}/Users`,
      headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'text/plain' },
      payload: 'userName=x',
    });
    expectScimError(res, 400, 'invalidSyntax');
  });
});

describe('authentication', () => {
  const withToken = (authorization: string | undefined) =>
    s.app.inject({
      method: 'GET',
      url: `${SCIM_BASE}/Users`,
      headers: authorization === undefined ? {} : { authorization },
    });

  it('answers 401 without a token, with a wrong one, and with an Elevate access token', async () => {
    for (const authorization of [
      undefined,
      'Bearer elvscim_wrong',
      `Bearer ${scim.token}x`,
      (await s.admin()).authorization,
    ]) {
      const res = await withToken(authorization);
      expectScimError(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="scim"');
    }
  });

  it('never takes a SCIM token on the Graph API', async () => {
    const res = await call(s, 'GET', '/v1.0/users', { authorization: `Bearer ${scim.token}` });
    expect(res.statusCode).toBe(401);
  });

  it('stops taking a token once its client is deleted, and keeps the users it provisioned', async () => {
    const doomed = await scimClient(s, 'Keycloak');
    const made = await doomed.call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'orphan@contoso.test',
    });
    expect(made.statusCode).toBe(201);
    const del = await call(s, 'DELETE', `/v1.0/elevate/scimClients/${doomed.id}`, await s.admin());
    expect(del.statusCode, del.body).toBe(204);
    expectScimError(await doomed.call('GET', '/Users'), 401);
    const user = await call(s, 'GET', `/v1.0/users/${made.json<Json>()['id'] as string}`, await s.admin());
    expect(user.statusCode).toBe(200);
  });
});
