// The requester's recent activations, lent to the approver a request waits for (ADR 0043):
// `GET /beta/…/roleAssignmentApprovals/{id}/requesterActivations` answers the approver of the stage
// in progress with the requester's earlier activations of that role only, and 404 to everyone else —
// the requester, a reader of every request, the approver of a stage not started or already decided,
// an application — and to everyone once the request is no longer pending.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  activate,
  APPROVALS,
  makeEligible,
  patchStep,
  requireApproval,
  signedInUser,
  stepsOf,
  type TestUser,
} from './approval-support.js';
import {
  adminAt,
  call,
  GROUPS_ADMINISTRATOR,
  HOUR,
  ManualClock,
  pimServer,
  setActivationRules,
  USER_ADMINISTRATOR,
  type Headers,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });

interface RequestJson {
  id: string;
  action: string;
  status: string;
  roleDefinitionId: string;
  justification: string | null;
}

describe('the requester’s recent activations, for the approver a request waits for', () => {
  let s: TestServer;
  let clock: ManualClock;
  let requestor: TestUser;
  let first: TestUser;
  let second: TestUser;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    requestor = await signedInUser(s, clock);
    first = await signedInUser(s, clock);
    second = await signedInUser(s, clock);
    await makeEligible(s, clock, requestor.id, ROLE);
    await makeEligible(s, clock, requestor.id, GROUPS_ADMINISTRATOR);
    await setActivationRules(s, GROUPS_ADMINISTRATOR, ['Justification']);
    // Two serial stages: `first`, then `second`.
    await requireApproval(s, ROLE, (setting) => {
      const stage = setting.approvalStages[0]!;
      setting.approvalMode = 'Serial';
      setting.approvalStages = [
        { ...stage, primaryApprovers: [single(first.id)] },
        { ...stage, primaryApprovers: [single(second.id)] },
      ];
    });
  });
  afterEach(async () => s.close());

  const history = (headers: Headers, id: string) =>
    call(s, 'GET', `${APPROVALS}/${id}/requesterActivations`, headers);

  async function request(justification: string): Promise<string> {
    const res = await activate(s, await requestor.headers(), requestor.id, ROLE, { justification });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  async function approveStage(approver: TestUser, id: string, n: number) {
    const steps = await stepsOf(s, await approver.headers(), id);
    const res = await patchStep(s, await approver.headers(), id, steps[n]!.id, {
      reviewResult: 'Approve',
      justification: 'checked',
    });
    expect(res.statusCode, res.body).toBe(204);
  }

  it('shows the earlier activations of the role to the approver of the stage in progress, and to nobody else', async () => {
    // An earlier activation of the role, approved through both stages, and one of another role.
    const earlier = await request('INC-1 earlier resets');
    await approveStage(first, earlier, 0);
    await approveStage(second, earlier, 1);
    const other = await activate(s, await requestor.headers(), requestor.id, GROUPS_ADMINISTRATOR, {
      justification: 'another role',
    });
    expect(other.statusCode, other.body).toBe(201);
    clock.advance(3 * HOUR); // both have ended

    const waiting = await request('INC-2 more resets');
    const res = await history(await first.headers(), waiting);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ value: RequestJson[] }>().value;
    expect(items.map((r) => [r.id, r.action, r.roleDefinitionId, r.justification])).toEqual([
      [earlier, 'selfActivate', ROLE, 'INC-1 earlier resets'],
    ]);

    // Not the requester, not the approver of the stage not started yet, not a reader of every
    // request, not an application, not an unknown request.
    const reader = await signedInUser(s, clock, [GLOBAL_READER]);
    for (const headers of [
      await requestor.headers(),
      await second.headers(),
      await reader.headers(),
      await adminAt(s, clock),
    ]) {
      const refused = await history(headers, waiting);
      expect(refused.statusCode, refused.body).toBe(404);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe('Request_ResourceNotFound');
    }
    expect((await history(await first.headers(), earlier)).statusCode).toBe(404); // granted, not pending
    expect((await history(await first.headers(), '0f0e0d0c-0b0a-4000-8000-000000000000')).statusCode).toBe(
      404,
    );

    // Stage 1 approved: the history moves with the request to the second approver.
    await approveStage(first, waiting, 0);
    expect((await history(await first.headers(), waiting)).statusCode).toBe(404);
    const atSecond = await history(await second.headers(), waiting);
    expect(atSecond.statusCode, atSecond.body).toBe(200);
    expect(atSecond.json<{ value: RequestJson[] }>().value.map((r) => r.id)).toEqual([earlier]);

    // Decided: nobody reads it any more.
    await approveStage(second, waiting, 1);
    expect((await history(await second.headers(), waiting)).statusCode).toBe(404);
  });
});
