// Bad input and refusals around access reviews get a 4xx in Graph's envelope and change nothing:
// unknown roles in scope, a recurrence interval of 0, decisions on a stopped instance, a decision
// by someone who does not review the item, a reviewer's own access; duplicates are idempotent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_READER } from '../../src/domain/roles/built-in-role-ids.js';
import type { TestServer } from '../helpers/server.js';
import { AUDIT_TABLES, dbSnapshot } from '../http/support/graph.js';
import {
  adminAt,
  addUser,
  auditOf,
  call,
  eligibleForever,
  expectGraphError,
  newId,
  pimServer,
  userCaller,
  type Headers,
  type ManualClock,
} from '../pim/support.js';
import {
  createDefinition,
  DEFINITIONS,
  definitionBody,
  reviewerCases,
  USER_ADMINISTRATOR,
  userReviewer,
  type Json,
} from './support.js';

let s: TestServer;
let clock: ManualClock;
let admin: Headers;

beforeEach(async () => {
  ({ s, clock } = await pimServer());
  admin = await adminAt(s, clock);
});
afterEach(async () => s.close());

/** A one-time review of User Administrator that starts now, with its instance made. */
async function started(over: Parameters<typeof definitionBody>[0] = {}) {
  const id = await createDefinition(
    s,
    admin,
    definitionBody({
      roles: [USER_ADMINISTRATOR],
      ...over,
      settings: { recurrence: null, ...over.settings },
    }),
  );
  expect((await s.accessReviews.runDue()).created).toBe(1);
  const instances = (await call(s, 'GET', `${DEFINITIONS}/${id}/instances`, admin)).json<{
    value: { id: string }[];
  }>();
  const instanceId = instances.value[0]!.id;
  const items = (await call(s, 'GET', `${DEFINITIONS}/${id}/instances/${instanceId}/decisions`, admin)).json<{
    value: { id: string; principal: { id: string } }[];
  }>().value;
  return { id, instanceId, items, base: `${DEFINITIONS}/${id}/instances/${instanceId}` };
}

describe('definitions', () => {
  it('refuses unknown roles in scope, interval 0 and an instance longer than its period; nothing is written', async () => {
    const before = await dbSnapshot(s, AUDIT_TABLES);
    const unknownRole = await call(s, 'POST', DEFINITIONS, admin, definitionBody({ roles: [newId()] }));
    expectGraphError(unknownRole, 400, 'BadRequest', /^The role definition '.*' in scope does not exist\.$/);
    const zero = definitionBody({
      settings: {
        recurrence: {
          pattern: { type: 'weekly', interval: 0 },
          range: { type: 'noEnd', startDate: '2026-12-01' },
        },
      },
    });
    expectGraphError(await call(s, 'POST', DEFINITIONS, admin, zero), 400, 'invalidRequest');
    const tooLong = definitionBody({
      settings: {
        instanceDurationInDays: 8,
        recurrence: {
          pattern: { type: 'weekly', interval: 1 },
          range: { type: 'noEnd', startDate: '2026-12-01' },
        },
      },
    });
    expectGraphError(
      await call(s, 'POST', DEFINITIONS, admin, tooLong),
      400,
      'invalidRequest',
      'instanceDurationInDays (8) is longer than the recurrence period (7 days).',
    );
    const badScope = definitionBody();
    (badScope.scope as Json).resourceScopes = [{ query: '/groups' }];
    expectGraphError(await call(s, 'POST', DEFINITIONS, admin, badScope), 400, 'invalidRequest');
    const unknownReviewer = definitionBody({ reviewers: [userReviewer(newId())] });
    expectGraphError(await call(s, 'POST', DEFINITIONS, admin, unknownReviewer), 400, 'BadRequest');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
  });

  it('lists with $top and $filter, replaces and deletes, in Graph shapes', async () => {
    const a = await createDefinition(s, admin, definitionBody({ displayName: 'A' }));
    await createDefinition(s, admin, definitionBody({ displayName: "B's" }));
    const page = await call(s, 'GET', `${DEFINITIONS}?$top=1`, admin);
    expect(page.statusCode, page.body).toBe(200);
    const body = page.json<{ value: { id: string }[]; '@odata.nextLink': string }>();
    expect(body.value).toHaveLength(1);
    expect(body['@odata.nextLink']).toContain('%24skip=1');
    const filtered = await call(
      s,
      'GET',
      `${DEFINITIONS}?$filter=${encodeURIComponent("displayName eq 'B''s'")}`,
      admin,
    );
    expect(filtered.json<{ value: { displayName: string }[] }>().value.map((d) => d.displayName)).toEqual([
      "B's",
    ]);
    expectGraphError(
      await call(s, 'GET', `${DEFINITIONS}?$filter=${encodeURIComponent('id gt 1')}`, admin),
      400,
    );
    const put = await s.app.inject({
      method: 'PUT',
      url: `${DEFINITIONS}/${a}`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify(definitionBody({ displayName: 'A renamed' })),
    });
    expect(put.statusCode, put.body).toBe(204);
    expect(
      (await call(s, 'GET', `${DEFINITIONS}/${a}`, admin)).json<{ displayName: string }>().displayName,
    ).toBe('A renamed');
    const del = await s.app.inject({ method: 'DELETE', url: `${DEFINITIONS}/${a}`, headers: admin });
    expect(del.statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `${DEFINITIONS}/${a}`, admin), 404, 'NotFound');
    expect(await auditOf(s, 'Update access review')).toHaveLength(1);
    expect(await auditOf(s, 'Delete access review')).toHaveLength(1);
  });
});

describe('decisions', () => {
  it('refuses decisions on a stopped instance, by a non-reviewer, and on the reviewer’s own access', async () => {
    const rita = await addUser(s, [], 'Rita Reviewer');
    const bob = await addUser(s, [], 'Bob');
    const reader = await addUser(s, [GLOBAL_READER], 'Gina Reader');
    await eligibleForever(s, clock, bob, USER_ADMINISTRATOR);
    // Rita is eligible too, and is the only reviewer: her own item is nobody's to decide.
    await eligibleForever(s, clock, rita, USER_ADMINISTRATOR);
    const r = await started({
      reviewers: [userReviewer(rita)],
      settings: { autoApplyDecisionsEnabled: false, defaultDecisionEnabled: false },
    });
    const bobItem = r.items.find((x) => x.principal.id === bob)!.id;
    const ritaItem = r.items.find((x) => x.principal.id === rita)!.id;
    const uc = reviewerCases(s, clock);
    const deny = { decision: 'Deny' as const, justification: 'unused' };

    expect((await uc.decisionsForReviewer(userCaller(s, rita), r.id, r.instanceId)).map((x) => x.id)).toEqual(
      [bobItem],
    );
    await expect(uc.record(userCaller(s, rita), r.id, r.instanceId, ritaItem, deny)).rejects.toMatchObject({
      kind: 'notFound',
    });
    await expect(uc.record(userCaller(s, bob), r.id, r.instanceId, bobItem, deny)).rejects.toMatchObject({
      kind: 'notFound',
    });
    // A review reader who is no reviewer is told so (403).
    await expect(uc.record(userCaller(s, reader), r.id, r.instanceId, bobItem, deny)).rejects.toMatchObject({
      code: 'Authorization_RequestDenied',
    });

    await uc.record(userCaller(s, rita), r.id, r.instanceId, bobItem, deny);
    await uc.record(userCaller(s, rita), r.id, r.instanceId, bobItem, deny);
    const recorded = await auditOf(s, 'Approve or deny decision');
    // One decision (the duplicate changed nothing) and the reader's refusal.
    expect(recorded.map((e) => e.result).sort()).toEqual(['failure', 'success']);

    const stop = await call(s, 'POST', `${r.base}/stop`, admin);
    expect(stop.statusCode, stop.body).toBe(204);
    expect((await call(s, 'GET', r.base, admin)).json<{ status: string }>().status).toBe('Completed');
    const before = await dbSnapshot(s, AUDIT_TABLES);
    await expect(
      uc.record(userCaller(s, rita), r.id, r.instanceId, bobItem, {
        decision: 'Approve',
        justification: 'x',
      }),
    ).rejects.toMatchObject({ code: 'Request_BadRequest' });
    expectGraphError(await call(s, 'POST', `${r.base}/stop`, admin), 400, 'Request_BadRequest');
    expectGraphError(await call(s, 'POST', `${r.base}/resetDecisions`, admin), 400, 'Request_BadRequest');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
    expect(await auditOf(s, 'Stop access review')).toHaveLength(1);

    // Stopped without auto-apply: an administrator applies; Bob's eligibility ends through PIM.
    expect((await call(s, 'POST', `${r.base}/applyDecisions`, admin)).statusCode).toBe(204);
    const items = (await call(s, 'GET', `${r.base}/decisions`, admin)).json<{ value: Json[] }>().value;
    expect(items.find((x) => x.id === bobItem)).toMatchObject({
      decision: 'Deny',
      applyResult: 'AppliedSuccessfully',
    });
    expect(items.find((x) => x.id === ritaItem)).toMatchObject({
      decision: 'NotReviewed',
      applyResult: 'New',
    });
  });

  it('a self-review lets each principal decide on their own access only; justification when required', async () => {
    const ann = await addUser(s, [], 'Ann');
    const ben = await addUser(s, [], 'Ben');
    await eligibleForever(s, clock, ann, USER_ADMINISTRATOR);
    await eligibleForever(s, clock, ben, USER_ADMINISTRATOR);
    const r = await started({
      settings: { justificationRequiredOnApproval: true, autoApplyDecisionsEnabled: false },
    });
    const annItem = r.items.find((x) => x.principal.id === ann)!.id;
    const benItem = r.items.find((x) => x.principal.id === ben)!.id;
    const uc = reviewerCases(s, clock);
    await expect(
      uc.record(userCaller(s, ann), r.id, r.instanceId, annItem, {
        decision: 'Approve',
        justification: null,
      }),
    ).rejects.toMatchObject({ code: 'invalidRequest' });
    await uc.record(userCaller(s, ann), r.id, r.instanceId, annItem, {
      decision: 'Approve',
      justification: 'still on call',
    });
    await expect(
      uc.record(userCaller(s, ann), r.id, r.instanceId, benItem, { decision: 'Deny', justification: 'x' }),
    ).rejects.toMatchObject({ kind: 'notFound' });
    const mine = await uc.instancesForReviewer(userCaller(s, ben), r.id);
    expect(mine.instances.map((i) => i.id)).toEqual([r.instanceId]);
    await uc.acceptRecommendations(userCaller(s, ben), r.id, r.instanceId);
    const items = (await call(s, 'GET', `${r.base}/decisions`, admin)).json<{ value: Json[] }>().value;
    expect(items.find((x) => x.id === benItem)).toMatchObject({ decision: 'Deny', recommendation: 'Deny' });
    const reset = await call(s, 'POST', `${r.base}/resetDecisions`, admin);
    expect(reset.statusCode).toBe(204);
    const after = (await call(s, 'GET', `${r.base}/decisions`, admin)).json<{ value: Json[] }>().value;
    expect(after.every((x) => x.decision === 'NotReviewed')).toBe(true);
    const remind = await call(s, 'POST', `${r.base}/sendReminder`, admin);
    expect(remind.statusCode).toBe(204);
    const sent = await s.db.kysely
      .selectFrom('outbox_messages')
      .select('payload')
      .where('type', '=', 'accessReviews.reminderSent')
      .execute();
    expect(sent).toHaveLength(1);
    expect([...JSON.parse(sent[0]!.payload).reviewerIds].sort()).toEqual([ann, ben].sort());
  });
});
