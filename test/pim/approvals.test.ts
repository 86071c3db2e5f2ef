// The approval workflow of directory-role activations over HTTP with real user tokens: a request
// that needs approval waits (and grants nothing) until its approvers decide; Graph's beta
// roleAssignmentApprovals shapes, the approver inbox, who may decide, audit.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  appAt,
  auditOf,
  inTx,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  rowCounts,
  setActivationRules,
  call,
  expectGraphError,
  HOUR,
  ManualClock,
  MINUTE,
  pimServer,
  USER_ADMINISTRATOR,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });

describe('PIM approvals', () => {
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

  const useApprovers = (...ids: string[]) =>
    requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = ids.map(single);
    });

  async function pending(): Promise<{ id: string; stepId: string }> {
    const res = await activate(s, await requestor.headers(), requestor.id, ROLE);
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json<{ id: string; status: string; approvalId: string }>();
    expect(r.status).toBe('PendingApproval');
    expect(r.approvalId).toBe(r.id);
    const [step] = await stepsOf(s, await requestor.headers(), r.id);
    return { id: r.id, stepId: step!.id };
  }

  it('AuthZEN says no while pending and yes once approved', async () => {
    await useApprovers(approver.id);
    const pdp = await appAt(s, clock, ['Elevate.AccessEvaluation']);
    const ask = async () =>
      (
        await call(s, 'POST', '/access/v1/evaluation', await pdp.headers(), {
          subject: { type: 'user', id: requestor.id },
          action: { name: 'hold' },
          resource: { type: 'role', id: ROLE, properties: { directoryScopeId: '/' } },
        })
      ).json<{ decision: boolean }>().decision;
    const { id, stepId } = await pending();
    expect(await ask()).toBe(false);
    const ok = await patchStep(s, await approver.headers(), id, stepId, {
      reviewResult: 'approve',
      justification: 'ok',
    });
    expect(ok.statusCode, ok.body).toBe(204);
    expect(await ask()).toBe(true);
  });

  it('deny: Denied, nothing granted, audited; a second decision on the step is 409', async () => {
    await useApprovers(approver.id);
    const { id, stepId } = await pending();
    const headers = await approver.headers();
    const no = await patchStep(s, headers, id, stepId, {
      reviewResult: 'Deny',
      justification: 'not on call',
    });
    expect(no.statusCode, no.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);
    expect((await stepsOf(s, headers, id))[0]).toMatchObject({ status: 'Completed', reviewResult: 'Denied' });
    const denied = await auditOf(s, 'Add member to role request denied (PIM activation)');
    expect(denied).toHaveLength(1);
    expect(JSON.parse(denied[0]!.payload)).toMatchObject({
      initiatedBy: { user: { id: approver.id } },
      justification: 'not on call',
    });
    for (const reviewResult of ['Approve', 'Deny']) {
      expectGraphError(
        await patchStep(s, headers, id, stepId, { reviewResult, justification: 'again' }),
        409,
        'conflict',
        'This approval stage has already been decided.',
      );
    }
    expect(await auditOf(s, 'Add member to role completed (PIM activation)')).toHaveLength(0);
  });

  it('nobody approves their own request, even when named as an approver (403)', async () => {
    await useApprovers(approver.id, requestor.id);
    const { id, stepId } = await pending();
    const mine = await requestor.headers();
    expect(await inbox(s, mine)).toEqual([]);
    expect((await stepsOf(s, mine, id))[0]!.assignedToMe).toBe(false);
    expectGraphError(
      await patchStep(s, mine, id, stepId, { reviewResult: 'Approve', justification: 'me' }),
      403,
      'Authorization_RequestDenied',
      'Nobody can approve or deny their own request.',
    );
    expect((await requestOf(s, mine, id)).status).toBe('PendingApproval');
  });

  it('others: a bystander gets 404; a PIM reader sees it but cannot decide (403); applications cannot decide', async () => {
    await useApprovers(approver.id);
    const { id, stepId } = await pending();
    const bystander = await signedInUser(s, clock);
    const b = await bystander.headers();
    expectGraphError(await call(s, 'GET', `${APPROVALS}/${id}`, b), 404, 'Request_ResourceNotFound');
    expectGraphError(await call(s, 'GET', `${APPROVALS}/${id}/steps`, b), 404);
    expectGraphError(await patchStep(s, b, id, stepId, { reviewResult: 'Approve', justification: 'x' }), 404);
    expect(await inbox(s, b)).toEqual([]);

    const reader = await signedInUser(s, clock, ['f2ef992c-3afb-46b9-b7cf-a126ee74c451']); // Global Reader
    const r = await reader.headers();
    expect((await stepsOf(s, r, id))[0]!.assignedToMe).toBe(false);
    expectGraphError(
      await patchStep(s, r, id, stepId, { reviewResult: 'Approve', justification: 'x' }),
      403,
      'Authorization_RequestDenied',
      'You are not an approver of this approval stage.',
    );

    const app = await appAt(s, clock, ['RoleManagement.ReadWrite.Directory']);
    const a = await app.headers();
    expect((await stepsOf(s, a, id))[0]!.status).toBe('InProgress');
    expectGraphError(
      await patchStep(s, a, id, stepId, { reviewResult: 'Approve', justification: 'x' }),
      403,
      'Authorization_RequestDenied',
      /Applications cannot approve/,
    );
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('PendingApproval');
  });

  it('group approvers: members at decision time approve; others cannot', async () => {
    const member = await signedInUser(s, clock);
    const late = await signedInUser(s, clock);
    const group = await addGroup(s, [member.id]);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = [
        { '@odata.type': '#microsoft.graph.groupMembers', groupId: group },
      ];
    });
    const { id, stepId } = await pending();
    expect(await inbox(s, await member.headers())).toEqual([id]);
    expect(await inbox(s, await late.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await late.headers(), id, stepId, { reviewResult: 'Approve', justification: 'x' }),
      404,
    );
    // Membership counts when the decision is made.
    await inTx(s, (tx) =>
      tx.groups.addMember(s.boot.tenantId, { groupId: group, memberId: late.id, memberType: 'user' }, 0),
    );
    expect(await inbox(s, await late.headers())).toEqual([id]);
    const ok = await patchStep(s, await late.headers(), id, stepId, {
      reviewResult: 'Approve',
      justification: 'x',
    });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
  });

  it('default approvers: an eligible, not activated Privileged Role Administrator cannot approve; once active, can', async () => {
    await requireApproval(s, ROLE); // no primary approvers
    const pra = await signedInUser(s, clock);
    await makeEligible(s, clock, pra.id, PRIVILEGED_ROLE_ADMINISTRATOR);
    await setActivationRules(s, PRIVILEGED_ROLE_ADMINISTRATOR, ['Justification']);
    const { id, stepId } = await pending();
    expect(await inbox(s, await pra.headers())).toEqual([]);
    expectGraphError(
      await patchStep(s, await pra.headers(), id, stepId, { reviewResult: 'Approve', justification: 'x' }),
      404,
    );

    const on = await activate(s, await pra.headers(), pra.id, PRIVILEGED_ROLE_ADMINISTRATOR);
    expect(on.statusCode, on.body).toBe(201);
    expect(on.json<{ status: string }>().status).toBe('Provisioned');
    const active = await pra.headers();
    expect(await inbox(s, active)).toEqual([id]);
    expect((await stepsOf(s, active, id))[0]!.assignedToMe).toBe(true);
    const ok = await patchStep(s, active, id, stepId, { reviewResult: 'Approve', justification: 'x' });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
  });

  it("the approver's justification is required when the stage says so (400, nothing changes)", async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = [single(approver.id)];
      setting.approvalStages[0]!.isApproverJustificationRequired = true;
    });
    const { id, stepId } = await pending();
    const headers = await approver.headers();
    const before = await rowCounts(s);
    for (const body of [
      { reviewResult: 'Approve' },
      { reviewResult: 'Approve', justification: '   ' },
      { reviewResult: 'Approve', justification: null },
    ]) {
      expectGraphError(
        await patchStep(s, headers, id, stepId, body),
        400,
        'invalidRequest',
        'This approval stage requires a justification from the approver.',
      );
    }
    expect(await rowCounts(s)).toEqual(before);
    expect((await stepsOf(s, headers, id))[0]!.status).toBe('InProgress');
    expect(
      (await patchStep(s, headers, id, stepId, { reviewResult: 'Approve', justification: 'ok' })).statusCode,
    ).toBe(204);
  });

  it('without the requirement an approval needs no justification', async () => {
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = [single(approver.id)];
      setting.approvalStages[0]!.isApproverJustificationRequired = false;
    });
    const { id, stepId } = await pending();
    const ok = await patchStep(s, await approver.headers(), id, stepId, { reviewResult: 'Approve' });
    expect(ok.statusCode, ok.body).toBe(204);
  });

  it('pending grants nothing; approval activates on [max(start, decision), +duration) exactly', async () => {
    await useApprovers(approver.id);
    const { id, stepId } = await pending();
    const mine = await requestor.headers();
    expect(await activeInstances(s, mine)).toEqual([]);
    expect(decodeJwt(mine.authorization!.slice(7)).wids ?? []).not.toContain(ROLE);
    const asApprover = await approver.headers();
    expect(await inbox(s, asApprover)).toEqual([id]);
    expect(await inbox(s, mine)).toEqual([]);

    const read = await call(s, 'GET', `${APPROVALS}/${id}`, asApprover);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toStrictEqual({
      '@odata.context':
        'http://127.0.0.1:8080/beta/$metadata#roleManagement/directory/roleAssignmentApprovals/$entity',
      id,
      steps: [
        {
          id: stepId,
          displayName: null,
          reviewedDateTime: null,
          reviewResult: 'NotReviewed',
          status: 'InProgress',
          assignedToMe: true,
          justification: '',
          reviewedBy: null,
        },
      ],
    });
    expect((await stepsOf(s, mine, id))[0]!.assignedToMe).toBe(false);
    const steps = await call(s, 'GET', `${APPROVALS}/${id}/steps`, asApprover);
    expect(steps.json()).toMatchObject({
      '@odata.context': `http://127.0.0.1:8080/beta/$metadata#roleManagement/directory/roleAssignmentApprovals('${id}')/steps`,
      value: [{ id: stepId, status: 'InProgress' }],
    });

    clock.advance(10 * MINUTE);
    const decidedAt = clock.now();
    const ok = await patchStep(s, await approver.headers(), id, stepId, {
      reviewResult: 'Approve',
      justification: 'checked INC-4711',
    });
    expect(ok.statusCode, ok.body).toBe(204);
    expect(ok.body).toBe('');

    const r = await requestOf(s, await requestor.headers(), id);
    expect(r.status).toBe('Provisioned');
    expect(r.completedDateTime).toBe(new Date(decidedAt).toISOString());
    expect(r.scheduleInfo.startDateTime).toBe(new Date(decidedAt).toISOString());
    const [step] = await stepsOf(s, await approver.headers(), id);
    expect(step).toMatchObject({
      status: 'Completed',
      reviewResult: 'Approved',
      justification: 'checked INC-4711',
      reviewedDateTime: new Date(decidedAt).toISOString(),
      reviewedBy: { id: approver.id, displayName: 'Ada Sign-In' },
      assignedToMe: true,
    });
    expect(await inbox(s, await approver.headers())).toEqual([]);

    const fresh = await requestor.headers();
    expect(decodeJwt(fresh.authorization!.slice(7)).wids).toContain(ROLE);
    const end = decidedAt + 2 * HOUR;
    clock.set(end - 1);
    const held = await activeInstances(s, await requestor.headers());
    expect(held).toMatchObject([
      {
        roleDefinitionId: ROLE,
        startDateTime: new Date(decidedAt).toISOString(),
        endDateTime: new Date(end).toISOString(),
      },
    ]);
    clock.set(end);
    expect(await activeInstances(s, await requestor.headers())).toEqual([]);

    const requested = await auditOf(s, 'Add member to role approval requested (PIM activation)');
    const approved = await auditOf(s, 'Add member to role request approved (PIM activation)');
    const completed = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect([requested.length, approved.length, completed.length]).toEqual([1, 1, 1]);
    const entry = JSON.parse(approved[0]!.payload) as Record<string, unknown>;
    expect(entry).toMatchObject({
      initiatedBy: { user: { id: approver.id } },
      justification: 'checked INC-4711',
      ticket: 'ServiceNow INC-4711',
    });
    expect(JSON.stringify(entry.additionalDetails)).toContain('INC-4711 password resets');
    expect(JSON.parse(completed[0]!.payload)).toMatchObject({ initiatedBy: { user: { id: approver.id } } });
  });
});
