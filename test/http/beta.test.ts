import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import { createGroup, createUser, ROLES } from './support/fixtures.js';
import { call, filterQuery, UNKNOWN_ID, type Headers, type Method } from './support/graph.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const SCOPE = filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole'");

/** A v1.0 body as beta answers it: context and next links under `/beta`. */
const asBeta = (body: string) =>
  body
    .replaceAll(`${PUBLIC_URL}/v1.0/$metadata#`, `${PUBLIC_URL}/beta/$metadata#`)
    .replaceAll(`${PUBLIC_URL}/v1.0/`, `${PUBLIC_URL}/beta/`);

describe('/beta serves every /v1.0 path', () => {
  let s: TestServer;
  let h: Headers;
  let userId: string;
  let groupId: string;
  let requestId: string;
  let policyId: string;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    userId = (await createUser(s, h)).id;
    groupId = (await createGroup(s, h)).id;
    const made = await call(s, 'POST', `${ROLES}/roleEligibilityScheduleRequests`, h, {
      action: 'adminAssign',
      justification: 'beta',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: userId,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    requestId = made.json().id;
    policyId = (await call(s, 'GET', `/v1.0/policies/roleManagementPolicies?${SCOPE}`, h)).json().value[0].id;
  });
  afterAll(() => s.close());

  it('routes every documented /v1.0 operation under /beta (none is an unknown segment or method)', async () => {
    const doc = (await call(s, 'GET', '/openapi.json')).json<{ paths: Record<string, object> }>();
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1.0/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method: method.toUpperCase() })));
    expect(operations.length).toBeGreaterThan(60);
    for (const { path, method } of operations) {
      // Unknown ids and no body: every route answers 2xx/4xx of its own, never "no such route".
      const url = path.replace(/^\/v1\.0/, '/beta').replace(/\{\w+\}/g, UNKNOWN_ID);
      const res = await call(s, method as Method, url, { ...h, consistencylevel: 'eventual' });
      const name = `${method} ${url}: ${res.body.slice(0, 200)}`;
      expect(res.statusCode, name).not.toBe(405);
      expect(res.statusCode, name).toBeLessThan(500);
      if (res.statusCode === 400) expect(res.json().error.message, name).not.toMatch(/^Resource not found/);
    }
  });

  it.each([
    ['/users'],
    ['/users/{user}'],
    ['/users?$select=displayName&$top=1'],
    ['/groups/{group}'],
    ['/servicePrincipals?$top=1'],
    [`/roleManagement/directory/roleDefinitions/${USER_ADMINISTRATOR}`],
    ['/roleManagement/directory/roleDefinitions?$top=2'],
    ['/roleManagement/directory/roleEligibilityScheduleRequests?$expand=principal,roleDefinition'],
    ['/roleManagement/directory/roleEligibilityScheduleRequests/{request}'],
    ["/roleManagement/directory/roleEligibilitySchedules/filterByCurrentUser(on='principal')"],
    ['/roleManagement/directory/roleEligibilityScheduleInstances?$select=principalId'],
    [`/policies/roleManagementPolicies?${SCOPE}&$top=1&$expand=rules`],
    ['/policies/roleManagementPolicies/{policy}/rules'],
    [`/policies/roleManagementPolicyAssignments?${SCOPE}&$top=1`],
    ['/auditLogs/directoryAudits?$top=2'],
  ])('GET %s answers as v1.0 does, with beta context and links', async (template) => {
    const path = template
      .replace('{user}', userId)
      .replace('{group}', groupId)
      .replace('{request}', requestId)
      .replace('{policy}', policyId);
    const v1 = await call(s, 'GET', `/v1.0${path}`, h);
    const beta = await call(s, 'GET', `/beta${path}`, h);
    expect(v1.statusCode, v1.body.slice(0, 300)).toBe(200);
    expect(beta.statusCode, beta.body.slice(0, 300)).toBe(200);
    expect(beta.body).toContain(`"@odata.context":"${PUBLIC_URL}/beta/$metadata#`);
    expect(beta.body).not.toContain('/v1.0/');
    expect(JSON.parse(beta.body)).toEqual(JSON.parse(asBeta(v1.body)));
  });

  it('writes through /beta too: create, update, delete, with beta context', async () => {
    const created = await call(s, 'POST', '/beta/users', h, {
      accountEnabled: true,
      displayName: 'Beta User',
      userPrincipalName: 'beta.user@contoso.test',
    });
    expect(created.statusCode, created.body).toBe(201);
    const user = created.json();
    expect(user['@odata.context']).toBe(`${PUBLIC_URL}/beta/$metadata#users/$entity`);
    const patched = await call(s, 'PATCH', `/beta/users/${user.id}`, h, { displayName: 'Beta Renamed' });
    expect(patched.statusCode, patched.body).toBe(204);
    const read = await call(s, 'GET', `/v1.0/users/${user.id}`, h);
    expect(read.json().displayName).toBe('Beta Renamed');
    expect((await call(s, 'DELETE', `/beta/users/${user.id}`, h)).statusCode).toBe(204);
    expect((await call(s, 'GET', `/v1.0/users/${user.id}`, h)).statusCode).toBe(404);
  });

  it('keeps beta-only paths beta-only (approvals are not in Graph v1.0)', async () => {
    const res = await call(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleAssignmentApprovals/${requestId}`,
      h,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe("Resource not found for the segment 'roleAssignmentApprovals'.");
  });
});
