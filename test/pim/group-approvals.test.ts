// Approvals of PIM for Groups activations over Graph v1.0 (reference §4): the request waits as
// PendingApproval, the approver finds it in `assignmentApprovals/filterByCurrentUser(on='approver')`,
// reads its `stages` and decides with `PATCH …/stages/{id}` (204, 409 once decided); the membership
// starts only when approved. Group approvals are invisible on the directory-role surface and the
// other way round; the requester never approves their own request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import { APPROVALS, signedInUser, type TestUser } from './approval-support.js';
import {
  addGroup,
  adminAt,
  call,
  ctx,
  expectGraphError,
  inTx,
  ManualClock,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  rowCounts,
  type Headers,
} from './support.js';

const BASE = '/v1.0/identityGovernance/privilegedAccess/group';
const GROUP_APPROVALS = `${BASE}/assignmentApprovals`;
const INBOX = `${GROUP_APPROVALS}/filterByCurrentUser(on='approver')`;

interface StageJson {
  id: string;
  status: string;
  reviewResult: string;
  assignedToMe: boolean;
  justification: string;
  reviewedBy: { id: string } | null;
}

describe('PIM for Groups: approvals', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let groupId: string;
  let requester: TestUser;
  let approver: TestUser;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    groupId = await addGroup(s);
    requester = await signedInUser(s, clock);
    approver = await signedInUser(s, clock, [PRIVILEGED_ROLE_ADMINISTRATOR]);
    const eligible = await call(s, 'POST', `${BASE}/eligibilityScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: requester.id,
      groupId,
      justification: 'on call',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    // The group is onboarded now: its member activation needs a justification and one approval.
    await inTx(s, async (tx) => {
      const policy = (await tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'member'))!;
      const rules = structuredClone(policy.rules);
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequired = true;
      setting.approvalMode = 'SingleStage';
      await tx.policies.update({ ...policy, rules }, policy.version);
    });
  });
  afterEach(async () => s.close());

  const activate = async () => {
    const res = await call(s, 'POST', `${BASE}/assignmentScheduleRequests`, await requester.headers(), {
      action: 'selfActivate',
      accessId: 'member',
      principalId: requester.id,
      groupId,
      justification: 'INC-7 restore the backups',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ id: string; status: string; approvalId: string | null }>();
    expect(body.status).toBe('PendingApproval');
    expect(body.approvalId).toBe(body.id);
    return body.id;
  };

  const stagesOf = async (headers: Headers, id: string) => {
    const res = await call(s, 'GET', `${GROUP_APPROVALS}/${id}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ '@odata.context': string; id: string; stages: StageJson[] }>();
    expect(body['@odata.context']).toBe(
      ctx('identityGovernance/privilegedAccess/group/assignmentApprovals/$entity'),
    );
    expect(body.id).toBe(id);
    return body.stages;
  };

  const activeMemberships = async () => {
    const filter = encodeURIComponent(`groupId eq '${groupId}' and principalId eq '${requester.id}'`);
    const res = await call(s, 'GET', `${BASE}/assignmentScheduleInstances?$filter=${filter}`, admin);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: { accessId: string }[] }>().value;
  };

  it('the approver finds it in the inbox, approves once (204, then 409), and the membership starts', async () => {
    const id = await activate();
    expect(await activeMemberships()).toEqual([]);
    const approverHeaders = await approver.headers();

    const inbox = await call(s, 'GET', INBOX, approverHeaders);
    expect(inbox.statusCode, inbox.body).toBe(200);
    const listed = inbox.json<{ '@odata.context': string; value: { id: string; stages: StageJson[] }[] }>();
    expect(listed['@odata.context']).toBe(ctx('Collection(microsoft.graph.approval)'));
    expect(listed.value.map((a) => a.id)).toEqual([id]);
    expect(listed.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.approval' });

    const [stage] = await stagesOf(approverHeaders, id);
    expect(stage).toMatchObject({ status: 'InProgress', reviewResult: 'NotReviewed', assignedToMe: true });
    // The requester sees the approval, is not assigned to it, and cannot decide it.
    const own = await stagesOf(await requester.headers(), id);
    expect(own[0]!.assignedToMe).toBe(false);
    const self = await call(
      s,
      'PATCH',
      `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`,
      await requester.headers(),
      { reviewResult: 'Approve', justification: 'me' },
    );
    expectGraphError(self, 403);
    // The requester's inbox is empty: nobody is asked to approve their own request.
    const mine = await call(s, 'GET', INBOX, await requester.headers());
    expect(mine.json<{ value: unknown[] }>().value).toEqual([]);

    const approve = await call(s, 'PATCH', `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`, approverHeaders, {
      reviewResult: 'approve',
      justification: 'backups are due',
    });
    expect(approve.statusCode, approve.body).toBe(204);
    const again = await call(s, 'PATCH', `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`, approverHeaders, {
      reviewResult: 'Deny',
      justification: 'changed my mind',
    });
    expectGraphError(again, 409);

    const [decided] = await stagesOf(approverHeaders, id);
    expect(decided).toMatchObject({
      status: 'Completed',
      reviewResult: 'Approved',
      justification: 'backups are due',
      reviewedBy: { id: approver.id },
    });
    expect((await activeMemberships()).map((m) => m.accessId)).toEqual(['member']);
    const stages = await call(s, 'GET', `${GROUP_APPROVALS}/${id}/stages`, approverHeaders);
    expect(stages.statusCode, stages.body).toBe(200);
    expect(stages.json<{ value: StageJson[] }>().value).toHaveLength(1);
    // Decided: no longer in the inbox.
    const after = await call(s, 'GET', INBOX, approverHeaders);
    expect(after.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('a deny ends the request and grants nothing', async () => {
    const id = await activate();
    const [stage] = await stagesOf(await approver.headers(), id);
    const deny = await call(
      s,
      'PATCH',
      `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`,
      await approver.headers(),
      { reviewResult: 'Deny', justification: 'no incident open' },
    );
    expect(deny.statusCode, deny.body).toBe(204);
    const request = await call(s, 'GET', `${BASE}/assignmentScheduleRequests/${id}`, admin);
    expect(request.json<{ status: string }>().status).toBe('Denied');
    expect(await activeMemberships()).toEqual([]);
  });

  it('each surface sees only its own approvals; strangers and bad input get 4xx and change nothing', async () => {
    const id = await activate();
    const approverHeaders = await approver.headers();
    const [stage] = await stagesOf(approverHeaders, id);
    // Signing in is audited: everyone signs in before the counts are taken.
    const strangerHeaders = await (await signedInUser(s, clock)).headers();
    const before = await rowCounts(s);

    // The directory-role surface does not know a group approval.
    expectGraphError(await call(s, 'GET', `${APPROVALS}/${id}`, approverHeaders), 404);
    expectGraphError(
      await call(s, 'PATCH', `${APPROVALS}/${id}/steps/${stage!.id}`, approverHeaders, {
        reviewResult: 'Approve',
        justification: 'wrong surface',
      }),
      404,
    );
    // Someone who is neither requester nor approver nor reader: 404, not 403.
    expectGraphError(await call(s, 'GET', `${GROUP_APPROVALS}/${id}`, strangerHeaders), 404);
    expectGraphError(
      await call(s, 'PATCH', `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`, strangerHeaders, {
        reviewResult: 'Approve',
        justification: 'not mine',
      }),
      404,
    );
    // Unknown ids, a bad decision, an unsupported function argument or query option.
    expectGraphError(
      await call(s, 'GET', `${GROUP_APPROVALS}/00000000-0000-4000-8000-000000000000`, approverHeaders),
      404,
    );
    expectGraphError(
      await call(
        s,
        'PATCH',
        `${GROUP_APPROVALS}/${id}/stages/00000000-0000-4000-8000-000000000000`,
        approverHeaders,
        {
          reviewResult: 'Approve',
          justification: 'x',
        },
      ),
      404,
    );
    expectGraphError(
      await call(s, 'PATCH', `${GROUP_APPROVALS}/${id}/stages/${stage!.id}`, approverHeaders, {
        reviewResult: 'Maybe',
      }),
      400,
    );
    expectGraphError(
      await call(s, 'GET', `${GROUP_APPROVALS}/filterByCurrentUser(on='principal')`, approverHeaders),
      400,
    );
    expectGraphError(await call(s, 'GET', `${INBOX}?$filter=id eq 'x'`, approverHeaders), 400);
    expect(await rowCounts(s)).toEqual(before);
    expect((await stagesOf(approverHeaders, id))[0]!.status).toBe('InProgress');
  });
});
