import type { AppPermission } from '../../../src/domain/directory/app-permissions.js';
import type { TestServer } from '../../helpers/server.js';
import type { Headers, Method } from './graph.js';
import { ROLES, type otherTenantObjects } from './fixtures.js';

export type Other = Awaited<ReturnType<typeof otherTenantObjects>>;
export interface Req {
  url: string;
  body?: unknown;
}

/**
 * One Graph route: the permission that must be enough (`allow`), a read permission that must not be
 * enough for a write (`readOnly`), the success status, a request on an object of the caller's own
 * tenant, and requests naming objects that exist only in another tenant or nowhere.
 */
export interface Route {
  method: Method;
  path: string;
  allow: AppPermission;
  readOnly?: AppPermission;
  status: number;
  own(): Promise<Req>;
  foreign?(o: Other): Req;
  unknown?(): Req;
}

/** A route's path in the OpenAPI document (the walk's paths are relative to `/v1.0` or to `ROLES`). */
export const openApiPath = (route: Pick<Route, 'path'>): string =>
  (/^\/role(Definitions|Assignments)/.test(route.path) ? ROLES : '/v1.0') + route.path;

/** Filled in by the test's `beforeAll`; the routes read it only when a test runs. */
export interface Env {
  s: TestServer;
  admin: Headers;
}

export const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
export const ref = (id: string) => ({
  '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
});

/** Headers of an app holding exactly the given permissions, one app per set. */
export function appCache(s: TestServer) {
  const apps = new Map<string, Promise<Headers>>();
  return (...permissions: AppPermission[]) => {
    const key = permissions.join(',');
    if (!apps.has(key))
      apps.set(
        key,
        s.appWith(permissions).then(({ authorization }) => ({ authorization })),
      );
    return apps.get(key)!;
  };
}
