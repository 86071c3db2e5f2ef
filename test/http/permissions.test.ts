import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer } from '../helpers/server.js';
import { AUDIT_TABLES, call, dbSnapshot, expectGraphError } from './support/graph.js';
import { otherTenantObjects } from './support/fixtures.js';
import { declaredStatuses, expectDeclared, type DeclaredStatuses } from './support/declared-statuses.js';
import { appCache, openApiPath, type Env, type Other, type Route } from './support/permission-routes.js';
import { appAndRoleRoutes } from './support/routes-apps-roles.js';
import { userAndGroupRoutes } from './support/routes-users-groups.js';

const env = {} as Env;
let other: Other;
let appWith: ReturnType<typeof appCache>;
let declared: DeclaredStatuses;
/** Asserts that the route declares the status it answered with in the OpenAPI document. */
const declares = (route: Route, status: number) =>
  expectDeclared(declared, `${route.method} ${openApiPath(route)}`, status);
const routes = [...userAndGroupRoutes(env), ...appAndRoleRoutes(env)];

beforeAll(async () => {
  env.s = await testServer();
  env.admin = await env.s.admin();
  other = await otherTenantObjects(env.s);
  appWith = appCache(env.s);
  declared = await declaredStatuses(env.s);
});
afterAll(() => env.s.close());

describe.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  it('401 without a token', async () => {
    const { url, body } = await route.own();
    const res = await call(env.s, route.method, url, {}, body);
    expectGraphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    declares(route, res.statusCode);
  });

  it('403 Authorization_RequestDenied for an app without permissions, changing no directory data', async () => {
    const { url, body } = await route.own();
    const headers = await appWith();
    const before = await dbSnapshot(env.s, AUDIT_TABLES);
    const res = await call(env.s, route.method, url, headers, body);
    expectGraphError(
      res,
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
    declares(route, res.statusCode);
    expect(await dbSnapshot(env.s, AUDIT_TABLES)).toStrictEqual(before);
  });

  if (route.readOnly) {
    const readOnly = route.readOnly;
    it(`403 for an app with only ${readOnly}`, async () => {
      const { url, body } = await route.own();
      const res = await call(env.s, route.method, url, await appWith(readOnly), body);
      expectGraphError(res, 403, 'Authorization_RequestDenied');
      declares(route, res.statusCode);
    });
  }

  it(`${route.status} for an app with ${route.allow}`, async () => {
    const { url, body } = await route.own();
    const res = await call(env.s, route.method, url, await appWith(route.allow), body);
    expect(res.statusCode, res.body).toBe(route.status);
    declares(route, res.statusCode);
  });

  if (route.foreign)
    it('404 (never 403) for an object that exists only in another tenant', async () => {
      const { url, body } = route.foreign!(other);
      const headers = await appWith(route.allow);
      const before = await dbSnapshot(env.s, AUDIT_TABLES);
      const res = await call(env.s, route.method, url, headers, body);
      expectGraphError(res, 404, 'Request_ResourceNotFound');
      declares(route, res.statusCode);
      // The other tenant's own administrator still sees it: it exists.
      if (route.method === 'GET') expect((await call(env.s, 'GET', url, other.headers)).statusCode).toBe(200);
      expect(await dbSnapshot(env.s, AUDIT_TABLES)).toStrictEqual(before);
    });

  if (route.unknown)
    it('404 for an unknown id', async () => {
      const { url, body } = route.unknown!();
      const res = await call(env.s, route.method, url, await appWith(route.allow), body);
      expectGraphError(res, 404, 'Request_ResourceNotFound');
      declares(route, res.statusCode);
    });
});
