// Approvals of resource-role activations over ARM (ADR 0044), on SQLite and PostgreSQL: Azure's
// `roleAssignmentApprovals` (2021-01-01-preview) read and decided by the stage's approver, through
// the same use case as Graph's directory-role approvals: an application never approves, the
// requestor cannot, a bad body or a decided stage changes nothing, another's approval is 404.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { signedInUser, type TestUser } from '../pim/approval-support.js';
import { adminAt, appAt, pimServer, type Headers, type ManualClock, type TestApp } from '../pim/support.js';
import { READER, register, requireResourceApproval, send } from './support.js';

const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const PREVIEW = 'api-version=2021-01-01-preview';
const APPROVALS = `/${AUTH}/roleAssignmentApprovals`;

describe('ARM roleAssignmentApprovals: a person approves a resource-role activation', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let agent: TestApp;
  let approver: TestUser;
  let requestId: string;

  const request = async (headers: Headers, properties: Record<string, unknown>) =>
    send(s, 'PUT', `/arm/prod/db/${AUTH}/roleAssignmentScheduleRequests/${randomUUID()}?${V}`, headers, {
      properties,
    });

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    agent = await appAt(s, clock);
    approver = await signedInUser(s, clock);
    await register(s, admin, '/prod', '/prod/db');
    const eligible = await send(
      s,
      'PUT',
      `/arm/prod/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
      admin,
      {
        properties: {
          principalId: agent.servicePrincipalId,
          roleDefinitionId: `/prod/${AUTH}/roleDefinitions/${READER}`,
          requestType: 'AdminAssign',
          justification: 'reads production',
          scheduleInfo: { expiration: { type: 'NoExpiration' } },
        },
      },
    );
    expect(eligible.statusCode, eligible.body).toBe(201);
    await requireResourceApproval(s, admin, '/prod', READER, approver.id);
    const asked = await request(await agent.headers(), {
      principalId: agent.servicePrincipalId,
      roleDefinitionId: `/prod/db/${AUTH}/roleDefinitions/${READER}`,
      requestType: 'SelfActivate',
      justification: 'read the orders table for incident 7',
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json().properties).toMatchObject({ status: 'PendingApproval', scope: '/prod/db' });
    requestId = asked.json<{ name: string }>().name;
    expect(asked.json().properties.approvalId).toBe(requestId);
  });
  afterEach(async () => s.close());

  const status = async () =>
    (
      await send(s, 'GET', `/arm/prod/db/${AUTH}/roleAssignmentScheduleRequests/${requestId}?${V}`, admin)
    ).json().properties.status as string;

  it('the approver reads the approval and approves its stage; the activation is provisioned', async () => {
    const read = await send(
      s,
      'GET',
      `/arm/prod/db${APPROVALS}/${requestId}?${PREVIEW}`,
      await approver.headers(),
    );
    expect(read.statusCode, read.body).toBe(200);
    const approval = read.json<{
      name: string;
      properties: { stages: { name: string; properties: object }[] };
    }>();
    expect(approval).toMatchObject({
      name: requestId,
      type: 'Microsoft.Authorization/roleAssignmentApprovals',
    });
    expect(approval.properties.stages).toHaveLength(1);
    const stage = approval.properties.stages[0]!;
    expect(stage.properties).toMatchObject({
      status: 'InProgress',
      reviewResult: 'NotReviewed',
      assignedToMe: true,
    });
    // The stages list and one stage, at the root scope too (the id is enough).
    const stages = await send(
      s,
      'GET',
      `${APPROVALS}/${requestId}/stages?${PREVIEW}`,
      await approver.headers(),
    );
    expect(stages.json().value).toEqual([expect.objectContaining({ name: stage.name })]);

    const decided = await send(
      s,
      'PUT',
      `/arm/prod/db${APPROVALS}/${requestId}/stages/${stage.name}?${PREVIEW}`,
      await approver.headers(),
      { properties: { reviewResult: 'Approve', justification: 'incident 7 is real' } },
    );
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().properties).toMatchObject({
      reviewResult: 'Approve',
      justification: 'incident 7 is real',
      reviewedBy: { id: approver.id },
    });
    expect(await status()).toBe('Provisioned');
    // Decided once: a second decision is a conflict and changes nothing.
    const again = await send(
      s,
      'PUT',
      `${APPROVALS}/${requestId}/stages/${stage.name}?${PREVIEW}`,
      await approver.headers(),
      { properties: { reviewResult: 'Deny' } },
    );
    expect(again.statusCode, again.body).toBe(409);
    expect(await status()).toBe('Provisioned');
  });

  it('refuses the application (the requestor), a bad body, the wrong api-version and unknown ids, changing nothing', async () => {
    const read = await send(s, 'GET', `${APPROVALS}/${requestId}?${PREVIEW}`, await approver.headers());
    const stageId = read.json().properties.stages[0].name as string;
    const put = async (headers: Headers, body: unknown, query = PREVIEW, id = requestId) =>
      send(s, 'PUT', `${APPROVALS}/${id}/stages/${stageId}?${query}`, headers, body);

    const byAgent = await put(await agent.headers(), { properties: { reviewResult: 'Approve' } });
    expect(byAgent.statusCode, byAgent.body).toBe(403);
    expect(byAgent.json().error.code).toBe('AuthorizationFailed');
    const bad = await put(await approver.headers(), { properties: { reviewResult: 'Maybe' } });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'InvalidRequestContent', message: expect.any(String) } });
    const version = await put(await approver.headers(), { properties: { reviewResult: 'Approve' } }, V);
    expect(version.statusCode, version.body).toBe(400);
    expect(version.json().error.code).toBe('InvalidApiVersionParameter');
    const unknown = await put(
      await approver.headers(),
      { properties: { reviewResult: 'Approve' } },
      PREVIEW,
      randomUUID(),
    );
    expect(unknown.statusCode, unknown.body).toBe(404);
    // Someone who is neither requestor, approver nor reader does not see it.
    const stranger = await signedInUser(s, clock);
    const hidden = await send(s, 'GET', `${APPROVALS}/${requestId}?${PREVIEW}`, await stranger.headers());
    expect(hidden.statusCode, hidden.body).toBe(404);
    expect(await status()).toBe('PendingApproval');
  });

  it('lists the approvals waiting for the caller with $filter=asApprover(), and the requests too, in ARM paging', async () => {
    await register(s, admin, '/staging');
    const list = async (headers: Headers, path: string) => send(s, 'GET', path, headers);
    const approverHeaders = await approver.headers();
    const mine = await list(approverHeaders, `${APPROVALS}?$filter=asApprover()&${PREVIEW}`);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toEqual({
      value: [
        expect.objectContaining({
          name: requestId,
          type: 'Microsoft.Authorization/roleAssignmentApprovals',
          properties: {
            stages: [
              expect.objectContaining({
                properties: expect.objectContaining({ status: 'InProgress', assignedToMe: true }),
              }),
            ],
          },
        }),
      ],
    });
    // At the request's scope and above it the approval is listed; at another scope it is not.
    const atDb = await list(approverHeaders, `/arm/prod/db${APPROVALS}?$filter=asApprover()&${PREVIEW}`);
    expect(atDb.json().value.map((a: { name: string }) => a.name)).toEqual([requestId]);
    const elsewhere = await list(approverHeaders, `/arm/staging${APPROVALS}?$filter=asApprover()&${PREVIEW}`);
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expect(elsewhere.json()).toEqual({ value: [] });
    // $top pages with ARM's nextLink.
    const paged = await list(approverHeaders, `${APPROVALS}?$filter=asApprover()&$top=1&${PREVIEW}`);
    expect(paged.json().value).toHaveLength(1);
    // The requests waiting for the caller, with what an approver reads (role, scope, justification).
    const requests = await list(
      approverHeaders,
      `/${AUTH}/roleAssignmentScheduleRequests?$filter=asApprover()&${V}`,
    );
    expect(requests.statusCode, requests.body).toBe(200);
    expect(requests.json().value).toEqual([
      expect.objectContaining({
        name: requestId,
        properties: expect.objectContaining({
          status: 'PendingApproval',
          scope: '/prod/db',
          principalId: agent.servicePrincipalId,
          justification: 'read the orders table for incident 7',
        }),
      }),
    ]);
    // The requestor (an application) and a stranger wait for nobody's decision here.
    for (const headers of [await agent.headers(), await (await signedInUser(s, clock)).headers()]) {
      const none = await list(headers, `${APPROVALS}?$filter=asApprover()&${PREVIEW}`);
      expect(none.json(), none.body).toEqual({ value: [] });
    }
    // The list takes asApprover() only; instances do not take it.
    const unfiltered = await list(approverHeaders, `${APPROVALS}?${PREVIEW}`);
    expect(unfiltered.statusCode, unfiltered.body).toBe(400);
    expect(unfiltered.json().error.code).toBe('InvalidFilterParameter');
    const instances = await list(
      approverHeaders,
      `/${AUTH}/roleAssignmentScheduleInstances?$filter=asApprover()&${V}`,
    );
    expect(instances.statusCode, instances.body).toBe(400);
    expect(instances.json().error.code).toBe('InvalidFilterParameter');
    // Once decided, it waits no more.
    const stageId = mine.json().value[0].properties.stages[0].name as string;
    const decided = await send(
      s,
      'PUT',
      `${APPROVALS}/${requestId}/stages/${stageId}?${PREVIEW}`,
      approverHeaders,
      {
        properties: { reviewResult: 'Approve', justification: 'ok' },
      },
    );
    expect(decided.statusCode, decided.body).toBe(200);
    const after = await list(approverHeaders, `${APPROVALS}?$filter=asApprover()&${PREVIEW}`);
    expect(after.json()).toEqual({ value: [] });
  });
});
