import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, dbSnapshot, expectGraphError, type DbSnapshot, type Headers } from './support/graph.js';
import { createUser } from './support/fixtures.js';

// A UPN that looks like another on screen (a zero-width space, a Cyrillic `а` for the Latin `a`)
// was accepted: an approver reading `admin@contoso.test` could be looking at someone else.
describe('look-alike user principal names and mailNicknames are refused with 400', () => {
  let s: TestServer;
  let h: Headers;
  let userId: string;
  let before: DbSnapshot;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    userId = (await createUser(s, h, { userPrincipalName: 'victim@contoso.test' })).id;
    before = await dbSnapshot(s);
  });
  afterAll(() => s.close());

  const newUser = (fields: Record<string, unknown>) => ({
    accountEnabled: true,
    displayName: 'Look-alike',
    userPrincipalName: 'someone@contoso.test',
    ...fields,
  });
  const invisible = (what: string, code: string) =>
    `\`${what}\` must not contain invisible characters (found ${code}).`;
  const mixed = (what: string, scripts: string) =>
    `\`${what}\` is not valid: mixes scripts (${scripts}) in one part; ` +
    'letters that look alike across scripts could make it pass for another name.';

  it.each([
    [
      'a zero-width space',
      { userPrincipalName: 'ad\u200bmin@contoso.test' },
      invisible('userPrincipalName', 'U+200B'),
    ],
    ['a byte-order mark', { mailNickname: 'admin\ufeff' }, invisible('mailNickname', 'U+FEFF')],
    [
      'a bidi override',
      { userPrincipalName: 'admin\u202e@contoso.test' },
      invisible('userPrincipalName', 'U+202E'),
    ],
    [
      'a Cyrillic а',
      { userPrincipalName: '\u0430dmin@contoso.test' },
      mixed('userPrincipalName', 'Cyrillic, Latin'),
    ],
    [
      'a Greek ο in the domain',
      { userPrincipalName: 'root@c\u03bfntoso.test' },
      mixed('userPrincipalName', 'Greek, Latin'),
    ],
    [
      'a mailNickname with a word joiner',
      { mailNickname: 'ad\u2060min' },
      invisible('mailNickname', 'U+2060'),
    ],
    ['a mixed mailNickname', { mailNickname: 'p\u0430ypal' }, mixed('mailNickname', 'Cyrillic, Latin')],
  ])('on create: %s', async (_name, fields, message) => {
    const res = await call(s, 'POST', '/v1.0/users', h, newUser(fields));
    expectGraphError(res, 400, 'invalidRequest', message, { target: Object.keys(fields)[0]! });
  });

  it('on update: a UPN renamed to a look-alike', async () => {
    const res = await call(s, 'PATCH', `/v1.0/users/${userId}`, h, {
      userPrincipalName: 'adm\u0456n@contoso.test',
    });
    expectGraphError(res, 400, 'invalidRequest', mixed('userPrincipalName', 'Cyrillic, Latin'), {
      target: 'userPrincipalName',
    });
  });

  it('left the database unchanged', async () => {
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });

  it.each([
    ['plain ASCII', 'plain.ascii@contoso.test'],
    ['one non-Latin script in a part', 'иван.петров@contoso.test'],
    ['Japanese', '山田たろう@contoso.test'],
  ])('still accepts %s', async (_name, upn) => {
    const res = await call(s, 'POST', '/v1.0/users', h, newUser({ userPrincipalName: upn }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().userPrincipalName).toBe(upn);
  });
});
