// A user's manager: set, read, change, remove, audited; a cycle is refused; the manager reviews.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  addUser,
  auditOf,
  call,
  eligibleForever,
  expectGraphError,
  pimServer,
  userCaller,
  type Headers,
  type ManualClock,
} from '../pim/support.js';
import {
  createDefinition,
  definitionBody,
  managerReviewer,
  reviewerCases,
  USER_ADMINISTRATOR,
  userReviewer,
} from './support.js';

let s: TestServer;
let clock: ManualClock;
let admin: Headers;

beforeEach(async () => {
  ({ s, clock } = await pimServer());
  admin = await adminAt(s, clock);
});
afterEach(async () => s.close());

const put = (user: string, manager: string) =>
  s.app.inject({
    method: 'PUT',
    url: `/v1.0/users/${user}/manager/$ref`,
    headers: { ...admin, 'content-type': 'application/json' },
    payload: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/users/${manager}` }),
  });

describe('manager', () => {
  it('is set, read, refused in a cycle, and removed; each change audited', async () => {
    const [a, b, c] = [await addUser(s, [], 'A'), await addUser(s, [], 'B'), await addUser(s, [], 'C')];
    expectGraphError(await call(s, 'GET', `/v1.0/users/${a}/manager`, admin), 404);
    expect((await put(a, b)).statusCode).toBe(204);
    expect((await put(b, c)).statusCode).toBe(204);
    const got = await call(s, 'GET', `/v1.0/users/${a}/manager`, admin);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: b, displayName: 'B' });
    // C managing A would close the loop A → B → C → A; A managing A too.
    expectGraphError(await put(c, a), 400, 'Request_BadRequest', /cycle/);
    expectGraphError(await put(a, a), 400, 'Request_BadRequest', /cycle/);
    const del = await s.app.inject({
      method: 'DELETE',
      url: `/v1.0/users/${a}/manager/$ref`,
      headers: admin,
    });
    expect(del.statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `/v1.0/users/${a}/manager`, admin), 404);
    expect(await auditOf(s, 'Set user manager')).toHaveLength(2);
    expect(await auditOf(s, 'Remove user manager')).toHaveLength(1);
  });

  it("reviews their reports' items; fallback reviewers take those without a manager", async () => {
    const boss = await addUser(s, [], 'Boss');
    const fallback = await addUser(s, [], 'Fallback');
    const managed = await addUser(s, [], 'Managed');
    const orphan = await addUser(s, [], 'Orphan');
    expect((await put(managed, boss)).statusCode).toBe(204);
    await eligibleForever(s, clock, managed, USER_ADMINISTRATOR);
    await eligibleForever(s, clock, orphan, USER_ADMINISTRATOR);
    const id = await createDefinition(
      s,
      admin,
      definitionBody({
        roles: [USER_ADMINISTRATOR],
        reviewers: [managerReviewer],
        fallbackReviewers: [userReviewer(fallback)],
        settings: { recurrence: null },
      }),
    );
    await s.accessReviews.runDue();
    const uc = reviewerCases(s, clock);
    const { instances } = await uc.instancesForReviewer(userCaller(s, boss), id);
    expect(instances).toHaveLength(1);
    const bossItems = await uc.decisionsForReviewer(userCaller(s, boss), id, instances[0]!.id);
    expect(bossItems.map((x) => x.principalId)).toEqual([managed]);
    const fallbackItems = await uc.decisionsForReviewer(userCaller(s, fallback), id, instances[0]!.id);
    expect(fallbackItems.map((x) => x.principalId)).toEqual([orphan]);
  });
});
