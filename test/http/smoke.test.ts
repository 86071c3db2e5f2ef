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
