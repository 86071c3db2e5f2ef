// PIM for Groups over Graph (reference §4) on the same engine as directory roles, on SQLite and
// PostgreSQL: eligibility → selfActivate with policy checks → an active membership exactly on
// [start, end), Graph's shapes and composite schedule ids, `$filter` by group, principal and
// access, onboarding of the group's policies by its first request, and bad input that changes
// nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import type { TestServer } from '../helpers/server.js';
import { findRule } from '../../src/domain/policy/types.js';
import {
  addGroup,
  addUser,
  adminAt,
  appAt,
  call,
  ctx,
  expectGraphError,
  HOUR,
  inTx,
  ManualClock,
  NOW,
  pimServer,
  rowCounts,
  USER_ADMINISTRATOR,
  type Headers,
  type TestApp,
} from './support.js';

const BASE = '/v1.0/identityGovernance/privilegedAccess/group';
const ELIGIBILITY_REQUESTS = `${BASE}/eligibilityScheduleRequests`;
const ASSIGNMENT_REQUESTS = `${BASE}/assignmentScheduleRequests`;
const iso = (ms: number) => new Date(ms).toISOString();
const q = (filter: string) => `?$filter=${encodeURIComponent(filter)}`;

/** Sets the enablement rules of a group's `member` activation policy (after onboarding). */
async function setGroupActivationRules(
  s: TestServer,
  groupId: string,
  rules: ('Justification' | 'Ticketing')[],
) {
  await inTx(s, async (tx) => {
    const policy = await tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'member');
    if (!policy) throw new Error('group not onboarded');
    const next = structuredClone(policy.rules);
    findRule(next, 'Enablement_EndUser_Assignment')!.enabledRules = rules;
    await tx.policies.update({ ...policy, rules: next }, policy.version);
  });
}

describe('PIM for Groups', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let workload: TestApp;
  let groupId: string;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    workload = await appAt(s, clock);
    groupId = await addGroup(s);
  });
  afterEach(async () => s.close());

  const makeEligible = () =>
    call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'on call for the group',
      scheduleInfo: { startDateTime: null, expiration: { type: 'noExpiration' } },
    });

  it('adminAssign of an eligible membership: Graph shape, composite targetScheduleId, group onboarded', async () => {
    const res = await makeEligible();
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<Record<string, unknown>>();
    expect(body).toStrictEqual({
      '@odata.context': ctx('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests/$entity'),
      id: expect.any(String),
      status: 'Provisioned',
      completedDateTime: iso(NOW),
      createdDateTime: iso(NOW),
      approvalId: null,
      customData: null,
      createdBy: { application: { displayName: null, id: s.boot.app.clientId }, device: null, user: null },
      action: 'adminAssign',
      isValidationOnly: false,
      justification: 'on call for the group',
      scheduleInfo: {
        startDateTime: iso(NOW),
        recurrence: null,
        expiration: { type: 'noExpiration', endDateTime: null, duration: null },
      },
      ticketInfo: { ticketNumber: null, ticketSystem: null },
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      targetScheduleId: `${groupId}_member_${String(body.id)}`,
    });

    // The schedule is found under that id, in the group shape.
    const schedule = await call(
      s,
      'GET',
      `${BASE}/eligibilitySchedules/${String(body.targetScheduleId)}`,
      admin,
    );
    expect(schedule.statusCode, schedule.body).toBe(200);
    expect(schedule.json()).toMatchObject({
      id: body.targetScheduleId,
      accessId: 'member',
      groupId,
      principalId: workload.servicePrincipalId,
      memberType: 'direct',
      status: 'Provisioned',
      createdUsing: body.id,
    });

    // Onboarded: the group has its member and owner role settings (scopeType Group, 17 rules).
    const policies = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments${q(`scopeId eq '${groupId}' and scopeType eq 'Group'`)}`,
      admin,
    );
    expect(policies.statusCode, policies.body).toBe(200);
    const assignments = policies.json<{ value: { roleDefinitionId: string; scopeType: string }[] }>().value;
    expect(assignments.map((a) => a.roleDefinitionId).sort()).toEqual(['member', 'owner']);
    const member = await inTx(s, (tx) => tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'member'));
    expect(member?.rules).toHaveLength(17);

    // The audit entry names the group and the access.
    const audited = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['payload'])
      .where('result', '=', 'success')
      .orderBy('seq', 'desc')
      .limit(5)
      .execute();
    const details = audited.flatMap(
      (r) =>
        (JSON.parse(String(r.payload)) as { additionalDetails?: { key: string; value: string }[] })
          .additionalDetails ?? [],
    );
    expect(details).toEqual(
      expect.arrayContaining([
        { key: 'GroupId', value: groupId },
        { key: 'AccessId', value: 'member' },
      ]),
    );

    // Directory-role PIM does not show it.
    const roles = await call(s, 'GET', '/v1.0/roleManagement/directory/roleEligibilitySchedules', admin);
    expect(roles.json<{ value: { id: string }[] }>().value.map((v) => v.id)).not.toContain(
      body.targetScheduleId,
    );
  });

  it('selfActivate: policy checks, then an active membership exactly on [start, end)', async () => {
    expect((await makeEligible()).statusCode).toBe(201);
    await setGroupActivationRules(s, groupId, ['Justification', 'Ticketing']);
    const self = await workload.headers();
    const activation = {
      action: 'selfActivate',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    };

    const refused = await call(s, 'POST', ASSIGNMENT_REQUESTS, self, activation);
    expectGraphError(
      refused,
      400,
      'RoleAssignmentRequestPolicyValidationFailed',
      'The following policy rules failed: ["JustificationRule","TicketingRule"]',
    );

    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, self, {
      ...activation,
      justification: 'deploy',
      ticketInfo: { ticketNumber: 'CHG-1', ticketSystem: 'ServiceNow' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const request = res.json<{ id: string; status: string; targetScheduleId: string }>();
    expect(request.status).toBe('Provisioned');
    expect(request.targetScheduleId).toBe(`${groupId}_member_${request.id}`);

    const instances = `${BASE}/assignmentScheduleInstances${q(`groupId eq '${groupId}' and accessId eq 'member'`)}`;
    const listed = await call(s, 'GET', instances, admin);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toStrictEqual({
      '@odata.context': ctx('identityGovernance/privilegedAccess/group/assignmentScheduleInstances'),
      value: [
        {
          id: expect.any(String),
          startDateTime: iso(NOW),
          endDateTime: iso(NOW + HOUR),
          accessId: 'member',
          principalId: workload.servicePrincipalId,
          groupId,
          memberType: 'direct',
          assignmentType: 'activated',
          assignmentScheduleId: request.targetScheduleId,
        },
      ],
    });

    // Filters by access and principal, and the principal's own view.
    const owners = await call(
      s,
      'GET',
      `${BASE}/assignmentScheduleInstances${q("accessId eq 'owner'")}`,
      admin,
    );
    expect(owners.json<{ value: unknown[] }>().value).toEqual([]);
    // memberType and assignmentType filter in Graph's lowercase spelling (any case matches).
    const count = async (filter: string) => {
      const res = await call(s, 'GET', `${BASE}/assignmentScheduleInstances${q(filter)}`, admin);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ value: unknown[] }>().value.length;
    };
    expect(await count(`groupId eq '${groupId}' and memberType eq 'direct'`)).toBe(1);
    expect(await count(`groupId eq '${groupId}' and memberType eq 'group'`)).toBe(0);
    expect(await count(`groupId eq '${groupId}' and assignmentType eq 'activated'`)).toBe(1);
    expect(await count(`groupId eq '${groupId}' and assignmentType eq 'Assigned'`)).toBe(0);
    const schedules = await call(
      s,
      'GET',
      `${BASE}/assignmentSchedules${q(`groupId eq '${groupId}' and assignmentType eq 'activated'`)}`,
      admin,
    );
    expect(schedules.json<{ value: unknown[] }>().value).toHaveLength(1);
    const wrong = await call(
      s,
      'GET',
      `${BASE}/assignmentScheduleInstances${q("memberType eq 'cousin'")}`,
      admin,
    );
    expect(wrong.statusCode).toBe(400);
    const mine = await call(
      s,
      'GET',
      `${BASE}/assignmentSchedules/filterByCurrentUser(on='principal')`,
      self,
    );
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json<{ value: { id: string; assignmentType: string }[] }>().value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.privilegedAccessGroupAssignmentSchedule',
        id: request.targetScheduleId,
        assignmentType: 'activated',
      }),
    ]);
    const byPrincipal = await call(
      s,
      'GET',
      `${BASE}/assignmentScheduleRequests${q(`principalId eq '${workload.servicePrincipalId}' and groupId eq '${groupId}'`)}&$expand=group`,
      admin,
    );
    expect(byPrincipal.json<{ value: { id: string; group: { id: string } }[] }>().value).toEqual([
      expect.objectContaining({ id: request.id, group: expect.objectContaining({ id: groupId }) }),
    ]);

    // Exactly in time: held at end - 1 ms, not at end.
    // (a fresh token each time: the first one has expired by then)
    clock.set(NOW + HOUR - 1);
    const late = await adminAt(s, clock);
    expect((await call(s, 'GET', instances, late)).json<{ value: unknown[] }>().value).toHaveLength(1);
    clock.set(NOW + HOUR);
    const ended = await call(s, 'GET', instances, late);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('selfDeactivate ends the membership at once; a second activation while active is RoleAssignmentExists', async () => {
    expect((await makeEligible()).statusCode).toBe(201);
    await setGroupActivationRules(s, groupId, ['Justification']);
    const self = await workload.headers();
    const activation = {
      action: 'selfActivate',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'deploy',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT2H' } },
    };
    expect((await call(s, 'POST', ASSIGNMENT_REQUESTS, self, activation)).statusCode).toBe(201);
    expectGraphError(
      await call(s, 'POST', ASSIGNMENT_REQUESTS, self, activation),
      400,
      'RoleAssignmentExists',
    );
    clock.advance(6 * 60_000);
    const off = await call(s, 'POST', ASSIGNMENT_REQUESTS, self, {
      action: 'selfDeactivate',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
    });
    expect(off.statusCode, off.body).toBe(201);
    const instances = await call(
      s,
      'GET',
      `${BASE}/assignmentScheduleInstances${q(`groupId eq '${groupId}'`)}`,
      admin,
    );
    expect(instances.json<{ value: unknown[] }>().value).toEqual([]);
  });

  it('isValidationOnly answers as a real request would, and writes nothing (the group is not onboarded)', async () => {
    const before = await rowCounts(s);
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      accessId: 'owner',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'just checking',
      isValidationOnly: true,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'Provisioned', isValidationOnly: true, accessId: 'owner' });
    expect(await rowCounts(s)).toEqual(before);
    expect(
      await inTx(s, (tx) => tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'owner')),
    ).toBeUndefined();
  });

  it('without an eligibility selfActivate is refused, and nothing is written', async () => {
    const self = await workload.headers();
    const before = await rowCounts(s);
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, self, {
      action: 'selfActivate',
      accessId: 'owner',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'x',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expectGraphError(res, 400, 'RoleAssignmentRequestPolicyValidationFailed');
    const after = await rowCounts(s);
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
  });

  it('bad input: unknown group, wrong accessId, malformed ids: 4xx in the Graph envelope, nothing changed', async () => {
    const user = await addUser(s);
    const before = await rowCounts(s);
    const body = {
      action: 'adminAssign',
      accessId: 'member',
      principalId: user,
      groupId,
      justification: 'x',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    };
    const unknownGroup = 'a5b1c1e0-0000-4000-8000-000000000001';
    expectGraphError(
      await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, { ...body, groupId: unknownGroup }),
      400,
      'GroupNotFound',
    );
    expectGraphError(
      await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, { ...body, accessId: 'admin' }),
      400,
      'InvalidAccessId',
    );
    expectGraphError(await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, { ...body, groupId: 'nope' }), 400);
    expectGraphError(
      await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, { ...body, roleDefinitionId: USER_ADMINISTRATOR }),
      400,
    );
    expect(await rowCounts(s)).toEqual(before);
    // The group was not onboarded by the refused requests.
    expect(
      await inTx(s, (tx) => tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'member')),
    ).toBeUndefined();
  });

  it('a group that is not role-assignable cannot be made eligible for a directory role (400, nothing changed)', async () => {
    const created = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'plain',
      mailNickname: 'plain',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const plain = created.json<{ id: string }>().id;
    const before = await rowCounts(s);
    const res = await call(
      s,
      'POST',
      '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: plain,
        justification: 'x',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );
    expectGraphError(res, 400, 'Request_BadRequest', /role-assignable/);
    expect({ ...(await rowCounts(s)), audit: 0 }).toEqual({ ...before, audit: 0 });
  });

  it('an app without group PIM permissions may not assign (403); one with PrivilegedAccess.ReadWrite.AzureADGroup may', async () => {
    const user = await addUser(s);
    // A group that confers no roles (not role-assignable): group PIM permissions are enough.
    const plain = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'team',
      mailNickname: 'team',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(plain.statusCode, plain.body).toBe(201);
    const body = {
      action: 'adminAssign',
      accessId: 'owner',
      principalId: user,
      groupId: plain.json<{ id: string }>().id,
      justification: 'x',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    };
    const roleAdmin = await appAt(s, clock, ['RoleManagement.ReadWrite.Directory']);
    expectGraphError(await call(s, 'POST', ELIGIBILITY_REQUESTS, await roleAdmin.headers(), body), 403);
    const groupAdmin = await appAt(s, clock, ['PrivilegedAccess.ReadWrite.AzureADGroup']);
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, await groupAdmin.headers(), body);
    expect(res.statusCode, res.body).toBe(201);
    // Readers without group permissions see only their own: the list is filtered, the item 404.
    const outsider = await (await appAt(s, clock)).headers();
    expect((await call(s, 'GET', ELIGIBILITY_REQUESTS, outsider)).json<{ value: unknown[] }>().value).toEqual(
      [],
    );
    expectGraphError(
      await call(s, 'GET', `${ELIGIBILITY_REQUESTS}/${res.json<{ id: string }>().id}`, outsider),
      404,
    );
  });
});

describe('PIM for Groups: concurrent activations (PostgreSQL)', skipFor(postgresOnly), () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(async () => s.close());

  it('20 concurrent selfActivate of one group membership: one 201, the rest RoleAssignmentExists', async () => {
    const admin = await adminAt(s, clock);
    const workload = await appAt(s, clock);
    const groupId = await addGroup(s);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'eligible',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    await setGroupActivationRules(s, groupId, ['Justification']);
    const headers = await workload.headers();
    const body = {
      action: 'selfActivate',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'incident',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(s, 'POST', ASSIGNMENT_REQUESTS, headers, body)),
    );
    const outcome = results.map((r) =>
      r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json<{ error: { code: string } }>().error.code}`,
    );
    expect(
      outcome.filter((o) => o === 201),
      JSON.stringify(outcome),
    ).toHaveLength(1);
    expect(outcome.filter((o) => o === '400 RoleAssignmentExists')).toHaveLength(19);
    const rows = await s.db.kysely
      .selectFrom('pim_schedules')
      .select('id')
      .where('kind', '=', 'assignment')
      .where('resource_type', '=', 'group')
      .execute();
    expect(rows).toHaveLength(1);
  });
});
