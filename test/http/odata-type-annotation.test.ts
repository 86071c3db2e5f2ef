// Typed Graph SDK models (Python msgraph-sdk, Kiota) always send `@odata.type` on create and update
// bodies. These are the requests they send; the annotation must be accepted when it names the
// entity and refused (400, nothing written) when it names another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, expectGraphError, type Headers } from './support/graph.js';

describe('@odata.type on directory bodies', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it('POST /v1.0/users as the typed Python SDK sends it, then PATCH with the annotation', async () => {
    const created = await call(s, 'POST', '/v1.0/users', h, {
      '@odata.type': '#microsoft.graph.user',
      accountEnabled: true,
      displayName: 'Adele Vance',
      mailNickname: 'adelev',
      userPrincipalName: 'adelev@contoso.test',
      passwordProfile: { forceChangePasswordNextSignIn: true, password: 'xWwvJ]6NMw+bWH-d' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect(created.json()).not.toHaveProperty('@odata.type');
    const patched = await call(s, 'PATCH', `/v1.0/users/${id}`, h, {
      '@odata.type': '#microsoft.graph.user',
      jobTitle: 'Retail Manager',
    });
    expect(patched.statusCode, patched.body).toBe(204);
    const read = await call(s, 'GET', `/v1.0/users/${id}`, h);
    expect(read.json()).toMatchObject({ jobTitle: 'Retail Manager' });
  });

  it('POST /v1.0/groups and /v1.0/servicePrincipals with their types', async () => {
    const group = await call(s, 'POST', '/v1.0/groups', h, {
      '@odata.type': '#microsoft.graph.group',
      displayName: 'Operators',
      mailEnabled: false,
      mailNickname: 'operators',
      securityEnabled: true,
    });
    expect(group.statusCode, group.body).toBe(201);
    const sp = await call(s, 'POST', '/v1.0/servicePrincipals', h, {
      '@odata.type': '#microsoft.graph.servicePrincipal',
      displayName: 'deploy bot',
    });
    expect(sp.statusCode, sp.body).toBe(201);
  });

  it('refuses a type that is not the entity, and writes nothing', async () => {
    const before = await call(s, 'GET', '/v1.0/users?$count=true', { ...h, ConsistencyLevel: 'eventual' });
    const res = await call(s, 'POST', '/v1.0/users', h, {
      '@odata.type': '#microsoft.graph.group',
      accountEnabled: true,
      displayName: 'Not A User',
      userPrincipalName: 'nope@contoso.test',
    });
    expectGraphError(res, 400, 'invalidRequest', /#microsoft\.graph\.user/, { target: '@odata.type' });
    const after = await call(s, 'GET', '/v1.0/users?$count=true', { ...h, ConsistencyLevel: 'eventual' });
    expect(after.json()['@odata.count']).toBe(before.json()['@odata.count']);
  });
});
