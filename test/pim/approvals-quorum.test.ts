// Approvals completed (ADR 0022), all on the manual clock: N-of-M quorum and one deny ending a
// stage, escalation after N minutes, a reminder before the timeout, a timeout in hours, the
// activation clock at the final approval (capped by the eligibility), approver-shortened durations,
// and the requestor never approving their own request, even as Global Administrator.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeExpiryRecorder } from '../../src/app/pim/expiry.js';
import { findRule, type ApprovalStage } from '../../src/domain/policy/types.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import type { TestServer } from '../helpers/server.js';
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
  addGroup,
  adminAt,
  auditOf,
  call,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  patchPolicy,
  GLOBAL_ADMINISTRATOR,
  HOUR,
  ManualClock,
  MINUTE,
  pimServer,
  rowCounts,
  USER_ADMINISTRATOR,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });
const iso = (ms: number) => new Date(ms).toISOString();

function stage(approvers: string[], more: Partial<ApprovalStage> = {}): ApprovalStage {
  return {
    approvalStageTimeOutInDays: 1,
    isApproverJustificationRequired: false,
    escalationTimeInMinutes: 0,
    isEscalationEnabled: false,
    primaryApprovers: approvers.map(single),
    escalationApprovers: [],
    ...more,
  };
}

/** The additional details of an audit entry, as a map. */
const detailsOf = (row: { payload: string }): Record<string, string> =>
  Object.fromEntries(
    (
      JSON.parse(row.payload) as { additionalDetails: { key: string; value: string }[] }
    ).additionalDetails.map((d) => [d.key, d.value]),
  );

describe('approvals: quorum, escalation, reminders, activation clock', () => {
  let s: TestServer;
  let clock: ManualClock;
  let requestor: TestUser;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    requestor = await signedInUser(s, clock);
    [a, b, c] = [await signedInUser(s, clock), await signedInUser(s, clock), await signedInUser(s, clock)];
  });
  afterEach(async () => s.close());

  const sweep = (at = clock.now()) =>
    makeExpiryRecorder({ uow: createUnitOfWork(s.db) }).recordBatch(at, 100);

  async function pending(extra: Record<string, unknown> = {}): Promise<{ id: string; stepId: string }> {
    const res = await activate(s, await requestor.headers(), requestor.id, ROLE, extra);
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json<{ id: string }>();
    const [step] = await stepsOf(s, await requestor.headers(), id);
    return { id, stepId: step!.id };
  }

  const decide = async (who: TestUser, id: string, stepId: string, body: Record<string, unknown>) =>
    patchStep(s, await who.headers(), id, stepId, body);

  it('quorum 2 of 3: the first approval leaves it pending, each approver counts once, the second grants once', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id, b.id, c.id], { approvalsRequired: 2 })];
    });
    const { id, stepId } = await pending();

    expect((await decide(a, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
    const [half] = await stepsOf(s, await b.headers(), id);
    expect(half).toMatchObject({
      status: 'InProgress',
      reviewResult: 'NotReviewed',
      assignedToMe: true,
      '@elevate.approvalsRequired': 2,
      '@elevate.approvalsReceived': 1,
    });
    // A's decision is in; the stage is no longer A's to decide, and A cannot count twice.
    expect(await inbox(s, await a.headers())).toEqual([]);
    expect(await inbox(s, await b.headers())).toEqual([id]);
    expectGraphError(
      await decide(a, id, stepId, { reviewResult: 'Approve' }),
      409,
      'conflict',
      /already decided this approval stage/,
    );

    clock.advance(5 * MINUTE);
    expect((await decide(b, id, stepId, { reviewResult: 'Approve', justification: 'ok' })).statusCode).toBe(
      204,
    );
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
    const [done] = await stepsOf(s, await requestor.headers(), id);
    expect(done).toMatchObject({
      status: 'Completed',
      reviewResult: 'Approved',
      reviewedBy: { id: b.id },
      justification: 'ok',
      '@elevate.approvalsReceived': 2,
    });
    expectGraphError(await decide(c, id, stepId, { reviewResult: 'Approve' }), 409, 'conflict');
    expect(await activeInstances(s, await requestor.headers())).toHaveLength(1);

    const approved = await auditOf(s, 'Add member to role request approved (PIM activation)');
    expect(approved.map(detailsOf).map((d) => d.ApprovalsCounted)).toEqual(['1 of 2', '2 of 2']);
    expect(await auditOf(s, 'Add member to role completed (PIM activation)')).toHaveLength(1);
  });

  it('quorum 2 of 3: one deny ends the stage at once, whatever came before', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id, b.id, c.id], { approvalsRequired: 2 })];
    });
    const { id, stepId } = await pending();
    expect((await decide(a, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect(
      (await decide(b, id, stepId, { reviewResult: 'Deny', justification: 'no ticket' })).statusCode,
    ).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
    expect((await stepsOf(s, await requestor.headers(), id))[0]).toMatchObject({
      status: 'Completed',
      reviewResult: 'Denied',
      reviewedBy: { id: b.id },
    });
    expectGraphError(await decide(c, id, stepId, { reviewResult: 'Approve' }), 409, 'conflict');
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
    expect(await auditOf(s, 'Add member to role request denied (PIM activation)')).toHaveLength(1);
    expect(await auditOf(s, 'Add member to role completed (PIM activation)')).toHaveLength(0);
  });

  it('escalation after N minutes: the escalation approver decides from then on (read at now), recorded once', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    const oncall = await addGroup(s, [b.id]);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [
        stage([a.id], {
          isEscalationEnabled: true,
          escalationTimeInMinutes: 30,
          escalationApprovers: [
            single(c.id),
            { '@odata.type': '#microsoft.graph.groupMembers', groupId: oncall },
          ],
          reminderBeforeTimeOutInMinutes: 0,
        }),
      ];
    });
    const start = clock.now();
    const { id, stepId } = await pending();

    clock.set(start + 30 * MINUTE - 1);
    expect(await inbox(s, await c.headers())).toEqual([]);
    expect(await inbox(s, await b.headers())).toEqual([]);
    // Not an approver yet: the approval is not even visible (404, invariant 8).
    expectGraphError(
      await decide(c, id, stepId, { reviewResult: 'Approve' }),
      404,
      'Request_ResourceNotFound',
    );
    expect(await sweep()).toBe(0);
    expect(await auditOf(s, 'Add member to role approval escalated (PIM activation)')).toHaveLength(0);

    clock.set(start + 30 * MINUTE);
    // No job needed for the right to decide: the inbox and the decision read the escalation at now.
    expect(await inbox(s, await c.headers())).toEqual([id]);
    // A group named as escalation approvers: its members, read at decision time.
    expect(await inbox(s, await b.headers())).toEqual([id]);
    expect((await stepsOf(s, await b.headers(), id))[0]!.assignedToMe).toBe(true);
    expect(await inbox(s, await a.headers())).toEqual([id]);
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    const escalated = await auditOf(s, 'Add member to role approval escalated (PIM activation)');
    expect(escalated).toHaveLength(1);
    expect(detailsOf(escalated[0]!)).toMatchObject({
      RequestId: id,
      ApprovalStage: '1',
      EscalatedAt: iso(start + 30 * MINUTE),
    });

    expect((await decide(c, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
    // Decided stages are never escalated (or reminded) later.
    clock.advance(HOUR);
    expect(await sweep()).toBe(0);
  });

  it('a timeout in hours, and a reminder before it: recorded once at deadline - lead time, then Denied at the deadline', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [
        stage([a.id, b.id], {
          approvalsRequired: 2,
          approvalStageTimeOutInHours: 4,
          reminderBeforeTimeOutInMinutes: 30,
        }),
      ];
    });
    const start = clock.now();
    const deadline = start + 4 * HOUR;
    const { id, stepId } = await pending();
    expect((await decide(a, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);

    clock.set(deadline - 30 * MINUTE - 1);
    expect(await sweep()).toBe(0);
    clock.set(deadline - 30 * MINUTE);
    const rec = [0, 1].map(() => makeExpiryRecorder({ uow: createUnitOfWork(s.db) }));
    await Promise.all(rec.map((r) => r.recordBatch(clock.now(), 100)));
    const reminded = await auditOf(s, 'Add member to role approval reminder sent (PIM activation)');
    expect(reminded).toHaveLength(1);
    expect(detailsOf(reminded[0]!)).toMatchObject({ RequestId: id, ApprovalDeadline: iso(deadline) });

    clock.set(deadline - 1);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
    clock.set(deadline);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
    expectGraphError(await decide(b, id, stepId, { reviewResult: 'Approve' }), 409, 'conflict', /timed out/);
    expect(await sweep()).toBe(1);
    expect(await auditOf(s, 'PIM activation request expired')).toHaveLength(1);
    expect(await auditOf(s, 'Add member to role approval reminder sent (PIM activation)')).toHaveLength(1);
  });

  it('the activation clock starts at the final approval: a slow approver costs the requestor nothing', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id])];
    });
    const { id, stepId } = await pending(); // PT2H
    clock.advance(3 * HOUR);
    const decidedAt = clock.now();
    expect((await decide(a, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    const [instance] = await activeInstances(s, await requestor.headers());
    expect(instance).toMatchObject({ startDateTime: iso(decidedAt), endDateTime: iso(decidedAt + 2 * HOUR) });
  });

  it('with the setting off the clock runs from the request: approval gives what is left, or fails once it ran out', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id])];
      setting.activationStartsAtApproval = false;
    });
    const requestedAt = clock.now();
    const first = await pending(); // PT2H
    clock.advance(HOUR);
    expect((await decide(a, first.id, first.stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect((await activeInstances(s, await requestor.headers()))[0]).toMatchObject({
      startDateTime: iso(requestedAt + HOUR),
      endDateTime: iso(requestedAt + 2 * HOUR),
    });
    const completed = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect(detailsOf(completed[0]!)).toMatchObject({ ActivationClock: 'FromRequest' });

    clock.set(requestedAt + 2 * HOUR);
    const second = await pending();
    clock.advance(3 * HOUR);
    expect((await decide(a, second.id, second.stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect((await requestOf(s, await requestor.headers(), second.id)).status).toBe('Failed');
    const failed = (await auditOf(s, 'Add member to role completed (PIM activation)')).at(-1)!;
    expect(failed.result).toBe('failure');
    expect(JSON.parse(failed.payload).resultReason).toMatch(/^ExpirationRule: the requested time ended/);
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
  });

  it("capped by the eligibility's end: a late approval is cut where the eligibility ends", async () => {
    const made = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
      action: 'adminAssign',
      justification: 'short eligibility',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: requestor.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT4H' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const eligibleUntil = clock.now() + 4 * HOUR;
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id])];
    });
    const { id, stepId } = await pending(); // PT2H
    clock.advance(3 * HOUR);
    expect((await decide(a, id, stepId, { reviewResult: 'Approve' })).statusCode).toBe(204);
    expect((await activeInstances(s, await requestor.headers()))[0]).toMatchObject({
      startDateTime: iso(clock.now()),
      endDateTime: iso(eligibleUntil),
    });
    const r = await requestOf(s, await requestor.headers(), id);
    expect(r.scheduleInfo.expiration.duration).toBe('PT1H');
    const completed = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect(detailsOf(completed[0]!)).toMatchObject({ CappedAtEligibilityEnd: 'true' });
  });

  it('an approver may shorten the duration (recorded); the shortest of a quorum wins; bad values change nothing', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id, b.id, c.id], { approvalsRequired: 2 })];
    });
    const { id, stepId } = await pending(); // PT2H
    const asA = await a.headers(); // signing in is audited: sign in before counting
    const before = await rowCounts(s);
    for (const [body, message] of [
      [{ reviewResult: 'Approve', '@elevate.approvedDuration': 'PT3H' }, /at most the requested PT2H/],
      [{ reviewResult: 'Approve', '@elevate.approvedDuration': 'PT1M' }, /at least PT5M/],
      [{ reviewResult: 'Deny', '@elevate.approvedDuration': 'PT1H' }, /Only an approval/],
      [{ reviewResult: 'Approve', '@elevate.approvedDuration': 'soon' }, /./],
    ] as const) {
      expectGraphError(await patchStep(s, asA, id, stepId, body), 400, 'invalidRequest', message);
    }
    expect(await rowCounts(s)).toEqual(before);
    expect((await stepsOf(s, await a.headers(), id))[0]!['@elevate.approvalsReceived' as 'id']).toBe(0);

    expect(
      (await decide(a, id, stepId, { reviewResult: 'Approve', '@elevate.approvedDuration': 'PT45M' }))
        .statusCode,
    ).toBe(204);
    clock.advance(MINUTE);
    const decidedAt = clock.now();
    expect(
      (await decide(b, id, stepId, { reviewResult: 'Approve', '@elevate.approvedDuration': 'PT1H' }))
        .statusCode,
    ).toBe(204);
    expect((await activeInstances(s, await requestor.headers()))[0]).toMatchObject({
      startDateTime: iso(decidedAt),
      endDateTime: iso(decidedAt + 45 * MINUTE),
    });
    expect((await requestOf(s, await requestor.headers(), id)).scheduleInfo.expiration.duration).toBe(
      'PT45M',
    );
    const approved = await auditOf(s, 'Add member to role request approved (PIM activation)');
    expect(approved.map(detailsOf).map((d) => d.ApprovedDuration)).toEqual(['PT45M', 'PT1H']);
    const completed = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect(detailsOf(completed[0]!)).toMatchObject({ ApprovedDuration: 'PT45M' });
  });

  it('the requestor never approves their own request, even as an active Global Administrator (default approvers)', async () => {
    const admin = await signedInUser(s, clock, [GLOBAL_ADMINISTRATOR]);
    const other = await signedInUser(s, clock, [GLOBAL_ADMINISTRATOR]);
    await makeEligible(s, clock, admin.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([])];
    });
    const res = await activate(s, await admin.headers(), admin.id, ROLE);
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json<{ id: string }>();
    const [step] = await stepsOf(s, await admin.headers(), id);
    expect(step!.assignedToMe).toBe(false);
    expect(await inbox(s, await admin.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await admin.headers(), id, step!.id, {
        reviewResult: 'Approve',
        justification: 'me',
      }),
      403,
      'Authorization_RequestDenied',
      'Nobody can approve or deny their own request.',
    );
    expect((await requestOf(s, await admin.headers(), id)).status).toBe('PendingApproval');
    expect(await inbox(s, await other.headers())).toEqual([id]);
    expect(
      (await patchStep(s, await other.headers(), id, step!.id, { reviewResult: 'Approve' })).statusCode,
    ).toBe(204);
  });

  it('role settings: the Elevate extensions round-trip through Graph PATCH/GET; unreachable or bad values are 400', async () => {
    const policyId = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${ROLE}'`,
      await adminAt(s, clock),
    ).then((r) => r.json<{ value: { policyId: string }[] }>().value[0]!.policyId);
    const url = `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`;
    const body = (over: Record<string, unknown>, settingOver: Record<string, unknown> = {}) => ({
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
      setting: {
        isApprovalRequired: true,
        isApprovalRequiredForExtension: false,
        isRequestorJustificationRequired: true,
        approvalMode: 'SingleStage',
        approvalStages: [
          {
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: false,
            escalationTimeInMinutes: 0,
            isEscalationEnabled: false,
            primaryApprovers: [a, b, c].map((u) => single(u.id)),
            escalationApprovers: [],
            ...over,
          },
        ],
        ...settingOver,
      },
    });
    const ok = await call(
      s,
      'PATCH',
      url,
      await adminAt(s, clock),
      body(
        {
          '@elevate.approvalsRequired': 2,
          '@elevate.approvalStageTimeOutInHours': 6,
          '@elevate.reminderBeforeTimeOutInMinutes': 45,
        },
        { '@elevate.activationStartsAtApproval': false },
      ),
    );
    expect(ok.statusCode, ok.body).toBeLessThan(300);
    const read = await call(s, 'GET', url, await adminAt(s, clock));
    const setting = read.json<{
      setting: Record<string, unknown> & { approvalStages: Record<string, unknown>[] };
    }>().setting;
    expect(setting['@elevate.activationStartsAtApproval']).toBe(false);
    expect(setting.approvalStages[0]).toMatchObject({
      '@elevate.approvalsRequired': 2,
      '@elevate.approvalStageTimeOutInHours': 6,
      '@elevate.reminderBeforeTimeOutInMinutes': 45,
    });

    for (const [over, target] of [
      [{ '@elevate.approvalsRequired': 4 }, /could never be reached/],
      [{ '@elevate.approvalsRequired': 0 }, /approvalsRequired/],
      [{ '@elevate.approvalStageTimeOutInHours': 169 }, /approvalStageTimeOutInHours/],
      [
        { '@elevate.approvalStageTimeOutInHours': 2, '@elevate.reminderBeforeTimeOutInMinutes': 120 },
        /reminder/,
      ],
      [
        {
          '@elevate.approvalStageTimeOutInHours': 1,
          isEscalationEnabled: true,
          escalationTimeInMinutes: 60,
          escalationApprovers: [single(a.id)],
        },
        /escalationTimeInMinutes/,
      ],
      [{ '@elevate.unknown': 1 }, /./],
    ] as const) {
      expectGraphError(
        await call(s, 'PATCH', url, await adminAt(s, clock), body(over)),
        400,
        'invalidRequest',
        target,
      );
    }
    const again = await call(s, 'GET', url, await adminAt(s, clock));
    expect(again.json()).toEqual(read.json());
  });

  it('a quorum stage shows in the approval read as Graph steps plus the two annotations', async () => {
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages = [stage([a.id, b.id], { approvalsRequired: 2 })];
    });
    const { id, stepId } = await pending();
    const read = await call(s, 'GET', `${APPROVALS}/${id}`, await a.headers());
    expect(read.json<{ steps: unknown[] }>().steps).toStrictEqual([
      {
        id: stepId,
        displayName: null,
        reviewedDateTime: null,
        reviewResult: 'NotReviewed',
        status: 'InProgress',
        assignedToMe: true,
        justification: '',
        reviewedBy: null,
        '@elevate.approvalsRequired': 2,
        '@elevate.approvalsReceived': 0,
      },
    ]);
  });

  it('selfExtend with isApprovalRequiredForExtension: PendingApproval, decided through the approval stages, then extended', async () => {
    const DAY = 24 * HOUR;
    const assigned = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
      action: 'adminAssign',
      justification: 'help desk rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: requestor.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P20D' } },
    });
    expect(assigned.statusCode, assigned.body).toBe(201);
    const scheduleId = assigned.json<{ targetScheduleId: string }>().targetScheduleId;
    await patchPolicy(s, ROLE, (rules) => {
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequiredForExtension = true;
      setting.approvalStages = [stage([a.id])];
    });
    clock.advance(10 * DAY);
    const extend = (justification: string) =>
      requestor.headers().then((h) =>
        call(s, 'POST', ELIGIBILITY_REQUESTS, h, {
          action: 'selfExtend',
          principalId: requestor.id,
          roleDefinitionId: ROLE,
          directoryScopeId: '/',
          justification,
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
        }),
      );

    // Denied first: nothing changes.
    const first = await extend('still on the rota');
    expect(first.statusCode, first.body).toBe(201);
    const asked = first.json<{ id: string; status: string; approvalId: string }>();
    expect(asked).toMatchObject({ status: 'PendingApproval', approvalId: asked.id });
    const eligibilityInbox = async (who: TestUser) =>
      (
        await call(
          s,
          'GET',
          `${ELIGIBILITY_REQUESTS}/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'`,
          await who.headers(),
        )
      )
        .json<{ value: { id: string }[] }>()
        .value.map((r) => r.id);
    expect(await eligibilityInbox(a)).toEqual([asked.id]);
    expect(await eligibilityInbox(b)).toEqual([]);
    const [step1] = await stepsOf(s, await a.headers(), asked.id);
    expect(step1!.assignedToMe).toBe(true);
    expectGraphError(
      await patchStep(s, await requestor.headers(), asked.id, step1!.id, { reviewResult: 'Approve' }),
      403,
      'Authorization_RequestDenied',
    );
    expect((await decide(a, asked.id, step1!.id, { reviewResult: 'Deny' })).statusCode).toBe(204);
    const endOf = async () =>
      Number(
        (
          await s.db.kysely
            .selectFrom('pim_schedules')
            .select('end_at')
            .where('id', '=', scheduleId)
            .executeTakeFirstOrThrow()
        ).end_at,
      );
    expect(await endOf()).toBe(clock.now() + 10 * DAY);
    expect(await auditOf(s, 'Update member in PIM denied by admin (extend/renew)')).toHaveLength(1);

    // Asked again and approved: the eligibility now ends 30 days after the request.
    const second = await extend('still on the rota, really');
    expect(second.statusCode, second.body).toBe(201);
    const { id } = second.json<{ id: string }>();
    const requestedAt = clock.now();
    const [step2] = await stepsOf(s, await a.headers(), id);
    expectGraphError(
      await decide(a, id, step2!.id, { reviewResult: 'Approve', '@elevate.approvedDuration': 'P1D' }),
      400,
      'invalidRequest',
      /Only an activation/,
    );
    clock.advance(HOUR);
    expect((await decide(a, id, step2!.id, { reviewResult: 'Approve' })).statusCode).toBe(204);
    const read = await call(s, 'GET', `${ELIGIBILITY_REQUESTS}/${id}`, await requestor.headers());
    expect(read.json<{ status: string }>().status).toBe('Provisioned');
    expect(await endOf()).toBe(requestedAt + 30 * DAY);
    expect(await auditOf(s, 'Update member in PIM approved by admin (extend/renew)')).toHaveLength(1);
    const completed = await auditOf(s, 'Update member in PIM completed (extend/renew)');
    expect(completed.map((c) => c.result)).toEqual(['success']);
  });
});
