// Graph reads of PIM over HTTP: permissions (403 for admin actions, 404 for others' objects),
// `$filter`, `$select`, `$expand`, paging, `@odata.context`, and `filterByCurrentUser`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDateTime } from '../../src/domain/time/datetime.js';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  auditOf,
  BASE,
  call,
  ctx,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  GROUPS_ADMINISTRATOR,
  type Headers,
  ManualClock,
  NOW,
  pimServer,
  rowCounts,
  setActivationRules,
  type TestApp,
  tokenAt,
  USER_ADMINISTRATOR,
} from './support.js';

const eligibility = (principalId: string, role = USER_ADMINISTRATOR) => ({
  action: 'adminAssign',
  justification: 'eligible',
  roleDefinitionId: role,
  directoryScopeId: '/',
  principalId,
  scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
});
const activation = (principalId: string, role = USER_ADMINISTRATOR) => ({
  action: 'selfActivate',
  justification: 'work',
  roleDefinitionId: role,
  directoryScopeId: '/',
  principalId,
  scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
});

describe('PIM over HTTP: permissions and OData', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let workload: TestApp;
  let requestId: string;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    workload = await appAt(s, clock);
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    const made = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, eligibility(workload.servicePrincipalId));
    expect(made.statusCode, made.body).toBe(201);
    const active = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      await workload.headers(),
      activation(workload.servicePrincipalId),
    );
    expect(active.statusCode, active.body).toBe(201);
    requestId = active.json<{ id: string }>().id;
  });
  afterEach(async () => s.close());

  it('admin actions need a PIM write permission of the right kind (403), audited as failures', async () => {
    const none = await appAt(s, clock);
    const user = await addUser(s);
    const before = await rowCounts(s);
    const denied = await call(s, 'POST', ELIGIBILITY_REQUESTS, await none.headers(), eligibility(user));
    expectGraphError(denied, 403, 'Authorization_RequestDenied');
    expect((await rowCounts(s)).requests).toBe(before.requests);
    expect(
      (await auditOf(s, 'Add eligible member to role in PIM requested (timebound)')).map((e) => e.result),
    ).toEqual(['failure']);

    const eligibilityWriter = await appAt(s, clock, ['RoleEligibilitySchedule.ReadWrite.Directory']);
    const headers = await eligibilityWriter.headers();
    expect((await call(s, 'POST', ELIGIBILITY_REQUESTS, headers, eligibility(user))).statusCode).toBe(201);
    const assignment = { ...eligibility(user, GROUPS_ADMINISTRATOR) };
    expectGraphError(
      await call(s, 'POST', ASSIGNMENT_REQUESTS, headers, assignment),
      403,
      'Authorization_RequestDenied',
    );
  });

  it("others' requests, schedules and instances are 404; lists show only one's own", async () => {
    const other = await appAt(s, clock);
    const h = await other.headers();
    expectGraphError(
      await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${requestId}`, h),
      404,
      'Request_ResourceNotFound',
    );
    const cancel = await s.app.inject({
      method: 'POST',
      url: `${ASSIGNMENT_REQUESTS}/${requestId}/cancel`,
      headers: h,
    });
    expectGraphError(cancel, 404, 'Request_ResourceNotFound');
    expectGraphError(
      await call(s, 'GET', `${BASE}/roleAssignmentSchedules/${requestId}`, h),
      404,
      'Request_ResourceNotFound',
    );
    for (const set of [
      'roleAssignmentScheduleRequests',
      'roleAssignmentSchedules',
      'roleAssignmentScheduleInstances',
      'roleEligibilitySchedules',
    ]) {
      const mine = await call(s, 'GET', `${BASE}/${set}`, h);
      expect(mine.statusCode, mine.body).toBe(200);
      expect(mine.json<{ value: unknown[] }>().value).toEqual([]);
      const own = await call(s, 'GET', `${BASE}/${set}`, await workload.headers());
      expect(
        own
          .json<{ value: { principalId: string }[] }>()
          .value.every((x) => x.principalId === workload.servicePrincipalId),
      ).toBe(true);
      expect(own.json<{ value: unknown[] }>().value.length).toBeGreaterThan(0);
    }
    // The workload reads its own request; another tenant's administrator cannot.
    expect(
      (await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${requestId}`, await workload.headers())).statusCode,
    ).toBe(200);
    const fabrikam = await s.otherTenant();
    const foreign = await call(s, 'GET', `${ASSIGNMENT_REQUESTS}/${requestId}`, {
      authorization: `Bearer ${await tokenAt(s, clock, fabrikam.app.clientId, fabrikam.app.clientSecret, fabrikam.tenantId)}`,
    });
    expectGraphError(foreign, 404, 'Request_ResourceNotFound');
  });

  it('$filter on principalId, roleDefinitionId, status, assignmentType, memberType; bad filters are 400', async () => {
    const list = async (set: string, filter: string) => {
      const res = await call(s, 'GET', `${BASE}/${set}?$filter=${encodeURIComponent(filter)}`, admin);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ value: Record<string, unknown>[] }>().value;
    };
    const p = workload.servicePrincipalId;
    expect(
      await list('roleAssignmentScheduleRequests', `principalId eq '${p}' and status eq 'provisioned'`),
    ).toHaveLength(1);
    expect(await list('roleAssignmentScheduleRequests', `status eq 'PendingApproval'`)).toHaveLength(0);
    expect(
      await list(
        'roleAssignmentScheduleRequests',
        `action eq 'selfActivate' and roleDefinitionId eq '${USER_ADMINISTRATOR}'`,
      ),
    ).toHaveLength(1);
    expect(
      await list(
        'roleAssignmentScheduleInstances',
        `assignmentType eq 'Activated' and memberType eq 'Direct'`,
      ),
    ).toHaveLength(1);
    expect(
      await list('roleAssignmentScheduleInstances', `assignmentType eq 'Assigned' and principalId eq '${p}'`),
    ).toHaveLength(0);
    // Direct role assignments (the bootstrap administrator's Global Administrator) are Assigned instances.
    const direct = await list('roleAssignmentScheduleInstances', `assignmentType eq 'Assigned'`);
    expect(direct.map((i) => i.principalId)).toContain(s.boot.admin.id);
    expect(
      await list('roleEligibilitySchedules', `principalId eq '${p}' and directoryScopeId eq '/'`),
    ).toHaveLength(1);
    expect(
      await list('roleEligibilityScheduleInstances', `isof(principal,'microsoft.graph.servicePrincipal')`),
    ).toHaveLength(1);
    expect(
      await list('roleEligibilityScheduleInstances', `isof(principal,'microsoft.graph.user')`),
    ).toHaveLength(0);

    for (const bad of [
      `nope eq 1`,
      `status eq 'Sleeping'`,
      `principalId eq 'not-a-guid'`,
      `memberType eq 3`,
    ]) {
      const res = await call(
        s,
        'GET',
        `${BASE}/roleAssignmentScheduleInstances?$filter=${encodeURIComponent(bad)}`,
        admin,
      );
      expectGraphError(res, 400, 'invalidFilter');
    }
  });

  it('$expand=principal,roleDefinition,activatedUsing,targetSchedule and $select shape the entity and its context', async () => {
    const res = await call(
      s,
      'GET',
      `${ASSIGNMENT_REQUESTS}/${requestId}?$expand=principal,roleDefinition,activatedUsing,targetSchedule`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Record<string, Record<string, unknown>>>();
    expect(body['@odata.context']).toBe(
      ctx(
        'roleManagement/directory/roleAssignmentScheduleRequests(principal(),roleDefinition(),activatedUsing(),targetSchedule())/$entity',
      ),
    );
    expect(body.principal).toMatchObject({
      '@odata.type': '#microsoft.graph.servicePrincipal',
      id: workload.servicePrincipalId,
    });
    expect(body.roleDefinition).toMatchObject({
      id: USER_ADMINISTRATOR,
      displayName: 'User Administrator',
      isBuiltIn: true,
      templateId: USER_ADMINISTRATOR,
    });
    expect(body.activatedUsing).toMatchObject({
      principalId: workload.servicePrincipalId,
      memberType: 'Direct',
      status: 'Provisioned',
    });
    expect(body.targetSchedule).toMatchObject({
      id: requestId,
      assignmentType: 'Activated',
      createdUsing: requestId,
    });

    const selected = await call(
      s,
      'GET',
      `${ASSIGNMENT_REQUESTS}?$select=principalId,action,roleDefinitionId&$expand=roleDefinition($select=id,displayName)&$filter=${encodeURIComponent(`principalId eq '${workload.servicePrincipalId}'`)}`,
      admin,
    );
    expect(selected.statusCode, selected.body).toBe(200);
    expect(selected.json()).toStrictEqual({
      '@odata.context': ctx(
        'roleManagement/directory/roleAssignmentScheduleRequests(principalId,action,roleDefinitionId,roleDefinition())',
      ),
      value: [
        {
          id: requestId,
          principalId: workload.servicePrincipalId,
          action: 'selfActivate',
          roleDefinitionId: USER_ADMINISTRATOR,
          roleDefinition: { id: USER_ADMINISTRATOR, displayName: 'User Administrator' },
        },
      ],
    });

    // An expanded user principal carries #microsoft.graph.user and Graph's user properties.
    const user = await addUser(s, [], 'Ada Lovelace');
    await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, eligibility(user));
    const eligible = await call(
      s,
      'GET',
      `${BASE}/roleEligibilityScheduleInstances?$expand=principal&$filter=${encodeURIComponent(`principalId eq '${user}'`)}`,
      admin,
    );
    const [instance] = eligible.json<{ value: Record<string, Record<string, unknown>>[] }>().value;
    expect(instance?.principal).toStrictEqual({
      '@odata.type': '#microsoft.graph.user',
      id: user,
      displayName: 'Ada Lovelace',
      userPrincipalName: expect.any(String),
      mail: null,
      businessPhones: [],
      givenName: null,
      jobTitle: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: null,
    });
    expect(instance?.id).toMatch(/-1-e$/);
  });

  it('pages with $top and @odata.nextLink; $count; filterByCurrentUser on every collection', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, eligibility(await addUser(s)));
      expect(res.statusCode).toBe(201);
    }
    const first = await call(s, 'GET', `${ELIGIBILITY_REQUESTS}?$top=2&$count=true`, admin);
    const page1 = first.json<{ '@odata.count': number; '@odata.nextLink': string; value: unknown[] }>();
    expect(page1['@odata.count']).toBe(4);
    expect(page1.value).toHaveLength(2);
    const next = await call(s, 'GET', page1['@odata.nextLink'].replace('http://127.0.0.1:8080', ''), admin);
    const page2 = next.json<{ '@odata.nextLink'?: string; value: unknown[] }>();
    expect(page2.value).toHaveLength(2);
    expect(page2['@odata.nextLink']).toBeUndefined();

    const own = await workload.headers();
    const expected: Record<string, string> = {
      roleAssignmentScheduleRequests: 'unifiedRoleAssignmentScheduleRequest',
      roleEligibilityScheduleRequests: 'unifiedRoleEligibilityScheduleRequest',
      roleAssignmentSchedules: 'unifiedRoleAssignmentSchedule',
      roleEligibilitySchedules: 'unifiedRoleEligibilitySchedule',
      roleAssignmentScheduleInstances: 'unifiedRoleAssignmentScheduleInstance',
      roleEligibilityScheduleInstances: 'unifiedRoleEligibilityScheduleInstance',
    };
    for (const [set, type] of Object.entries(expected)) {
      const res = await call(s, 'GET', `${BASE}/${set}/filterByCurrentUser(on='principal')`, own);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ '@odata.context': string; value: Record<string, unknown>[] }>();
      expect(body['@odata.context']).toBe(ctx(`Collection(${type})`));
      expect(body.value.length, set).toBeGreaterThan(0);
      for (const item of body.value) {
        expect(item['@odata.type']).toBe(`#microsoft.graph.${type}`);
        expect(item.principalId).toBe(workload.servicePrincipalId);
      }
    }
    const fullyEncoded = `filterByCurrentUser%28on%3D%27principal%27%29`;
    const encoded = await call(s, 'GET', `${BASE}/roleEligibilitySchedules/${fullyEncoded}`, own);
    expect(encoded.statusCode, encoded.body).toBe(200);
    expect(encoded.json<{ value: unknown[] }>().value).toHaveLength(1);
    const bad = await call(
      s,
      'GET',
      `${BASE}/roleAssignmentSchedules/filterByCurrentUser(on='approver')`,
      own,
    );
    expectGraphError(bad, 400, 'invalidRequest');
    // The approver inbox of assignment requests: nothing pending here.
    const inbox = await call(
      s,
      'GET',
      `${ASSIGNMENT_REQUESTS}/filterByCurrentUser(on='approver')?$filter=status eq 'PendingApproval'`,
      admin,
    );
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json()).toStrictEqual({
      '@odata.context': ctx('Collection(unifiedRoleAssignmentScheduleRequest)'),
      value: [],
    });
  });

  it('schedules: current and future only on lists; an ended one read by id says Expired', async () => {
    const schedules = await call(s, 'GET', `${BASE}/roleAssignmentSchedules/${requestId}`, admin);
    expect(schedules.json()).toMatchObject({
      '@odata.context': ctx('roleManagement/directory/roleAssignmentSchedules/$entity'),
      id: requestId,
      status: 'Provisioned',
      assignmentType: 'Activated',
      memberType: 'Direct',
      scheduleInfo: {
        startDateTime: formatDateTime(NOW),
        recurrence: null,
        expiration: { type: 'afterDateTime', endDateTime: formatDateTime(NOW + 3_600_000), duration: null },
      },
    });
    clock.advance(3_600_000);
    admin = await adminAt(s, clock);
    const ended = await call(s, 'GET', `${BASE}/roleAssignmentSchedules/${requestId}`, admin);
    expect(ended.json()).toMatchObject({ status: 'Expired' });
    const list = await call(
      s,
      'GET',
      `${BASE}/roleAssignmentSchedules?$filter=${encodeURIComponent(`principalId eq '${workload.servicePrincipalId}'`)}`,
      admin,
    );
    expect(list.json<{ value: unknown[] }>().value).toEqual([]);
  });
});
