// ARM's read views of resource PIM (ADR 0034), on SQLite and PostgreSQL: `roleAssignments` (the
// assignments active now, PIM-activated ones included, with Azure's `atScope()` = at or above),
// `memberType: Inherited` in schedule and instance lists below the schedule's scope, and
// `eligibleChildResources` (the children of a scope the caller's eligibilities reach).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  HOUR,
  NOW,
  pimServer,
  type Headers,
  type ManualClock,
  type TestApp,
} from '../pim/support.js';
import { CONTRIBUTOR, READER, register, send } from './support.js';

const SUB = '/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f';
const RGS = `${SUB}/resourceGroups`;
const RG = `${RGS}/rg1`;
const RG2 = `${RGS}/RG-2`;
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`;
const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const role = (id: string) => `/${AUTH}/roleDefinitions/${id}`;

interface ArmItem {
  id: string;
  name: string;
  type: string;
  properties: Record<string, unknown>;
}

describe('ARM roleAssignments, memberType Inherited, eligibleChildResources', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let workload: TestApp;
  let other: TestApp;

  const request = (
    collection: 'roleEligibilityScheduleRequests' | 'roleAssignmentScheduleRequests',
    scope: string,
    headers: Headers,
    properties: Record<string, unknown>,
  ) => send(s, 'PUT', `${scope}/${AUTH}/${collection}/${randomUUID()}?${V}`, headers, { properties });
  const adminAssign = async (
    collection: 'roleEligibilityScheduleRequests' | 'roleAssignmentScheduleRequests',
    scope: string,
    principalId: string,
    roleId = CONTRIBUTOR,
  ) => {
    const res = await request(collection, scope, admin, {
      principalId,
      roleDefinitionId: role(roleId),
      requestType: 'AdminAssign',
      justification: 'rota',
      scheduleInfo: {
        startDateTime: new Date(NOW).toISOString(),
        expiration: { type: 'AfterDuration', endDateTime: null, duration: 'P30D' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const list = async (url: string, headers: Headers = admin) => {
    const res = await send(s, 'GET', url, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: ArmItem[] }>().value;
  };

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    workload = await appAt(s, clock);
    other = await appAt(s, clock);
    await register(
      s,
      admin,
      '/subscriptions',
      SUB,
      RGS,
      RG,
      RG2,
      `${RG}/providers`,
      `${RG}/providers/Microsoft.Compute`,
      `${RG}/providers/Microsoft.Compute/virtualMachines`,
      VM,
    );
  });
  afterEach(async () => s.close());

  it('roleAssignments lists active assignments, PIM-activated included; atScope() is at or above', async () => {
    await adminAssign('roleEligibilityScheduleRequests', SUB, workload.servicePrincipalId);
    await adminAssign('roleAssignmentScheduleRequests', SUB, other.servicePrincipalId, READER);
    // Contributor at the subscription: a justification is enough (a workload cannot do MFA).
    const filter = encodeURIComponent(`roleDefinitionId eq '${SUB}${role(CONTRIBUTOR)}'`);
    const [assignment] = await list(`${SUB}/${AUTH}/roleManagementPolicyAssignments?$filter=${filter}&${V}`);
    const patched = await send(s, 'PATCH', `${assignment!.properties.policyId as string}?${V}`, admin, {
      properties: {
        rules: [
          {
            id: 'Enablement_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyEnablementRule',
            enabledRules: ['Justification'],
          },
        ],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const activated = await request('roleAssignmentScheduleRequests', RG, await workload.headers(), {
      principalId: workload.servicePrincipalId,
      roleDefinitionId: role(CONTRIBUTOR),
      requestType: 'SelfActivate',
      justification: 'deploy',
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
    });
    expect(activated.statusCode, activated.body).toBe(201);

    const atRg = await list(`${RG}/${AUTH}/roleAssignments?$filter=atScope()&${V}`);
    expect(atRg.map((a) => [a.properties.scope, a.properties.principalId]).sort()).toEqual(
      [
        [RG, workload.servicePrincipalId],
        [SUB, other.servicePrincipalId],
      ].sort(),
    );
    const mine = atRg.find((a) => a.properties.principalId === workload.servicePrincipalId)!;
    expect(mine).toEqual({
      id: `${RG}/${AUTH}/roleAssignments/${mine.name}`,
      name: mine.name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: expect.objectContaining({
        roleDefinitionId: role(CONTRIBUTOR),
        principalType: 'ServicePrincipal',
        scope: RG,
        condition: null,
      }),
    });
    // At the subscription, atScope() does not look below it; without it, it does.
    expect(
      (await list(`${SUB}/${AUTH}/roleAssignments?$filter=atScope()&${V}`)).map((a) => a.properties.scope),
    ).toEqual([SUB]);
    expect(await list(`${SUB}/${AUTH}/roleAssignments?${V}`)).toHaveLength(2);
    expect(
      await list(
        `${SUB}/${AUTH}/roleAssignments?$filter=principalId eq '${workload.servicePrincipalId}'&${V}`,
      ),
    ).toEqual([mine]);
    // The caller's own, without a read permission.
    expect(await list(`${RG}/${AUTH}/roleAssignments?${V}`, await workload.headers())).toEqual([mine]);
    const one = await send(s, 'GET', `${RG}/${AUTH}/roleAssignments/${mine.name}?${V}`, admin);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual(mine);
    const put = await send(s, 'PUT', `${RG}/${AUTH}/roleAssignments/${randomUUID()}?${V}`, admin, {
      properties: { principalId: other.servicePrincipalId, roleDefinitionId: role(READER) },
    });
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json()).toEqual({ error: { code: 'InvalidRequestContent', message: expect.any(String) } });

    // memberType: Inherited below the schedule's scope, Direct at it.
    const instancesAtRg = await list(`${RG}/${AUTH}/roleAssignmentScheduleInstances?${V}`);
    const memberTypes = new Map(instancesAtRg.map((i) => [i.properties.scope, i.properties.memberType]));
    expect(Object.fromEntries(memberTypes)).toEqual({ [RG]: 'Direct', [SUB]: 'Inherited' });
    const eligibleAtVm = await list(`${VM}/${AUTH}/roleEligibilitySchedules?${V}`);
    expect(eligibleAtVm.map((e) => [e.properties.scope, e.properties.memberType])).toEqual([
      [SUB, 'Inherited'],
    ]);
    const eligibleAtSub = await list(`${SUB}/${AUTH}/roleEligibilityScheduleInstances?${V}`);
    expect(eligibleAtSub.map((e) => e.properties.memberType)).toEqual(['Direct']);

    // The activation ends at its end: roleAssignments no longer shows it.
    clock.set(NOW + HOUR);
    const later = await list(`${RG}/${AUTH}/roleAssignments?$filter=atScope()&${V}`, await adminAt(s, clock));
    expect(later.map((a) => a.properties.scope)).toEqual([SUB]);
  });

  it('eligibleChildResources: the children a caller’s eligibilities reach, containers looked through', async () => {
    await adminAssign('roleEligibilityScheduleRequests', SUB, workload.servicePrincipalId);
    await adminAssign('roleEligibilityScheduleRequests', RG2, other.servicePrincipalId, READER);
    const children = (scope: string, headers: Headers, filter = '') =>
      list(`${scope === '/' ? '' : scope}/${AUTH}/eligibleChildResources?${filter}${V}`, headers);
    const w = await workload.headers();
    expect(
      await children(SUB, w, `$filter=${encodeURIComponent("resourceType eq 'resourcegroup'")}&`),
    ).toEqual([
      { id: RG2, name: 'RG-2', type: 'resourcegroup' },
      { id: RG, name: 'rg1', type: 'resourcegroup' },
    ]);
    expect(await children(RG, w)).toEqual([{ id: VM, name: 'vm1', type: 'resource' }]);
    expect(await children('/subscriptions', w)).toEqual([
      { id: SUB, name: SUB.split('/').pop(), type: 'subscription' },
    ]);
    expect(await children(SUB, w, `$filter=${encodeURIComponent("resourceType eq 'resource'")}&`)).toEqual(
      [],
    );
    // Eligible at RG-2 only: the subscription shows RG-2, the path to it shows the subscription.
    const o = await other.headers();
    expect(await children(SUB, o)).toEqual([{ id: RG2, name: 'RG-2', type: 'resourcegroup' }]);
    expect((await children('/', o)).map((c) => c.id)).toEqual([SUB]);
    expect(await children(RG, o)).toEqual([]);
    // An unknown scope is an empty list (its existence is not revealed); a bad filter is an ARM error.
    expect(await children('/subscriptions/nope', w)).toEqual([]);
    const bad = await send(s, 'GET', `${SUB}/${AUTH}/eligibleChildResources?$filter=name eq 'x'&${V}`, w);
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'InvalidFilterParameter', message: expect.any(String) } });
    const noVersion = await send(s, 'GET', `${SUB}/${AUTH}/eligibleChildResources`, w);
    expect(noVersion.json().error.code).toBe('MissingApiVersionParameter');
  });
});
