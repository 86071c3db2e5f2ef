import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';

describe('smoke', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer();
  });
  afterAll(() => s.close());

  it('lists users with the bootstrap app token', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/v1.0/users', headers: await s.admin() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ value: [{ userPrincipalName: 'admin@contoso.test' }] });
  });
});

describe('test helpers', () => {
  it('make a second tenant and a permission-less app', async () => {
    const s = await testServer();
    try {
      const other = await s.otherTenant();
      expect(other.tenantId).not.toBe(s.boot.tenantId);
      const none = await s.appWith([]);
      const res = await s.app.inject({
        method: 'GET',
        url: '/v1.0/users',
        headers: { authorization: none.authorization },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('Authorization_RequestDenied');
    } finally {
      await s.close();
    }
  });
});
