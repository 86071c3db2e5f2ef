// Ids are validated and normalized once, at the edge (src/http/graph/ids.ts): a GUID in any case
// names the same object, a malformed one is a 400 that names the parameter and changes nothing, and
// ids that are not GUIDs (Entra's base64url role assignment ids) are case-sensitive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  assign,
  createCustomRole,
  createGroup,
  createServicePrincipal,
  createUser,
  GLOBAL_ADMINISTRATOR,
  ROLES,
} from './support/fixtures.js';
import {
  call,
  dbSnapshot,
  expectGraphError,
  filterQuery,
  UNKNOWN_ID,
  type Headers,
  type Method,
} from './support/graph.js';

let s: TestServer;
let h: Headers;
beforeAll(async () => {
  s = await testServer();
  h = await s.admin();
});
afterAll(() => s.close());

const upper = (id: string) => id.toUpperCase();
const ref = (url: string) => ({ '@odata.id': url });

describe('a GUID in any case names the same object', () => {
  it('groups, their members and $ref', async () => {
    const g = await createGroup(s, h);
    const u = await createUser(s, h);
    expect((await call(s, 'GET', `/v1.0/groups/${upper(g.id)}`, h)).json().id).toBe(g.id);
    const added = await call(
      s,
      'POST',
      `/v1.0/groups/${upper(g.id)}/members/$ref`,
      h,
      ref(`https://graph.microsoft.com/v1.0/directoryObjects/${upper(u.id)}`),
    );
    expect(added.statusCode, added.body).toBe(204);
    const members = await call(s, 'GET', `/v1.0/groups/${upper(g.id)}/members`, h);
    expect(members.json().value).toStrictEqual([{ '@odata.type': '#microsoft.graph.user', id: u.id }]);
    const patched = await call(s, 'PATCH', `/v1.0/groups/${upper(g.id)}`, h, { description: 'x' });
    expect(patched.statusCode, patched.body).toBe(204);
    const removed = await call(s, 'DELETE', `/v1.0/groups/${upper(g.id)}/members/${upper(u.id)}/$ref`, h);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await call(s, 'DELETE', `/v1.0/groups/${upper(g.id)}`, h)).statusCode).toBe(204);
  });

  it('users: PATCH, DELETE and resetMethods', async () => {
    const u = await createUser(s, h);
    const patched = await call(s, 'PATCH', `/v1.0/users/${upper(u.id)}`, h, { jobTitle: 'Pilot' });
    expect(patched.statusCode, patched.body).toBe(204);
    expect((await call(s, 'GET', `/v1.0/users/${u.id}`, h)).json().jobTitle).toBe('Pilot');
    const reset = await call(s, 'POST', `/v1.0/users/${upper(u.id)}/authentication/resetMethods`, h);
    expect(reset.statusCode, reset.body).toBe(204);
    expect((await call(s, 'DELETE', `/v1.0/users/${upper(u.id)}`, h)).statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `/v1.0/users/${u.id}`, h), 404, 'Request_ResourceNotFound');
  });

  it('service principals and their secrets (keyId in the body too)', async () => {
    const sp = await createServicePrincipal(s, h);
    expect((await call(s, 'GET', `/v1.0/servicePrincipals/${upper(sp.id)}`, h)).json().id).toBe(sp.id);
    const secret = await call(s, 'POST', `/v1.0/servicePrincipals/${upper(sp.id)}/addPassword`, h, {});
    expect(secret.statusCode, secret.body).toBe(200);
    const keyId = secret.json<{ keyId: string }>().keyId;
    const removed = await call(s, 'POST', `/v1.0/servicePrincipals/${upper(sp.id)}/removePassword`, h, {
      keyId: upper(keyId),
    });
    expect(removed.statusCode, removed.body).toBe(204);
    const patched = await call(s, 'PATCH', `/v1.0/servicePrincipals/${upper(sp.id)}`, h, {
      displayName: 'Renamed',
    });
    expect(patched.statusCode, patched.body).toBe(204);
    expect((await call(s, 'DELETE', `/v1.0/servicePrincipals/${upper(sp.id)}`, h)).statusCode).toBe(204);
  });

  it('custom role definitions, scoped role assignments, audit entries, policy assignments', async () => {
    const role = await createCustomRole(s, h);
    const patched = await call(s, 'PATCH', `${ROLES}/roleDefinitions/${upper(role.id)}`, h, {
      description: 'changed',
    });
    expect(patched.statusCode, patched.body).toBe(204);

    const u = await createUser(s, h);
    const unit = await call(s, 'POST', '/v1.0/directory/administrativeUnits', h, { displayName: 'Ids' });
    expect(unit.statusCode, unit.body).toBe(201);
    const scoped = await call(s, 'POST', `${ROLES}/roleAssignments`, h, {
      principalId: upper(u.id),
      roleDefinitionId: upper(role.id),
      directoryScopeId: `/administrativeUnits/${upper(unit.json<{ id: string }>().id)}`,
    });
    expect(scoped.statusCode, scoped.body).toBe(201);
    const assignmentId = scoped.json<{ id: string }>().id;
    expect(scoped.json()).toMatchObject({ principalId: u.id, roleDefinitionId: role.id });
    const got = await call(s, 'GET', `${ROLES}/roleAssignments/${upper(assignmentId)}`, h);
    expect(got.json().id).toBe(assignmentId);
    const deleted = await call(s, 'DELETE', `${ROLES}/roleAssignments/${upper(assignmentId)}`, h);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await call(s, 'DELETE', `${ROLES}/roleDefinitions/${upper(role.id)}`, h)).statusCode).toBe(204);

    const [entry] = (await call(s, 'GET', '/v1.0/auditLogs/directoryAudits?$top=1', h)).json().value;
    const audit = await call(s, 'GET', `/v1.0/auditLogs/directoryAudits/${upper(entry.id)}`, h);
    expect(audit.json().id).toBe(entry.id);

    const filter = filterQuery(`scopeId eq '/' and scopeType eq 'DirectoryRole'`);
    const policies = (
      await call(s, 'GET', `/v1.0/policies/roleManagementPolicyAssignments?${filter}`, h)
    ).json();
    const ga = policies.value.find(
      (p: { roleDefinitionId: string }) => p.roleDefinitionId === GLOBAL_ADMINISTRATOR,
    );
    const policyAssignment = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicyAssignments/${ga.policyId}_${upper(GLOBAL_ADMINISTRATOR)}`,
      h,
    );
    expect(policyAssignment.statusCode, policyAssignment.body).toBe(200);
    expect(policyAssignment.json().id).toBe(ga.id);
  });
});

describe("Entra's base64url role assignment ids are case-sensitive", () => {
  it('answers its exact id and 404 for the same text in another case', async () => {
    const u = await createUser(s, h);
    const { id } = await assign(s, h, u.id, (await createCustomRole(s, h)).id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}-1$/);
    expect((await call(s, 'GET', `${ROLES}/roleAssignments/${id}`, h)).statusCode).toBe(200);
    const other = id.toLowerCase() === id ? id.toUpperCase() : id.toLowerCase();
    expectGraphError(
      await call(s, 'GET', `${ROLES}/roleAssignments/${other}`, h),
      404,
      'Request_ResourceNotFound',
    );
  });
});

describe('a malformed id is 400 invalidRequest naming it, and changes nothing', () => {
  const cases: [Method, string, string, unknown?][] = [
    ['GET', '/v1.0/groups/not-a-guid', 'id'],
    ['PATCH', '/v1.0/groups/1234', 'id', { description: 'x' }],
    ['DELETE', `/v1.0/groups/${UNKNOWN_ID}/members/x/$ref`, 'memberId'],
    ['GET', '/v1.0/users/neither-guid-nor-upn', 'id'],
    ['PATCH', '/v1.0/users/ann@contoso.test', 'id', { jobTitle: 'x' }],
    ['DELETE', `/v1.0/users/${UNKNOWN_ID}x`, 'id'],
    ['GET', '/v1.0/servicePrincipals/00000000000000000000000000000000', 'id'],
    ['POST', '/v1.0/servicePrincipals/x/addPassword', 'id', {}],
    ['DELETE', `${ROLES}/roleDefinitions/x`, 'id'],
    ['GET', `${ROLES}/roleAssignments/not-an-assignment-id`, 'id'],
    ['GET', '/v1.0/auditLogs/directoryAudits/1', 'id'],
    ['POST', '/v1.0/users/x/authentication/resetMethods', 'id'],
  ];
  it.each(cases)('%s %s', async (method, url, target, body) => {
    const before = await dbSnapshot(s);
    const res = await call(s, method, url, h, body);
    expectGraphError(res, 400, 'invalidRequest', new RegExp(`^\`${target}\`( in the URL)? must be `), {
      target,
    });
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });
});

describe('a $ref body names its member by @odata.id', () => {
  it('accepts …/directoryObjects/{id}, …/users/{id} and a bare GUID', async () => {
    const g = await createGroup(s, h);
    const [a, b, c] = [await createUser(s, h), await createUser(s, h), await createUser(s, h)];
    for (const url of [
      `https://graph.microsoft.com/v1.0/directoryObjects/${a.id}`,
      `https://graph.microsoft.com/v1.0/users/${upper(b.id)}`,
      c.id,
    ]) {
      const res = await call(s, 'POST', `/v1.0/groups/${g.id}/members/$ref`, h, ref(url));
      expect(res.statusCode, `${url}: ${res.body}`).toBe(204);
    }
    const members = (await call(s, 'GET', `/v1.0/groups/${g.id}/members`, h)).json().value;
    expect(members.map((m: { id: string }) => m.id).sort()).toEqual([a.id, b.id, c.id].sort());
  });

  it.each([
    'https://graph.microsoft.com/v1.0/directoryObjects/not-a-guid',
    `https://graph.microsoft.com/v1.0/directoryObjects/${'-'.repeat(36)}`,
    `https://graph.microsoft.com/v1.0/applications/${UNKNOWN_ID}`,
    'nonsense',
    '',
  ])('a malformed @odata.id (%j) is 400, not 404, and adds nothing', async (url) => {
    const g = await createGroup(s, h);
    const before = await dbSnapshot(s);
    const res = await call(s, 'POST', `/v1.0/groups/${g.id}/members/$ref`, h, ref(url));
    expectGraphError(res, 400, 'invalidRequest', /@odata\.id/, { target: '@odata.id' });
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });
});
