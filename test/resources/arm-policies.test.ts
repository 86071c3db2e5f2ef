// Role settings of resource roles over ARM (ADR 0034), on SQLite and PostgreSQL: an Azure-style
// client finds a role's policy at a scope through `roleManagementPolicyAssignments` and
// `$filter=roleDefinitionId eq …`, PATCHes a rule in Azure's shape, and the next SelfActivate is
// held to it; the scope above keeps its own settings; bad bodies are ARM errors and change nothing.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  auditOf,
  HOUR,
  NOW,
  pimServer,
  rowCounts,
  type Headers,
  type ManualClock,
  type TestApp,
} from '../pim/support.js';
import { CONTRIBUTOR, READER, register, send } from './support.js';

const SUB = '/subscriptions/129ff972-28f8-46b8-a726-e497be039368';
const RG = `${SUB}/resourceGroups/rg1`;
const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2020-10-01';
const contributorAt = (scope: string) => `${scope}/${AUTH}/roleDefinitions/${CONTRIBUTOR}`;
const target = (caller: string, level: string) => ({
  caller,
  operations: ['All'],
  level,
  targetObjects: null,
  inheritableSettings: null,
  enforcedSettings: null,
});

interface ArmRule {
  id: string;
  ruleType: string;
  [k: string]: unknown;
}
interface ArmPolicy {
  id: string;
  name: string;
  type: string;
  properties: { scope: string; rules: ArmRule[]; effectiveRules: ArmRule[]; [k: string]: unknown };
}

describe('ARM role management policies', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let workload: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    workload = await appAt(s, clock);
    await register(s, admin, '/subscriptions', SUB, `${SUB}/resourceGroups`, RG);
    const eligible = await send(
      s,
      'PUT',
      `${SUB}/${AUTH}/roleEligibilityScheduleRequests/${randomUUID()}?${V}`,
      admin,
      {
        properties: {
          principalId: workload.servicePrincipalId,
          roleDefinitionId: contributorAt(SUB),
          requestType: 'AdminAssign',
          justification: 'on call rota',
          scheduleInfo: {
            startDateTime: new Date(NOW).toISOString(),
            expiration: { type: 'AfterDuration', endDateTime: null, duration: 'P365D' },
          },
        },
      },
    );
    expect(eligible.statusCode, eligible.body).toBe(201);
  });
  afterEach(async () => s.close());

  /** The policy of Contributor at a scope, found as Azure's documentation finds it. */
  const policyOf = async (scope: string): Promise<ArmPolicy> => {
    const filter = encodeURIComponent(`roleDefinitionId eq '${contributorAt(scope)}'`);
    const res = await send(
      s,
      'GET',
      `${scope}/${AUTH}/roleManagementPolicyAssignments?$filter=${filter}&${V}`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    const value = res.json<{
      value: { name: string; properties: { policyId: string; roleDefinitionId: string } }[];
    }>().value;
    expect(value).toHaveLength(1);
    expect(value[0]!.properties.roleDefinitionId).toBe(contributorAt(scope));
    const policy = await send(s, 'GET', `${value[0]!.properties.policyId}?${V}`, admin);
    expect(policy.statusCode, policy.body).toBe(200);
    expect(value[0]!.name).toBe(`${policy.json<ArmPolicy>().name}_${CONTRIBUTOR}`);
    return policy.json<ArmPolicy>();
  };
  const rule = (p: ArmPolicy, id: string) => p.properties.rules.find((r) => r.id === id);

  const activate = async (duration: string) =>
    send(
      s,
      'PUT',
      `${RG}/${AUTH}/roleAssignmentScheduleRequests/${randomUUID()}?${V}`,
      await workload.headers(),
      {
        properties: {
          principalId: workload.servicePrincipalId,
          roleDefinitionId: contributorAt(RG),
          requestType: 'SelfActivate',
          justification: 'deploy hotfix',
          scheduleInfo: {
            startDateTime: null,
            expiration: { type: 'AfterDuration', endDateTime: null, duration },
          },
        },
      },
    );

  it('lists a policy per assignable role at a scope, in ARM’s envelope with Azure’s rule shapes', async () => {
    const res = await send(s, 'GET', `${RG}/${AUTH}/roleManagementPolicies?${V}`, admin);
    expect(res.statusCode, res.body).toBe(200);
    const value = res.json<{ value: ArmPolicy[] }>().value;
    expect(value).toHaveLength(4);
    const p = await policyOf(RG);
    expect(p).toMatchObject({
      id: `${RG}/${AUTH}/roleManagementPolicies/${p.name}`,
      type: 'Microsoft.Authorization/RoleManagementPolicies',
      properties: {
        scope: RG,
        policyProperties: { scope: { id: RG, displayName: 'rg1', type: 'test' } },
        '@elevate.inheritedFrom': null,
      },
    });
    expect(p.properties.rules).toHaveLength(17);
    expect(rule(p, 'Expiration_EndUser_Assignment')).toEqual({
      id: 'Expiration_EndUser_Assignment',
      ruleType: 'RoleManagementPolicyExpirationRule',
      isExpirationRequired: true,
      maximumDuration: 'PT8H',
      target: target('EndUser', 'Assignment'),
    });
    expect(rule(p, 'Approval_EndUser_Assignment')).toMatchObject({
      ruleType: 'RoleManagementPolicyApprovalRule',
      setting: { approvalMode: 'SingleStage', isApprovalRequired: false },
    });
    // Another role has another name; the names are stable.
    expect(new Set(value.map((x) => x.name)).size).toBe(4);
    expect((await policyOf(RG)).name).toBe(p.name);
    const reader = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleManagementPolicyAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '/${AUTH}/roleDefinitions/${READER}'`)}&${V}`,
      admin,
    );
    expect(reader.json().value[0].properties.policyAssignmentProperties.roleDefinition).toEqual({
      id: `${RG}/${AUTH}/roleDefinitions/${READER}`,
      displayName: 'Reader',
      type: 'BuiltInRole',
    });
  });

  it('a PATCHed Expiration_EndUser_Assignment is enforced on the next SelfActivate, at that scope only', async () => {
    const p = await policyOf(RG);
    const patched = await send(s, 'PATCH', `${RG}/${AUTH}/roleManagementPolicies/${p.name}?${V}`, admin, {
      properties: {
        rules: [
          {
            isExpirationRequired: true,
            maximumDuration: 'PT2H',
            id: 'Expiration_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyExpirationRule',
            target: target('EndUser', 'Assignment'),
          },
          {
            // A workload cannot perform MFA: a justification only.
            enabledRules: ['Justification'],
            id: 'Enablement_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyEnablementRule',
            target: target('EndUser', 'Assignment'),
          },
        ],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = patched.json<ArmPolicy>();
    expect(after.name).toBe(p.name);
    expect(rule(after, 'Expiration_EndUser_Assignment')).toMatchObject({ maximumDuration: 'PT2H' });
    expect(after.properties.lastModifiedBy).toMatchObject({ displayName: expect.any(String) });
    expect(after.properties.lastModifiedDateTime).toBe(new Date(NOW).toISOString());
    // Audited as Graph's role-setting changes are, once, naming the resource role.
    const audited = await auditOf(s, 'Update role setting in PIM');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.result).toBe('success');
    expect(JSON.stringify(audited[0]!.payload)).toContain('Contributor');
    expect(await policyOf(RG)).toEqual(after);
    // The subscription above keeps the defaults.
    expect(rule(await policyOf(SUB), 'Expiration_EndUser_Assignment')).toMatchObject({
      maximumDuration: 'PT8H',
    });

    const before = await rowCounts(s);
    const tooLong = await activate('PT3H');
    expect(tooLong.statusCode, tooLong.body).toBe(400);
    expect(tooLong.json()).toEqual({
      error: {
        code: 'RoleAssignmentRequestPolicyValidationFailed',
        message: 'The following policy rules failed: ["ExpirationRule"]',
      },
    });
    expect(await rowCounts(s)).toMatchObject({ requests: before.requests, schedules: before.schedules });
    const ok = await activate('PT2H');
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().properties.status).toBe('Provisioned');
    clock.set(NOW + 2 * HOUR);
    const instances = await send(
      s,
      'GET',
      `${RG}/${AUTH}/roleAssignmentScheduleInstances?$filter=atScope()&${V}`,
      await adminAt(s, clock),
    );
    expect(instances.json().value).toEqual([]);
  });

  it('two concurrent first PATCHes at a scope store one policy: both apply in turn, or one conflicts', async () => {
    const p = await policyOf(RG);
    const patch = (maximumDuration: string) =>
      send(s, 'PATCH', `${RG}/${AUTH}/roleManagementPolicies/${p.name}?${V}`, admin, {
        properties: {
          rules: [
            {
              id: 'Expiration_EndUser_Assignment',
              ruleType: 'RoleManagementPolicyExpirationRule',
              isExpirationRequired: true,
              maximumDuration,
            },
          ],
        },
      });
    const results = await Promise.all([patch('PT2H'), patch('PT3H')]);
    const codes = results.map((r) => r.statusCode).sort();
    expect([
      [200, 200],
      [200, 409],
    ]).toContainEqual(codes);
    for (const r of results.filter((x) => x.statusCode === 409))
      expect(r.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    const rows = await s.db.kysely
      .selectFrom('role_management_policies')
      .select('id')
      .where('scope_id', '=', RG)
      .where('role_definition_id', '=', CONTRIBUTOR)
      .execute();
    expect(rows).toEqual([{ id: p.name }]);
    const winner = rule(await policyOf(RG), 'Expiration_EndUser_Assignment')!.maximumDuration;
    expect(['PT2H', 'PT3H']).toContain(winner);
  });

  it('Enablement rules PATCHed at the subscription are inherited below it until the scope has its own', async () => {
    const sub = await policyOf(SUB);
    const patched = await send(s, 'PATCH', `${SUB}/${AUTH}/roleManagementPolicies/${sub.name}?${V}`, admin, {
      properties: {
        rules: [
          {
            enabledRules: ['Justification', 'Ticketing'],
            id: 'Enablement_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyEnablementRule',
            target: target('EndUser', 'Assignment'),
          },
        ],
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const rg = await policyOf(RG);
    expect(rg.properties['@elevate.inheritedFrom']).toBe(SUB);
    expect(rule(rg, 'Enablement_EndUser_Assignment')).toMatchObject({
      enabledRules: ['Justification', 'Ticketing'],
    });
    const refused = await activate('PT1H');
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.message).toMatch(/ticket/i);
  });

  it.each([
    [
      'a rule of the wrong type',
      {
        properties: {
          rules: [
            {
              id: 'Expiration_EndUser_Assignment',
              ruleType: 'RoleManagementPolicyEnablementRule',
              enabledRules: [],
            },
          ],
        },
      },
    ],
    [
      'an unknown rule type',
      {
        properties: {
          rules: [{ id: 'Expiration_EndUser_Assignment', ruleType: 'RoleManagementPolicyMagicRule' }],
        },
      },
    ],
    [
      'a maximumDuration beyond the bounds',
      {
        properties: {
          rules: [
            {
              id: 'Expiration_EndUser_Assignment',
              ruleType: 'RoleManagementPolicyExpirationRule',
              isExpirationRequired: true,
              maximumDuration: 'P30D',
            },
          ],
        },
      },
    ],
    ['no rules', { properties: {} }],
    [
      'a backup approver',
      {
        properties: {
          rules: [
            {
              id: 'Approval_EndUser_Assignment',
              ruleType: 'RoleManagementPolicyApprovalRule',
              setting: {
                isApprovalRequired: true,
                isApprovalRequiredForExtension: false,
                isRequestorJustificationRequired: true,
                approvalMode: 'SingleStage',
                approvalStages: [
                  {
                    approvalStageTimeOutInDays: 1,
                    isApproverJustificationRequired: true,
                    escalationTimeInMinutes: 0,
                    primaryApprovers: [
                      { id: randomUUID(), description: 'x', isBackup: true, userType: 'User' },
                    ],
                    isEscalationEnabled: false,
                    escalationApprovers: null,
                  },
                ],
              },
            },
          ],
        },
      },
    ],
  ])('refuses %s with InvalidRequestContent, nothing changed', async (_why, body) => {
    const p = await policyOf(RG);
    const before = await rowCounts(s);
    const res = await send(s, 'PATCH', `${RG}/${AUTH}/roleManagementPolicies/${p.name}?${V}`, admin, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'InvalidRequestContent', message: expect.any(String) } });
    expect(await rowCounts(s)).toEqual(before);
    expect(await policyOf(RG)).toEqual(p);
  });

  it('an approval rule in Azure’s shape names approvers; unknown scope, name and api-version are ARM errors', async () => {
    const p = await policyOf(RG);
    const approver = await send(s, 'PATCH', `${RG}/${AUTH}/roleManagementPolicies/${p.name}?${V}`, admin, {
      properties: {
        rules: [
          {
            id: 'Approval_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyApprovalRule',
            setting: {
              isApprovalRequired: true,
              isApprovalRequiredForExtension: false,
              isRequestorJustificationRequired: true,
              approvalMode: 'SingleStage',
              approvalStages: [
                {
                  approvalStageTimeOutInDays: 1,
                  isApproverJustificationRequired: true,
                  escalationTimeInMinutes: 0,
                  primaryApprovers: [
                    { id: randomUUID(), description: 'nobody', isBackup: false, userType: 'User' },
                  ],
                  isEscalationEnabled: false,
                  escalationApprovers: null,
                },
              ],
            },
            target: target('EndUser', 'Assignment'),
          },
        ],
      },
    });
    // An approver who does not exist is refused (as in Graph), in ARM's envelope.
    expect(approver.statusCode, approver.body).toBe(400);
    expect(approver.json().error.code).toBe('Request_BadRequest');
    const before = await rowCounts(s);
    const body = {
      properties: {
        rules: [
          {
            id: 'Expiration_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyExpirationRule',
            maximumDuration: 'PT1H',
          },
        ],
      },
    };
    for (const [url, status, code] of [
      [`${RG}/${AUTH}/roleManagementPolicies/${p.name}`, 400, 'MissingApiVersionParameter'],
      [
        `${SUB}/resourceGroups/nope/${AUTH}/roleManagementPolicies/${p.name}?${V}`,
        404,
        'ResourceScopeNotFound',
      ],
      [`${RG}/${AUTH}/roleManagementPolicies/${randomUUID()}?${V}`, 404, 'RoleManagementPolicyNotFound'],
    ] as const) {
      const res = await send(s, 'PATCH', url, admin, body);
      expect(res.statusCode, `${url} ${res.body}`).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
    const other = await appAt(s, clock);
    const refused = await send(
      s,
      'PATCH',
      `${RG}/${AUTH}/roleManagementPolicies/${p.name}?${V}`,
      await other.headers(),
      {
        properties: {
          rules: [
            {
              id: 'Expiration_EndUser_Assignment',
              ruleType: 'RoleManagementPolicyExpirationRule',
              maximumDuration: 'PT1H',
            },
          ],
        },
      },
    );
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error.code).toBe('AuthorizationFailed');
    expect(await rowCounts(s)).toMatchObject({ requests: before.requests, schedules: before.schedules });
    expect(await policyOf(RG)).toEqual(p);
  });
});
