// Response schemas are complete (src/http/graph/*-json.ts): every property a mapper writes is
// required, and only `selectable(…)` responses — what `$select` may project — leave properties out.
// Responses that cannot be projected fail their schema (500) when a mapper drops a field; this file
// covers the rest: every collection and every `$select`-able entity read without `$select` must
// carry the complete entity, so a mapper that forgets a field fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { directoryAuditJson } from '../../src/http/graph/audit-json.js';
import {
  directoryObjectJson,
  groupJson,
  servicePrincipalJson,
  userJson,
} from '../../src/http/graph/directory-json.js';
import { selectable } from '../../src/http/graph/json.js';
import {
  assignmentInstanceJson,
  assignmentScheduleJson,
  eligibilityInstanceJson,
  eligibilityScheduleJson,
  scheduleRequestJson,
} from '../../src/http/graph/pim-schemas.js';
import { completeRuleJson, policyAssignmentJson, policyJson } from '../../src/http/graph/policy-json.js';
import { roleAssignmentJson, roleDefinitionJson } from '../../src/http/graph/role-json.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { assign, createCustomRole, createGroup, createUser, ROLES } from './support/fixtures.js';
import { call, filterQuery, type Headers } from './support/graph.js';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const SCOPE = filterQuery(`scopeId eq '/' and scopeType eq 'DirectoryRole'`);

let s: TestServer;
let h: Headers;
let groupId: string;
let requestIds: { assignment: string; eligibility: string };

beforeAll(async () => {
  s = await testServer();
  h = await s.admin();
  const user = await createUser(s, h);
  const group = await createGroup(s, h);
  groupId = group.id;
  const added = await call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, h, {
    '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}`,
  });
  expect(added.statusCode, added.body).toBe(204);
  const secret = await call(
    s,
    'POST',
    `/v1.0/servicePrincipals/${s.boot.app.servicePrincipalId}/addPassword`,
    h,
    {},
  );
  expect(secret.statusCode, secret.body).toBe(200);
  await assign(s, h, user.id, (await createCustomRole(s, h)).id);
  const request = async (set: string) => {
    const res = await call(s, 'POST', `${ROLES}/${set}`, h, {
      action: 'adminAssign',
      principalId: user.id,
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'schema check',
      ticketInfo: { ticketNumber: 'T-1', ticketSystem: 'Desk' },
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  requestIds = {
    assignment: await request('roleAssignmentScheduleRequests'),
    eligibility: await request('roleEligibilityScheduleRequests'),
  };
});
afterAll(() => s.close());

/** The issues of `value` against the complete schema; [] when it is complete. */
const missing = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

async function items(url: string): Promise<Record<string, unknown>[]> {
  const res = await call(s, 'GET', url, h);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  const { value } = res.json<{ value: Record<string, unknown>[] }>();
  expect(value.length, `${url} lists something`).toBeGreaterThan(0);
  return value;
}

describe('collections without $select carry complete items', () => {
  const collections: [string, () => string, z.ZodType][] = [
    ['users', () => '/v1.0/users', userJson],
    ['groups', () => '/v1.0/groups', groupJson],
    ['group members', () => `/v1.0/groups/${groupId}/members`, directoryObjectJson],
    ['service principals', () => '/v1.0/servicePrincipals', servicePrincipalJson],
    ['role definitions', () => `${ROLES}/roleDefinitions`, roleDefinitionJson],
    ['role assignments', () => `${ROLES}/roleAssignments`, roleAssignmentJson],
    ['directory audits', () => '/v1.0/auditLogs/directoryAudits', directoryAuditJson],
    ['policies', () => `/v1.0/policies/roleManagementPolicies?${SCOPE}`, policyJson],
    [
      'policy assignments',
      () => `/v1.0/policies/roleManagementPolicyAssignments?${SCOPE}`,
      policyAssignmentJson,
    ],
    ['assignment requests', () => `${ROLES}/roleAssignmentScheduleRequests`, scheduleRequestJson],
    ['eligibility requests', () => `${ROLES}/roleEligibilityScheduleRequests`, scheduleRequestJson],
    ['assignment schedules', () => `${ROLES}/roleAssignmentSchedules`, assignmentScheduleJson],
    ['eligibility schedules', () => `${ROLES}/roleEligibilitySchedules`, eligibilityScheduleJson],
    ['assignment instances', () => `${ROLES}/roleAssignmentScheduleInstances`, assignmentInstanceJson],
    ['eligibility instances', () => `${ROLES}/roleEligibilityScheduleInstances`, eligibilityInstanceJson],
  ];
  it.each(collections)('%s', async (_name, url, schema) => {
    for (const item of await items(url())) expect(missing(schema, item), JSON.stringify(item)).toEqual([]);
  });

  it("a policy's expanded rules, every rule type", async () => {
    const [policy] = await items(`/v1.0/policies/roleManagementPolicies?${SCOPE}&$expand=rules`);
    const rules = (policy as { rules: unknown[] }).rules;
    expect(rules).toHaveLength(17);
    for (const rule of rules) expect(missing(completeRuleJson, rule), JSON.stringify(rule)).toEqual([]);
  });
});

describe('$select-able entities read without $select are complete', () => {
  it.each([
    ['assignment request', 'roleAssignmentScheduleRequests', 'assignment'],
    ['eligibility request', 'roleEligibilityScheduleRequests', 'eligibility'],
  ] as const)('%s by id', async (_name, set, kind) => {
    const res = await call(s, 'GET', `${ROLES}/${set}/${requestIds[kind]}`, h);
    expect(res.statusCode, res.body).toBe(200);
    expect(missing(scheduleRequestJson, res.json())).toEqual([]);
  });

  it('a policy by id, and one of its rules', async () => {
    const [policy] = await items(`/v1.0/policies/roleManagementPolicies?${SCOPE}`);
    const id = String(policy!.id);
    const res = await call(s, 'GET', `/v1.0/policies/roleManagementPolicies/${id}`, h);
    expect(missing(policyJson, res.json())).toEqual([]);
    const rule = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicies/${id}/rules/Expiration_Admin_Eligibility`,
      h,
    );
    expect(missing(completeRuleJson, rule.json())).toEqual([]);
  });
});

describe('the $select variant leaves out only what $select may drop', () => {
  it('accepts an item without a property the complete schema requires; never one without its id', () => {
    const user = {
      id: '7d1f7a5e-0000-4000-8000-000000000001',
      displayName: 'Ann',
      userPrincipalName: 'ann@contoso.test',
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: true,
      createdDateTime: '2026-01-01T00:00:00.000Z',
      businessPhones: [],
    };
    const { jobTitle: _dropped, ...withoutJobTitle } = user;
    const { id: _id, ...withoutId } = user;
    expect(missing(userJson, user)).toEqual([]);
    expect(missing(userJson, withoutJobTitle)).toEqual([
      'jobTitle: Invalid input: expected string, received undefined',
    ]);
    expect(missing(selectable(userJson), withoutJobTitle)).toEqual([]);
    expect(missing(selectable(userJson), withoutId)).not.toEqual([]);
  });
});
