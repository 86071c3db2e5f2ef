import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, dbSnapshot, expectGraphError, type DbSnapshot, type Headers } from './support/graph.js';
import { createUser, GLOBAL_ADMINISTRATOR, ROLES } from './support/fixtures.js';

// A JSON string may escape a lone surrogate ("\ud800"): no character at all. Stored, it came back
// as U+FFFD, so Elevate kept something other than what it was sent. Refused at the edge instead.
describe('lone UTF-16 surrogates in a JSON body are refused with 400', () => {
  let s: TestServer;
  let h: Headers;
  let userId: string;
  let before: DbSnapshot;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    userId = (await createUser(s, h)).id;
    before = await dbSnapshot(s);
  });
  afterAll(() => s.close());

  /** Sent as raw text, so the escape is exactly what travels. */
  const send = (method: 'POST' | 'PATCH', url: string, text: string) =>
    s.app.inject({ method, url, headers: { ...h, 'content-type': 'application/json' }, payload: text });

  const cases: [string, 'POST' | 'PATCH', () => string, string, string][] = [
    [
      'a user displayName (high surrogate)',
      'POST',
      () => '/v1.0/users',
      '{"accountEnabled":true,"displayName":"a\\ud800b","userPrincipalName":"sur@contoso.test"}',
      'displayName',
    ],
    [
      'a user update (low surrogate)',
      'PATCH',
      () => `/v1.0/users/${userId}`,
      '{"jobTitle":"\\udc00"}',
      'jobTitle',
    ],
    [
      'a group description (reversed pair)',
      'POST',
      () => '/v1.0/groups',
      '{"displayName":"G","mailNickname":"g-sur","mailEnabled":false,"securityEnabled":true,"description":"\\udc00\\ud800"}',
      'description',
    ],
    [
      'a PIM request justification',
      'POST',
      () => `${ROLES}/roleEligibilityScheduleRequests`,
      JSON.stringify({
        action: 'adminAssign',
        principalId: 'PRINCIPAL',
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'JUSTIFICATION',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P1D' } },
      }).replace('"JUSTIFICATION"', '"why \\ud83d"'),
      'justification',
    ],
    ['a key', 'POST', () => '/v1.0/servicePrincipals', '{"displayName":"x","\\ud800":1}', '\\ud800'],
    [
      // Arrays are walked by item (not by key), deep inside the body.
      'an item of an array in an array',
      'POST',
      () => `${ROLES}/roleDefinitions`,
      '{"displayName":"x","isEnabled":true,"rolePermissions":[{"allowedResourceActions":["microsoft.directory/users/read","microsoft.directory/\\udbff"]}]}',
      'rolePermissions.0.allowedResourceActions.1',
    ],
  ];

  it.each(cases)('in %s', async (_name, method, url, text, target) => {
    const res = await send(method, url(), text.replace('PRINCIPAL', userId));
    expectGraphError(
      res,
      400,
      'invalidRequest',
      `Invalid body property '${target}': must not contain lone UTF-16 surrogates.`,
      { target },
    );
  });

  it('left the database unchanged', async () => {
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });

  it('still accepts a surrogate pair (a character outside the BMP), kept as sent', async () => {
    const res = await send('PATCH', `/v1.0/users/${userId}`, '{"jobTitle":"on call \\ud83d\\udd25"}');
    expect(res.statusCode, res.body).toBe(204);
    const read = await call(s, 'GET', `/v1.0/users/${userId}?$select=jobTitle`, h);
    expect(read.json().jobTitle).toBe('on call 🔥');
  });
});
