// An Azure-style client of resource PIM (ADR 0029), on SQLite and PostgreSQL: the ARM requests as
// the Azure REST API 2020-10-01 documents them (PUT with a client-generated GUID name,
// `api-version`, `properties.requestType`, `scheduleInfo`), an idempotent retry of the same PUT,
// results read back in ARM's envelope, and ARM's error envelope for bad input, nothing changed.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { defaultPolicyRules } from '../../src/domain/policy/default-rules.js';
import { findRule } from '../../src/domain/policy/types.js';
import {
  adminAt,
  appAt,
  HOUR,
  inTx,
  newId,
  NOW,
  pimServer,
  rowCounts,
  type Headers,
  type ManualClock,
  type TestApp,
} from '../pim/support.js';
import { CONTRIBUTOR, register, send } from './support.js';

const SUB = '/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f';
const RG = `${SUB}/resourceGroups/rg1`;
const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const roleDefinitionId = `${SUB}/${AUTH}/roleDefinitions/${CONTRIBUTOR}`;

describe('Azure-style ARM client', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let workload: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    workload = await appAt(s, clock);
    await register(s, admin, '/subscriptions', SUB, `${SUB}/resourceGroups`, RG);
    // Contributor's policy at the subscription (inherited by the resource group below it): a
    // justification, no MFA, which a workload cannot perform.
    const rules = defaultPolicyRules();
    findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    await inTx(s, (tx) =>
      tx.policies.insert({
        id: newId(),
        tenantId: s.boot.tenantId,
        scopeId: SUB,
        scopeType: 'Resource',
        roleDefinitionId: CONTRIBUTOR,
        displayName: 'Contributor',
        description: 'Contributor at the subscription',
        isOrganizationDefault: false,
        rules,
        lastModifiedAt: null,
        lastModifiedBy: null,
        version: 1,
      }),
    );
  });
  afterEach(async () => s.close());

  const eligibilityBody = () => ({
    properties: {
      principalId: workload.servicePrincipalId,
      roleDefinitionId,
      requestType: 'AdminAssign',
      justification: 'on call rota',
      scheduleInfo: {
        startDateTime: new Date(NOW).toISOString(),
        expiration: { type: 'AfterDuration', endDateTime: null, duration: 'P365D' },
      },
    },
  });

  it('AdminAssign eligibility at the subscription, retried identically, then SelfActivate at the resource group, read back', async () => {
    const name = randomUUID();
    const url = `${SUB}/${AUTH}/roleEligibilityScheduleRequests/${name}?${V}`;
    const first = await send(s, 'PUT', url, admin, eligibilityBody());
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      id: `${SUB}/${AUTH}/RoleEligibilityScheduleRequests/${name}`,
      name,
      type: 'Microsoft.Authorization/RoleEligibilityScheduleRequests',
      properties: {
        scope: SUB,
        roleDefinitionId,
        principalId: workload.servicePrincipalId,
        requestType: 'AdminAssign',
        status: 'Provisioned',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P365D' } },
      },
    });
    const counts = await rowCounts(s);
    const retry = await send(s, 'PUT', url, admin, eligibilityBody());
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(await rowCounts(s)).toEqual(counts);
    const other = await send(s, 'PUT', url, admin, {
      properties: { ...eligibilityBody().properties, justification: 'else' },
    });
    expect(other.statusCode, other.body).toBe(400);
    expect(other.json()).toEqual({ error: { code: 'RequestNameConflict', message: expect.any(String) } });
    expect(await rowCounts(s)).toEqual(counts);

    const schedules = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleEligibilitySchedules?$filter=asTarget()&${V}`,
      await workload.headers(),
    );
    expect(schedules.statusCode, schedules.body).toBe(200);
    const eligibility = schedules.json<{ value: { name: string; properties: Record<string, unknown> }[] }>()
      .value;
    expect(eligibility).toHaveLength(1);
    expect(eligibility[0]!.properties).toMatchObject({
      scope: SUB,
      memberType: 'Inherited', // listed at the resource group, below its scope
      principalType: 'ServicePrincipal',
    });

    const activation = randomUUID();
    const activate = await send(
      s,
      'PUT',
      `${RG}/${AUTH}/roleAssignmentScheduleRequests/${activation}?${V}`,
      await workload.headers(),
      {
        properties: {
          principalId: workload.servicePrincipalId,
          roleDefinitionId: `/${AUTH}/roleDefinitions/${CONTRIBUTOR}`,
          requestType: 'SelfActivate',
          linkedRoleEligibilityScheduleId: eligibility[0]!.name,
          justification: 'deploy hotfix',
          scheduleInfo: {
            startDateTime: null,
            expiration: { type: 'AfterDuration', endDateTime: null, duration: 'PT1H' },
          },
        },
      },
    );
    expect(activate.statusCode, activate.body).toBe(201);
    expect(activate.json().properties).toMatchObject({
      scope: RG,
      requestType: 'SelfActivate',
      status: 'Provisioned',
      linkedRoleEligibilityScheduleId: eligibility[0]!.name,
    });
    const read = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleAssignmentScheduleRequests/${activation}?${V}`,
      admin,
    );
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().name).toBe(activation);
    const instances = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleAssignmentScheduleInstances?$filter=atScope()&${V}`,
      admin,
    );
    expect(instances.statusCode, instances.body).toBe(200);
    expect(instances.json().value).toEqual([
      expect.objectContaining({
        type: 'Microsoft.Authorization/RoleAssignmentScheduleInstances',
        properties: expect.objectContaining({
          scope: RG,
          assignmentType: 'Activated',
          endDateTime: new Date(NOW + HOUR).toISOString(),
        }),
      }),
    ]);
    // At the subscription only (atScope), nothing is active.
    const above = await send(
      s,
      'GET',
      `${SUB}/${AUTH}/roleAssignmentScheduleInstances?$filter=atScope()&${V}`,
      admin,
    );
    expect(above.json().value).toEqual([]);
    const roles = await send(s, 'GET', `${RG}/${AUTH}/roleDefinitions?${V}`, admin);
    expect(
      roles.json().value.map((r: { properties: { roleName: string } }) => r.properties.roleName),
    ).toEqual(expect.arrayContaining(['Owner', 'Contributor', 'Reader', 'User Access Administrator']));
    clock.set(NOW + HOUR - 1);
    const last = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleAssignmentScheduleInstances?$filter=atScope()&${V}`,
      await adminAt(s, clock),
    );
    expect(last.json().value).toHaveLength(1);
    clock.set(NOW + HOUR);
    const ended = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleAssignmentScheduleInstances?$filter=atScope()&${V}`,
      await adminAt(s, clock),
    );
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json().value).toEqual([]);
  });

  it.each([
    ['no api-version', 'GET', `${SUB}/${AUTH}/roleEligibilitySchedules`, 400, 'MissingApiVersionParameter'],
    [
      'an unsupported api-version',
      'GET',
      `${SUB}/${AUTH}/roleEligibilitySchedules?api-version=2018-01-01`,
      400,
      'InvalidApiVersionParameter',
    ],
    [
      'another namespace',
      'GET',
      `${SUB}/providers/Microsoft.Compute/virtualMachines?${V}`,
      400,
      'InvalidResourceNamespace',
    ],
    [
      'an unknown scope',
      'PUT',
      `/subscriptions/nope/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
      400,
      'ResourceScopeNotFound',
    ],
    [
      'a malformed scope',
      'PUT',
      `${SUB}/a%2F%2Fb/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
      400,
      'InvalidResourceScope',
    ],
    [
      'a name that is not a GUID',
      'PUT',
      `${SUB}/${AUTH}/roleEligibilityScheduleRequests/not-a-guid?${V}`,
      400,
      'InvalidRequestContent',
    ],
  ] as const)('refuses %s in ARM’s envelope, nothing changed', async (_why, method, url, status, code) => {
    const before = await rowCounts(s);
    const res = await send(s, method, url, admin, method === 'PUT' ? eligibilityBody() : undefined);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await rowCounts(s)).toMatchObject({ requests: before.requests, schedules: before.schedules });
  });

  it('an unauthenticated call and a caller without permission get ARM errors', async () => {
    const anon = await send(s, 'GET', `${SUB}/${AUTH}/roleEligibilitySchedules?${V}`, {});
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.code).toBe('InvalidAuthenticationToken');
    const other = await appAt(s, clock);
    const refused = await send(
      s,
      'PUT',
      `${SUB}/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
      await other.headers(),
      eligibilityBody(),
    );
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error.code).toBe('AuthorizationFailed');
  });
});
