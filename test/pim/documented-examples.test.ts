// Every documented example of reference §1.9, over HTTP with an app token and a manual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDateTime, parseDateTime } from '../../src/domain/time/datetime.js';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  addGroup,
  addUser,
  ASSIGNMENT_REQUESTS,
  ATTRIBUTE_DEFINITION_ADMINISTRATOR,
  call,
  ctx,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  GROUPS_ADMINISTRATOR,
  type Headers,
  HOUR,
  ManualClock,
  NOW,
  pimServer,
  setActivationRules,
} from './support.js';

const iso = (ms: number) => formatDateTime(ms);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('reference §1.9 documented examples', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  it('adminAssign, active, permanent → 201 Provisioned, start rewritten to now, every key present', async () => {
    const group = await addGroup(s);
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'Assign Groups Admin to IT Helpdesk group',
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: group,
      scheduleInfo: { startDateTime: '2022-04-10T00:00:00Z', expiration: { type: 'NoExpiration' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<Record<string, unknown>>();
    expect(body).toStrictEqual({
      '@odata.context': ctx('roleManagement/directory/roleAssignmentScheduleRequests/$entity'),
      id: expect.stringMatching(GUID),
      status: 'Provisioned',
      createdDateTime: iso(NOW),
      completedDateTime: iso(NOW),
      approvalId: null,
      customData: null,
      action: 'adminAssign',
      principalId: group,
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      appScopeId: null,
      isValidationOnly: false,
      targetScheduleId: body.id,
      justification: 'Assign Groups Admin to IT Helpdesk group',
      createdBy: { application: { displayName: null, id: s.boot.app.clientId }, device: null, user: null },
      scheduleInfo: {
        startDateTime: iso(NOW),
        recurrence: null,
        expiration: { type: 'noExpiration', endDateTime: null, duration: null },
      },
      ticketInfo: { ticketNumber: null, ticketSystem: null },
    });
    // The GET returns the same entity.
    const get = await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${String(body.id)}`, admin);
    expect(get.statusCode).toBe(200);
    expect(get.json()).toStrictEqual(body);
  });

  it('selfActivate with a future start → 201 Granted, completedDateTime = start, ticket echoed', async () => {
    // The principal is the calling service principal itself (JIT for workloads); no MFA in policy.
    const sp = await appAt(s, clock);
    await setActivationRules(s, ATTRIBUTE_DEFINITION_ADMINISTRATOR, ['Justification']);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'AdminAssign',
      justification: 'eligible',
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: sp.servicePrincipalId,
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);

    const start = parseDateTime('2026-11-28T00:00:00.000Z');
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, await sp.headers(), {
      action: 'selfActivate',
      principalId: sp.servicePrincipalId,
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      justification:
        'I need access to the Attribute Administrator role to manage attributes to be assigned to restricted AUs',
      scheduleInfo: {
        startDateTime: '2026-11-28T00:00:00.000Z',
        expiration: { type: 'AfterDuration', duration: 'PT5H' },
      },
      ticketInfo: { ticketNumber: 'CONTOSO:Normal-67890', ticketSystem: 'MS Project' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      status: 'Granted',
      createdDateTime: iso(NOW),
      completedDateTime: iso(start),
      action: 'selfActivate',
      targetScheduleId: body.id,
      principalId: sp.servicePrincipalId,
      scheduleInfo: {
        startDateTime: iso(start),
        recurrence: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT5H' },
      },
      ticketInfo: { ticketNumber: 'CONTOSO:Normal-67890', ticketSystem: 'MS Project' },
    });
    expect(body.createdBy).toStrictEqual({
      application: { displayName: null, id: expect.any(String) },
      device: null,
      user: null,
    });

    // Before the start nothing holds; at the start it holds, read by the instance list.
    const instances = `/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId eq '${sp.servicePrincipalId}'`;
    expect((await call(s, 'GET', instances, admin)).json<{ value: unknown[] }>().value).toHaveLength(0);
    clock.set(start);
    admin = await adminAt(s, clock);
    const now = (await call(s, 'GET', instances, admin)).json<{ value: Record<string, unknown>[] }>().value;
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({
      startDateTime: iso(start),
      endDateTime: iso(start + 5 * HOUR),
      assignmentType: 'Activated',
    });
    // …and the request now reads Provisioned.
    const after = await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${String(body.id)}`, admin);
    expect(after.json()).toMatchObject({ status: 'Provisioned' });
  });

  it('eligibility adminAssign, time-bound (afterDateTime) → 201 Provisioned with the eligibility context', async () => {
    const user = await addUser(s);
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'Assign Attribute Assignment Admin eligibility to restricted user',
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
      scheduleInfo: {
        startDateTime: '2026-11-27T00:00:00Z',
        expiration: { type: 'afterDateTime', endDateTime: '2027-04-10T00:00:00Z' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      '@odata.context': ctx('roleManagement/directory/roleEligibilityScheduleRequests/$entity'),
      status: 'Provisioned',
      action: 'adminAssign',
      scheduleInfo: {
        startDateTime: iso(NOW),
        expiration: { type: 'afterDateTime', endDateTime: '2027-04-10T00:00:00.000Z', duration: null },
      },
    });
  });

  it('eligibility adminRemove → 201 Revoked with completedDateTime, targetScheduleId, justification and scheduleInfo null', async () => {
    const user = await addUser(s);
    const assign = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(assign.statusCode, assign.body).toBe(201);
    clock.advance(HOUR);
    admin = await adminAt(s, clock);
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminRemove',
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'Revoked',
      action: 'adminRemove',
      completedDateTime: null,
      targetScheduleId: null,
      justification: null,
      scheduleInfo: null,
      ticketInfo: { ticketNumber: null, ticketSystem: null },
    });
    // A second removal finds nothing to remove.
    const again = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminRemove',
      roleDefinitionId: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
    });
    expectGraphError(again, 400, 'RoleAssignmentDoesNotExist', 'The Role assignment does not exist.');
  });

  it('cancel: a Granted request → 204 and Canceled; a Provisioned one → 400', async () => {
    const user = await addUser(s);
    const future = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'starts tomorrow',
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
      scheduleInfo: {
        startDateTime: iso(NOW + 24 * HOUR),
        expiration: { type: 'afterDuration', duration: 'P7D' },
      },
    });
    expect(future.statusCode, future.body).toBe(201);
    expect(future.json()).toMatchObject({ status: 'Granted' });
    const id = future.json<{ id: string }>().id;

    const cancel = await s.app.inject({
      method: 'POST',
      url: `${ASSIGNMENT_REQUESTS}/${id}/cancel`,
      headers: admin,
    });
    expect(cancel.statusCode, cancel.body).toBe(204);
    expect(cancel.body).toBe('');
    expect((await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${id}`, admin)).json()).toMatchObject({
      status: 'Canceled',
    });
    // Canceled before it started: it never holds, and the slot is free for a new assignment.
    clock.advance(2 * 24 * HOUR);
    admin = await adminAt(s, clock);
    const instances = await call(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId eq '${user}'`,
      admin,
    );
    expect(instances.json<{ value: unknown[] }>().value).toEqual([]);

    const now = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'now',
      roleDefinitionId: GROUPS_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P7D' } },
    });
    expect(now.statusCode, now.body).toBe(201);
    expect(now.json()).toMatchObject({ status: 'Provisioned' });
    // With a JSON content type and no body, as Graph SDKs send it.
    const refused = await s.app.inject({
      method: 'POST',
      url: `${ASSIGNMENT_REQUESTS}/${now.json<{ id: string }>().id}/cancel`,
      headers: { ...admin, 'content-type': 'application/json' },
    });
    expectGraphError(refused, 400, 'RequestNotCancelable', /this one is Provisioned/);
    // Canceling twice is refused too.
    const twice = await s.app.inject({
      method: 'POST',
      url: `${ASSIGNMENT_REQUESTS}/${id}/cancel`,
      headers: admin,
    });
    expectGraphError(twice, 400, 'RequestNotCancelable', /Canceled/);
  });
});
