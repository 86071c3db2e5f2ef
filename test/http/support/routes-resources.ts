import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call, type Method } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const SCOPES = '/v1.0/elevate/resourceScopes';
const ROLES = '/v1.0/elevate/resourceRoleDefinitions';

/** The resource hierarchy and resource roles (ADR 0029): role administrators write, Global Reader reads. */
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const READERS = { role: R.GLOBAL_READER, wrongRole: R.HELPDESK_ADMINISTRATOR };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown) {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Record<string, unknown>>();
}

let n = 0;
const freshPath = () => `/walk-${Date.now().toString(36)}-${(n += 1)}`;
const scopeBody = () => ({ id: freshPath(), displayName: 'walk', type: 'test' });
const scope = async (env: WalkEnv) =>
  `${SCOPES}/${encodeURIComponent(String((await ok(env, 'POST', SCOPES, scopeBody())).id))}`;

const roleBody = () => ({
  roleName: `Walk role ${(n += 1)}`,
  permissions: [{ actions: ['Walk.Provider/things/read'] }],
  assignableScopes: ['/'],
});
const role = async (env: WalkEnv) => `${ROLES}/${String((await ok(env, 'POST', ROLES, roleBody())).id)}`;

export function resourceRoutes(env: WalkEnv): WalkRoute[] {
  return [
    { method: 'GET', path: SCOPES, ...READERS, status: 200, own: async () => ({ url: SCOPES }) },
    {
      method: 'POST',
      path: SCOPES,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: SCOPES, body: scopeBody() }),
    },
    {
      method: 'GET',
      path: `${SCOPES}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: await scope(env) }),
    },
    {
      method: 'PATCH',
      path: `${SCOPES}/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: await scope(env), body: { displayName: 'walked' } }),
    },
    {
      method: 'DELETE',
      path: `${SCOPES}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: await scope(env) }),
    },
    { method: 'GET', path: ROLES, ...READERS, status: 200, own: async () => ({ url: ROLES }) },
    {
      method: 'POST',
      path: ROLES,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: ROLES, body: roleBody() }),
    },
    {
      method: 'GET',
      path: `${ROLES}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: await role(env) }),
    },
    {
      method: 'PUT',
      path: `${ROLES}/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: await role(env), body: roleBody() }),
    },
    {
      method: 'DELETE',
      path: `${ROLES}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: await role(env) }),
    },
  ];
}
