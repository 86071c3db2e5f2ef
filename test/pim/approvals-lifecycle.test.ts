// The life of an approval beyond one decision: two serial stages, the stage timeout read at the
// millisecond (and recorded once by the sweeper), cancel, one pending request per role, a grant
// that is no longer possible at approval time, and malformed decisions that change nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { makeExpiryRecorder } from '../../src/app/pim/expiry.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import {
  activate,
  activeInstances,
  APPROVALS,
  inbox,
  makeEligible,
  patchStep,
  requestOf,
  requireApproval,
  signedInUser,
  stepsOf,
  type TestUser,
} from './approval-support.js';
import {
  adminAt,
  ASSIGNMENT_REQUESTS,
  auditOf,
  call,
  DAY,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  HOUR,
  ManualClock,
  newId,
  pimServer,
  rowCounts,
  USER_ADMINISTRATOR,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });
const stage = (userId: string, days = 1) => ({
  approvalStageTimeOutInDays: days,
  isApproverJustificationRequired: false,
  escalationTimeInMinutes: 0,
  isEscalationEnabled: false,
  primaryApprovers: [single(userId)],
  escalationApprovers: [],
});

describe('PIM approval lifecycle', () => {
  let s: TestServer;
  let clock: ManualClock;
  let requestor: TestUser;
  let approver: TestUser;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    requestor = await signedInUser(s, clock);
    approver = await signedInUser(s, clock);
    await makeEligible(s, clock, requestor.id, ROLE);
  });
  afterEach(async () => s.close());

  async function pending(): Promise<{ id: string; stepId: string }> {
    const res = await activate(s, await requestor.headers(), requestor.id, ROLE);
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json<{ id: string }>();
    const [step] = await stepsOf(s, await requestor.headers(), id);
    return { id, stepId: step!.id };
  }

  it('Serial: stage 2 starts when stage 1 approves; each stage only by its approvers; then granted', async () => {
    const second = await signedInUser(s, clock);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalMode = 'Serial';
      setting.approvalStages = [stage(approver.id), stage(second.id, 2)];
    });
    const { id, stepId } = await pending();
    expect(await stepsOf(s, await requestor.headers(), id)).toHaveLength(1);
    expect(await inbox(s, await second.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await second.headers(), id, stepId, { reviewResult: 'Approve' }),
      404,
    );

    clock.advance(HOUR);
    const first = await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' });
    expect(first.statusCode, first.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
    const steps = await stepsOf(s, await second.headers(), id);
    expect(steps.map((x) => [x.status, x.reviewResult, x.assignedToMe])).toEqual([
      ['Completed', 'Approved', false],
      ['InProgress', 'NotReviewed', true],
    ]);
    expect(await inbox(s, await second.headers())).toEqual([id]);
    expect(await inbox(s, await approver.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await approver.headers(), id, steps[1]!.id, { reviewResult: 'Approve' }),
      403,
    );

    // Stage 2 has its own timeout (2 days from its start), past stage 1's.
    clock.advance(DAY + HOUR);
    const done = await patchStep(s, await second.headers(), id, steps[1]!.id, { reviewResult: 'Approve' });
    expect(done.statusCode, done.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
    expect(await activeInstances(s, await requestor.headers())).toHaveLength(1);
    expect(await auditOf(s, 'Add member to role request approved (PIM activation)')).toHaveLength(2);
  });

  it('Serial: a Deny at stage 1 ends the request; stage 2 never starts', async () => {
    const second = await signedInUser(s, clock);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalMode = 'Serial';
      setting.approvalStages = [stage(approver.id), stage(second.id)];
    });
    const { id, stepId } = await pending();
    expect(
      (await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Deny' })).statusCode,
    ).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
    expect(await stepsOf(s, await requestor.headers(), id)).toHaveLength(1);
    expect(await inbox(s, await second.headers())).toEqual([]);
  });

  it('timeout: pending at deadline - 1 ms; at the deadline Denied/Expired, decisions refused; sweepers record it once', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id, 1)];
    });
    const createdAt = clock.now();
    const { id, stepId } = await pending();
    const deadline = createdAt + DAY;

    clock.set(deadline - 1);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
    expect((await stepsOf(s, await approver.headers(), id))[0]!.status).toBe('InProgress');
    expect(await inbox(s, await approver.headers())).toEqual([id]);

    clock.set(deadline);
    const r = await requestOf(s, await requestor.headers(), id);
    expect(r).toMatchObject({ status: 'Denied', completedDateTime: new Date(deadline).toISOString() });
    const denied = await call(
      s,
      'GET',
      `${ASSIGNMENT_REQUESTS}?$filter=status eq 'Denied'`,
      await requestor.headers(),
    );
    expect(denied.json<{ value: { id: string }[] }>().value.map((x) => x.id)).toEqual([id]);
    expect((await stepsOf(s, await approver.headers(), id))[0]!.status).toBe('Expired');
    expect(await inbox(s, await approver.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' }),
      409,
      'conflict',
      /timed out/,
    );
    // A new activation is possible again (the old one no longer waits).
    expect(await auditOf(s, 'PIM activation request expired')).toHaveLength(0);

    const recorders = [0, 1].map(() => makeExpiryRecorder({ uow: createUnitOfWork(s.db) }));
    await Promise.all(recorders.map((rec) => rec.recordBatch(clock.now(), 100)));
    await recorders[0]!.recordBatch(clock.now(), 100);
    const expired = await auditOf(s, 'PIM activation request expired');
    expect(expired).toHaveLength(1);
    expect(JSON.parse(expired[0]!.payload)).toMatchObject({ initiatedBy: { user: null } });
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
    expect((await stepsOf(s, await approver.headers(), id))[0]!.status).toBe('Expired');
    const again = await activate(s, await requestor.headers(), requestor.id, ROLE);
    expect(again.statusCode, again.body).toBe(201);
  });

  it('a decision at deadline - 1 ms is accepted and grants', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id, 1)];
    });
    const createdAt = clock.now();
    const { id, stepId } = await pending();
    clock.set(createdAt + DAY - 1);
    const ok = await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' });
    expect(ok.statusCode, ok.body).toBe(204);
    clock.set(createdAt + DAY);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
    expect(await activeInstances(s, await requestor.headers())).toHaveLength(1);
    await makeExpiryRecorder({ uow: createUnitOfWork(s.db) }).recordBatch(clock.now(), 100);
    expect(await auditOf(s, 'PIM activation request expired')).toHaveLength(0);
  });

  it('one pending request per role and scope: a second selfActivate is PendingRoleAssignmentRequest; validation-only writes nothing', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id)];
    });
    const headers = await requestor.headers();
    const before = await rowCounts(s);
    const dry = await activate(s, headers, requestor.id, ROLE, { isValidationOnly: true });
    expect(dry.statusCode, dry.body).toBe(201);
    expect(dry.json()).toMatchObject({ status: 'PendingApproval', isValidationOnly: true });
    expect(await rowCounts(s)).toEqual(before);

    const { id } = await pending();
    expectGraphError(
      await activate(s, headers, requestor.id, ROLE),
      400,
      'PendingRoleAssignmentRequest',
      new RegExp(`already pending approval \\(${id}\\)`),
    );
    expectGraphError(
      await activate(s, headers, requestor.id, ROLE, { isValidationOnly: true }),
      400,
      'PendingRoleAssignmentRequest',
    );
  });

  it('cancel: the requestor cancels a pending request (204, Canceled, audited); it can no longer be decided', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id)];
    });
    const { id, stepId } = await pending();
    const cancel = await call(s, 'POST', `${ASSIGNMENT_REQUESTS}/${id}/cancel`, await requestor.headers());
    expect(cancel.statusCode, cancel.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Canceled');
    expect(await auditOf(s, 'Add member to role canceled (PIM activation)')).toHaveLength(1);
    expect((await stepsOf(s, await approver.headers(), id))[0]).toMatchObject({
      status: 'Completed',
      reviewResult: 'NotReviewed',
    });
    expect(await inbox(s, await approver.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' }),
      409,
      'conflict',
      /Canceled/,
    );
    expect((await activate(s, await requestor.headers(), requestor.id, ROLE)).statusCode).toBe(201);
  });

  it('approval after the eligibility was removed: the request fails, nothing is granted', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id)];
    });
    const { id, stepId } = await pending();
    const removed = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
      action: 'adminRemove',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: requestor.id,
    });
    expect(removed.statusCode, removed.body).toBe(201);
    const res = await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' });
    expect(res.statusCode, res.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Failed');
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
    const completed = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect(completed.map((e) => e.result)).toEqual(['failure']);
    expect(JSON.parse(completed[0]!.payload)).toMatchObject({
      resultReason: expect.stringMatching(/^EligibilityRule/),
    });
  });

  it('bad input: unknown ids, wrong types, huge strings, unknown properties → 4xx, nothing changes', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage(approver.id)];
    });
    const { id, stepId } = await pending();
    const headers = await approver.headers();
    const before = await rowCounts(s);
    expectGraphError(
      await call(s, 'GET', `${APPROVALS}/${newId()}`, headers),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(await call(s, 'GET', `${APPROVALS}/not-a-guid`, headers), 404);
    expectGraphError(await call(s, 'GET', `${APPROVALS}/${'x'.repeat(201)}`, headers), 400);
    expectGraphError(await patchStep(s, headers, id, newId(), { reviewResult: 'Approve' }), 404);
    expectGraphError(await patchStep(s, headers, newId(), stepId, { reviewResult: 'Approve' }), 404);
    for (const body of [
      { reviewResult: 'Maybe' },
      { reviewResult: 1 },
      { reviewResult: null },
      {},
      { reviewResult: 'Approve', justification: 'j'.repeat(501) },
      { reviewResult: 'Approve', justification: 42 },
      { reviewResult: 'Approve', status: 'Completed' },
      '{"reviewResult":',
      '[]',
    ]) {
      const res = await patchStep(s, headers, id, stepId, body);
      expectGraphError(res, 400);
    }
    // Unauthenticated.
    const anon = await s.app.inject({ method: 'GET', url: `${APPROVALS}/${id}` });
    expect(anon.statusCode).toBe(401);
    expect(await rowCounts(s)).toEqual(before);
    expect((await stepsOf(s, headers, id))[0]).toMatchObject({
      status: 'InProgress',
      reviewResult: 'NotReviewed',
    });
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
  });
});
