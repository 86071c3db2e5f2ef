// A completed local sign-in is audited once, with the methods used; a refused one as a failure.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from './support/sign-in.js';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(() => s.close());

const entriesFor = async (userId: string) =>
  (
    await s.db.kysely
      .selectFrom('audit_entries')
      .select(['code', 'result', 'payload'])
      .where('initiated_by_user_id', '=', userId)
      .orderBy('seq')
      .execute()
  ).map((r) => ({ code: r.code, result: r.result, body: JSON.parse(r.payload) as Record<string, unknown> }));

it('records one Sign-in success per completed sign-in, with amr, address and user agent', async () => {
  const user = await addPasswordUser(s);
  await signIn(s, user);
  await signIn(s, user);
  await expect(signIn(s, user, { password: 'wrong' })).rejects.toThrow();
  const entries = await entriesFor(user.id);
  expect(entries.map((e) => [e.code, e.result])).toEqual([
    ['signIn.success', 'success'],
    ['signIn.success', 'success'],
    ['signIn.failure', 'failure'],
  ]);
  expect(entries[0]!.body).toMatchObject({
    activityDisplayName: 'Sign-in success',
    amr: ['pwd'],
    userAgent: 'vitest-browser',
    initiatedBy: { user: { id: user.id, userPrincipalName: user.upn, ipAddress: '127.0.0.1' } },
  });
});
