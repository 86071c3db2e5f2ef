import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../src/domain/roles/built-in-roles.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { DOCUMENTED_DEFAULT_RULES, PROTECTED_ROLE_DEFAULT_RULES } from './fixtures.js';
import {
  ASSIGNMENTS,
  call,
  ctx,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  POLICIES,
  policyIdOf,
  q,
  SCOPE,
  type Headers,
} from './support.js';

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('reading role settings (reference §2)', () => {
  let s: TestServer;
  let h: Headers;
  let tenantId: string;
  let gaPolicyId: string;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    tenantId = s.boot.tenantId;
    gaPolicyId = await policyIdOf(s, h, GLOBAL_ADMINISTRATOR);
  });
  afterAll(() => s.close());

  const unmodifiedPolicy = (id: string) => ({
    id,
    displayName: 'DirectoryRole',
    description: 'DirectoryRole',
    isOrganizationDefault: false,
    scopeId: '/',
    scopeType: 'DirectoryRole',
    lastModifiedDateTime: null,
    lastModifiedBy: { displayName: null, id: null },
  });

  it("lists one policy per role for scopeId eq '/' and scopeType eq 'DirectoryRole' (Graph example 1)", async () => {
    const res = await call(s, 'GET', `${POLICIES}?$filter=${q(SCOPE)}`, h);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['@odata.context', 'value']);
    expect(body['@odata.context']).toBe(ctx('policies/roleManagementPolicies'));
    expect(body.value).toHaveLength(BUILT_IN_ROLES.length);
    for (const policy of body.value) {
      expect(policy.id).toMatch(new RegExp(`^DirectoryRole_${tenantId}_${GUID}$`));
      expect(policy).toStrictEqual(unmodifiedPolicy(policy.id));
    }
    expect(new Set(body.value.map((p: { id: string }) => p.id)).size).toBe(BUILT_IN_ROLES.length);
  });

  it("accepts scopeType 'Directory' as a synonym and expands rules (Graph example 2)", async () => {
    const res = await call(
      s,
      'GET',
      `${POLICIES}?$filter=${q("scopeId eq '/' and scopeType eq 'Directory'")}&$expand=rules`,
      h,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toBe(ctx('policies/roleManagementPolicies(rules())'));
    expect(body.value).toHaveLength(BUILT_IN_ROLES.length);
    let protectedRoles = 0;
    for (const policy of body.value) {
      const isProtected = policy.rules.find(
        (r: { id: string }) => r.id === 'Expiration_Admin_Assignment',
      ).isExpirationRequired;
      if (isProtected) protectedRoles += 1;
      const rules = isProtected ? PROTECTED_ROLE_DEFAULT_RULES : DOCUMENTED_DEFAULT_RULES;
      expect(policy).toStrictEqual({ ...unmodifiedPolicy(policy.id), rules });
    }
    // Global Administrator and Privileged Role Administrator only.
    expect(protectedRoles).toBe(2);
  });

  it('matches scope values in any case, and the filter may come in either order', async () => {
    const res = await call(
      s,
      'GET',
      `${POLICIES}?$filter=${q("scopeType eq 'directoryrole' and scopeId eq '/' and isOrganizationDefault eq false")}&$top=3`,
      h,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().value).toHaveLength(3);
    expect(res.json()['@odata.nextLink']).toContain('$skiptoken=');
  });

  it('supports $select nested in $expand, with the navigation context Graph writes (Graph example 3)', async () => {
    const res = await call(s, 'GET', `${POLICIES}?$filter=${q(SCOPE)}&$expand=rules($select=id)&$top=1`, h);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toBe(ctx('policies/roleManagementPolicies(rules(id))'));
    const [policy] = body.value;
    expect(policy['rules@odata.context']).toBe(
      ctx(`policies/roleManagementPolicies('${policy.id}')/rules(id)`),
    );
    expect(policy.rules).toStrictEqual(
      DOCUMENTED_DEFAULT_RULES.map((rule) => ({ '@odata.type': rule['@odata.type'], id: rule.id })),
    );
  });

  it('supports top-level $select with $expand=effectiveRules (the rules themselves)', async () => {
    const res = await call(
      s,
      'GET',
      `${POLICIES}?$filter=${q(SCOPE)}&$select=displayName&$expand=effectiveRules&$top=1`,
      h,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toBe(ctx('policies/roleManagementPolicies(displayName,effectiveRules())'));
    expect(body.value[0]).toStrictEqual({
      id: expect.any(String),
      displayName: 'DirectoryRole',
      effectiveRules: expect.toBeOneOf([DOCUMENTED_DEFAULT_RULES, PROTECTED_ROLE_DEFAULT_RULES]),
    });
  });

  it.each([
    ['no $filter', ''],
    ['only scopeId', `$filter=${q("scopeId eq '/'")}`],
    ['only scopeType', `$filter=${q("scopeType eq 'DirectoryRole'")}`],
    ['the scope under or', `$filter=${q("scopeId eq '/' or scopeType eq 'DirectoryRole'")}`],
    ['scopeId with ne', `$filter=${q("scopeId ne '/' and scopeType eq 'DirectoryRole'")}`],
    ['the scope inside not', `$filter=${q("not (scopeId eq '/' and scopeType eq 'DirectoryRole')")}`],
  ])('refuses a list without the scope filter: %s', async (_name, query) => {
    for (const base of [POLICIES, ASSIGNMENTS]) {
      const res = await call(s, 'GET', `${base}?${query}`, h);
      expectGraphError(res, 400, 'invalidFilter');
      expect(res.json().error.target).toBe('$filter');
    }
  });

  it.each([
    ['an unknown scopeType', `$filter=${q("scopeId eq '/' and scopeType eq 'Tenant'")}`, 'invalidFilter'],
    ['an unknown property', `$filter=${q(`${SCOPE} and colour eq 'red'`)}`, 'invalidFilter'],
    ['an unknown navigation', `$filter=${q(SCOPE)}&$expand=owners`, 'invalidExpand'],
    ['an unknown nested $select', `$filter=${q(SCOPE)}&$expand=rules($select=colour)`, 'invalidSelect'],
    ['$search', `$filter=${q(SCOPE)}&$search=x`, 'unsupportedQueryOption'],
  ])('refuses %s with 400', async (_name, query, code) => {
    expectGraphError(await call(s, 'GET', `${POLICIES}?${query}`, h), 400, code);
  });

  it('gets one policy, with and without $expand=rules', async () => {
    const plain = await call(s, 'GET', `${POLICIES}/${gaPolicyId}`, h);
    expect(plain.statusCode, plain.body).toBe(200);
    expect(plain.json()).toStrictEqual({
      '@odata.context': ctx('policies/roleManagementPolicies/$entity'),
      ...unmodifiedPolicy(gaPolicyId),
    });
    const expanded = await call(s, 'GET', `${POLICIES}/${gaPolicyId}?$expand=rules`, h);
    expect(expanded.json()).toStrictEqual({
      '@odata.context': ctx('policies/roleManagementPolicies(rules())/$entity'),
      ...unmodifiedPolicy(gaPolicyId),
      rules: PROTECTED_ROLE_DEFAULT_RULES,
    });
    expectGraphError(
      await call(s, 'GET', `${POLICIES}/${gaPolicyId}?$filter=${q("id eq 'x'")}`, h),
      400,
      'unsupportedQueryOption',
    );
  });

  it('lists all 17 rules in order, each with its @odata.type, and gets each one', async () => {
    const res = await call(s, 'GET', `${POLICIES}/${gaPolicyId}/rules`, h);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toStrictEqual({
      '@odata.context': ctx(`policies/roleManagementPolicies('${gaPolicyId}')/rules`),
      value: PROTECTED_ROLE_DEFAULT_RULES,
    });
    for (const rule of PROTECTED_ROLE_DEFAULT_RULES) {
      const one = await call(s, 'GET', `${POLICIES}/${gaPolicyId}/rules/${rule.id}`, h);
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json()).toStrictEqual({
        '@odata.context': ctx(`policies/roleManagementPolicies('${gaPolicyId}')/rules/$entity`),
        ...rule,
      });
    }
    const effective = await call(
      s,
      'GET',
      `${POLICIES}/${gaPolicyId}/effectiveRules/Expiration_EndUser_Assignment`,
      h,
    );
    expect(effective.json().maximumDuration).toBe('PT8H');
    const selected = await call(s, 'GET', `${POLICIES}/${gaPolicyId}/rules?$select=maximumDuration`, h);
    expect(selected.json()['@odata.context']).toBe(
      ctx(`policies/roleManagementPolicies('${gaPolicyId}')/rules(maximumDuration)`),
    );
    expect(selected.json().value[0]).toStrictEqual({
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_Admin_Eligibility',
      maximumDuration: 'P365D',
    });
    expect(selected.json().value[1]).toStrictEqual({
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
      id: 'Enablement_Admin_Eligibility',
    });
  });

  it('answers 404 for an unknown policy or rule', async () => {
    expectGraphError(
      await call(s, 'GET', `${POLICIES}/DirectoryRole_${tenantId}_nope`, h),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await call(s, 'GET', `${POLICIES}/${gaPolicyId}/rules/Expiration_Nobody`, h),
      404,
      'Request_ResourceNotFound',
    );
  });

  it('lists policy assignments with scopeType Directory (Graph example 1)', async () => {
    const res = await call(
      s,
      'GET',
      `${ASSIGNMENTS}?$filter=${q("scopeId eq '/' and scopeType eq 'Directory'")}`,
      h,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toBe(ctx('policies/roleManagementPolicyAssignments'));
    expect(body.value).toHaveLength(BUILT_IN_ROLES.length);
    for (const a of body.value) {
      expect(a).toStrictEqual({
        id: `${a.policyId}_${a.roleDefinitionId}`,
        policyId: expect.stringMatching(new RegExp(`^DirectoryRole_${tenantId}_${GUID}$`)),
        scopeId: '/',
        scopeType: 'DirectoryRole',
        roleDefinitionId: expect.stringMatching(new RegExp(`^${GUID}$`)),
      });
    }
    expect(new Set(body.value.map((a: { roleDefinitionId: string }) => a.roleDefinitionId))).toEqual(
      new Set(BUILT_IN_ROLES.map((r) => r.id)),
    );
  });

  it("returns Global Administrator's policy with the 17 documented default rules (Graph example 2)", async () => {
    const filter = `${SCOPE} and roleDefinitionId eq '${GLOBAL_ADMINISTRATOR}'`;
    const res = await call(s, 'GET', `${ASSIGNMENTS}?$filter=${q(filter)}&$expand=policy($expand=rules)`, h);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toStrictEqual({
      '@odata.context': ctx('policies/roleManagementPolicyAssignments(policy(rules()))'),
      value: [
        {
          id: `${gaPolicyId}_${GLOBAL_ADMINISTRATOR}`,
          policyId: gaPolicyId,
          scopeId: '/',
          scopeType: 'DirectoryRole',
          roleDefinitionId: GLOBAL_ADMINISTRATOR,
          policy: { ...unmodifiedPolicy(gaPolicyId), rules: PROTECTED_ROLE_DEFAULT_RULES },
        },
      ],
    });
  });

  it('gets one policy assignment by {policyId}_{roleDefinitionId}', async () => {
    const id = `${gaPolicyId}_${GLOBAL_ADMINISTRATOR}`;
    const res = await call(s, 'GET', `${ASSIGNMENTS}/${id}`, h);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toStrictEqual({
      '@odata.context': ctx('policies/roleManagementPolicyAssignments/$entity'),
      id,
      policyId: gaPolicyId,
      scopeId: '/',
      scopeType: 'DirectoryRole',
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
    });
    const expanded = await call(
      s,
      'GET',
      `${ASSIGNMENTS}/${id}?$expand=policy($select=displayName;$expand=rules($select=id))`,
      h,
    );
    expect(expanded.statusCode, expanded.body).toBe(200);
    expect(expanded.json()['@odata.context']).toBe(
      ctx('policies/roleManagementPolicyAssignments(policy(displayName,rules(id)))/$entity'),
    );
    expect(expanded.json().policy).toStrictEqual({
      id: gaPolicyId,
      displayName: 'DirectoryRole',
      rules: DOCUMENTED_DEFAULT_RULES.map((rule) => ({ '@odata.type': rule['@odata.type'], id: rule.id })),
    });
    for (const bad of [
      `${gaPolicyId}_${'0'.repeat(8)}-0000-4000-8000-000000000000`,
      gaPolicyId,
      'x',
      `${id}_`,
    ]) {
      expectGraphError(await call(s, 'GET', `${ASSIGNMENTS}/${bad}`, h), 404, 'Request_ResourceNotFound');
    }
  });

  it('gives a new custom role its default policy, and removes it with the role', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1.0/roleManagement/directory/roleDefinitions',
      headers: h,
      payload: {
        displayName: 'Custom policy role',
        isEnabled: true,
        rolePermissions: [{ allowedResourceActions: ['microsoft.directory/users/basic/update'] }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const roleId = res.json<{ id: string }>().id;
    const policyId = await policyIdOf(s, h, roleId);
    const rules = await call(s, 'GET', `${POLICIES}/${policyId}/rules`, h);
    expect(rules.json().value).toStrictEqual(DOCUMENTED_DEFAULT_RULES);

    const deleted = await s.app.inject({
      method: 'DELETE',
      url: `/v1.0/roleManagement/directory/roleDefinitions/${roleId}`,
      headers: h,
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expectGraphError(await call(s, 'GET', `${POLICIES}/${policyId}`, h), 404);
    const left = await call(
      s,
      'GET',
      `${ASSIGNMENTS}?$filter=${q(`${SCOPE} and roleDefinitionId eq '${roleId}'`)}`,
      h,
    );
    expect(left.json().value).toEqual([]);
  });
});
