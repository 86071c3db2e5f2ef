// A quarterly access review over two directory roles, driven by the manual clock: instances start
// on their dates exactly once, recommendations follow real activation history, non-responders take
// the default decision, auto-apply ends denied eligibilities through PIM's adminRemove (so those
// users can no longer activate), and every step is in the audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDateTime } from '../../src/domain/time/datetime.js';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  addUser,
  auditOf,
  call,
  eligibleForever,
  pimServer,
  setActivationRules,
  type Headers,
  type ManualClock,
} from '../pim/support.js';
import {
  activate,
  createDefinition,
  DEFINITIONS,
  definitionBody,
  GROUPS_ADMINISTRATOR,
  reviewerCases,
  USER_ADMINISTRATOR,
  userReviewer,
  type Json,
} from './support.js';
import { userCaller } from '../pim/support.js';

const at = (text: string) => parseDateTime(text);

let s: TestServer;
let clock: ManualClock;
let admin: Headers;

beforeEach(async () => {
  ({ s, clock } = await pimServer(at('2026-08-20T09:00:00Z')));
  admin = await adminAt(s, clock);
  await setActivationRules(s, USER_ADMINISTRATOR, []);
  await setActivationRules(s, GROUPS_ADMINISTRATOR, []);
});
afterEach(async () => s.close());

/** Moves the clock and mints a fresh admin token at the new time. */
async function setTime(ms: number): Promise<void> {
  clock.set(ms);
  admin = await adminAt(s, clock);
}

async function get<T = Json>(url: string): Promise<T> {
  const res = await call(s, 'GET', url, admin);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<T>();
}

interface Decision extends Json {
  id: string;
  decision: string;
  recommendation: string;
  applyResult: string;
  principal: { id: string };
  resource: { id: string };
  insights: { lastActivationDateTime: string | null }[];
}

describe('a quarterly review over two roles', () => {
  it('creates instances on the right dates, recommends from history, defaults, auto-applies, audits', async () => {
    const alice = await addUser(s, [], 'Alice Active');
    const carol = await addUser(s, [], 'Carol Long Ago');
    const bob = await addUser(s, [], 'Bob Never');
    const rita = await addUser(s, [], 'Rita Reviewer');
    await eligibleForever(s, clock, alice, USER_ADMINISTRATOR);
    await eligibleForever(s, clock, carol, USER_ADMINISTRATOR);
    await eligibleForever(s, clock, bob, GROUPS_ADMINISTRATOR);
    // Carol last activated in August; Alice four days before the review starts.
    await activate(s, clock, carol, USER_ADMINISTRATOR);
    await setTime(at('2026-11-27T10:15:00Z'));
    await activate(s, clock, alice, USER_ADMINISTRATOR);

    const id = await createDefinition(s, admin, definitionBody({ reviewers: [userReviewer(rita)] }));
    const def = await get<Json & { status: string; settings: Json; scope: Json }>(`${DEFINITIONS}/${id}`);
    expect(def.status).toBe('NotStarted');
    expect(def.settings).toMatchObject({
      instanceDurationInDays: 14,
      recommendationLookBackDuration: 'P30D',
      defaultDecision: 'Recommendation',
      autoApplyDecisionsEnabled: true,
      recurrence: {
        pattern: { type: 'absoluteMonthly', interval: 3 },
        range: { type: 'noEnd', startDate: '2026-12-01', endDate: null },
      },
    });

    // Nothing before the first period's start; exactly one instance at it, however often the job runs.
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 0 });
    await setTime(at('2026-12-01T00:00:00Z') - 1);
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 0 });
    await setTime(at('2026-12-01T00:00:00Z'));
    expect(await s.accessReviews.runDue()).toEqual({ created: 1, completed: 0 });
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 0 });

    const instances = await get<{ value: (Json & { id: string })[] }>(`${DEFINITIONS}/${id}/instances`);
    expect(instances.value).toHaveLength(1);
    const instance = instances.value[0]!;
    expect(instance).toMatchObject({
      startDateTime: '2026-12-01T00:00:00.000Z',
      endDateTime: '2026-12-15T00:00:00.000Z',
      status: 'InProgress',
    });

    const decisionsUrl = `${DEFINITIONS}/${id}/instances/${instance.id}/decisions`;
    const items = (await get<{ value: Decision[] }>(decisionsUrl)).value;
    const of = (user: string) => items.find((x) => x.principal.id === user)!;
    expect(items).toHaveLength(3);
    expect(of(alice)).toMatchObject({
      recommendation: 'Approve',
      decision: 'NotReviewed',
      applyResult: 'New',
    });
    expect(of(alice).insights[0]!.lastActivationDateTime).toBe('2026-11-27T10:15:00.000Z');
    expect(of(carol)).toMatchObject({ recommendation: 'Deny' });
    expect(of(carol).insights[0]!.lastActivationDateTime).toBe('2026-08-20T09:00:00.000Z');
    expect(of(bob)).toMatchObject({ recommendation: 'Deny', resource: { id: GROUPS_ADMINISTRATOR } });
    expect(of(bob).insights[0]!.lastActivationDateTime).toBeNull();

    // Rita keeps Alice; she does not answer for Carol and Bob.
    const reviewer = reviewerCases(s, clock);
    const mine = await reviewer.decisionsForReviewer(userCaller(s, rita), id, instance.id);
    expect(mine.map((x) => x.principalId).sort()).toEqual([alice, bob, carol].sort());
    // `definitions/filterByCurrentUser(on='reviewer')`: Rita reviews this one; Alice (reviewed) reviews none.
    expect((await reviewer.definitionsForReviewer(userCaller(s, rita))).map((d) => [d.id, d.status])).toEqual(
      [[id, 'InProgress']],
    );
    expect(await reviewer.definitionsForReviewer(userCaller(s, alice))).toEqual([]);
    await reviewer.record(userCaller(s, rita), id, instance.id, of(alice).id, {
      decision: 'Approve',
      justification: 'uses it',
    });
    // The same decision again is accepted and changes nothing (one audit entry).
    await reviewer.record(userCaller(s, rita), id, instance.id, of(alice).id, {
      decision: 'Approve',
      justification: 'uses it',
    });
    expect(await auditOf(s, 'Approve or deny decision')).toHaveLength(1);

    // At the end: defaults from the recommendations, then the denials are applied through PIM.
    await setTime(at('2026-12-15T00:00:00Z') - 1);
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 0 });
    await setTime(at('2026-12-15T00:00:00Z'));
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 1 });
    const after = (await get<{ value: Decision[] }>(decisionsUrl)).value;
    const now = (user: string) => after.find((x) => x.principal.id === user)!;
    expect(now(alice)).toMatchObject({ decision: 'Approve', applyResult: 'AppliedSuccessfully' });
    expect(now(carol)).toMatchObject({ decision: 'Deny', applyResult: 'AppliedSuccessfully' });
    expect(now(bob)).toMatchObject({ decision: 'Deny', applyResult: 'AppliedSuccessfully' });
    expect((await get<Json>(`${DEFINITIONS}/${id}/instances/${instance.id}`)).status).toBe('Applied');

    // Denied users can no longer activate; Alice still can.
    const noEligibility = {
      code: 'RoleAssignmentRequestPolicyValidationFailed',
      message: expect.stringMatching(/EligibilityRule/),
    };
    await expect(activate(s, clock, bob, GROUPS_ADMINISTRATOR)).rejects.toMatchObject(noEligibility);
    await expect(activate(s, clock, carol, USER_ADMINISTRATOR)).rejects.toMatchObject(noEligibility);
    await expect(activate(s, clock, alice, USER_ADMINISTRATOR)).resolves.toMatchObject({
      status: 'Provisioned',
    });

    // Every step is in the audit log.
    expect(await auditOf(s, 'Create access review')).toHaveLength(1);
    expect(await auditOf(s, 'Access review started')).toHaveLength(1);
    expect(await auditOf(s, 'Access review ended')).toHaveLength(1);
    expect(await auditOf(s, 'Apply decision')).toHaveLength(1);
    const removals = [
      ...(await auditOf(s, 'Remove eligible member from role in PIM completed (permanent)')),
      ...(await auditOf(s, 'Remove eligible member from role in PIM requested (permanent)')),
    ];
    expect(removals.length).toBeGreaterThanOrEqual(2);

    // The next quarter starts on 1 March with only what is left in scope.
    await setTime(at('2027-03-01T00:00:00Z') - 1);
    expect(await s.accessReviews.runDue()).toEqual({ created: 0, completed: 0 });
    await setTime(at('2027-03-01T00:00:00Z'));
    expect(await s.accessReviews.runDue()).toEqual({ created: 1, completed: 0 });
    const both = (
      await get<{ value: (Json & { id: string; startDateTime: string })[] }>(`${DEFINITIONS}/${id}/instances`)
    ).value;
    expect(both.map((i) => i.startDateTime)).toEqual([
      '2027-03-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    const second = (
      await get<{ value: Decision[] }>(`${DEFINITIONS}/${id}/instances/${both[0]!.id}/decisions`)
    ).value;
    expect(second.map((x) => x.principal.id)).toEqual([alice]);
  });
});
