import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call, type Method } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const BASE = '/v1.0/elevate/connectors';
/** Connectors (ADR 0030): role administrators write, Global Reader reads. */
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const READERS = { role: R.GLOBAL_READER, wrongRole: R.HELPDESK_ADMINISTRATOR };
/** Disabled, and nothing listens there: the walk never reconciles it, and `test` fails at once. */
const CONNECTOR = {
  displayName: 'Walk',
  type: 'postgresql',
  settings: { host: '127.0.0.1', port: 1, username: 'walk' },
  secret: 'walk-password',
  isEnabled: false,
};
const MAPPING = { source: 'directoryRole', sourceId: R.GLOBAL_READER, targetGrant: 'walk_readers' };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown) {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Record<string, unknown>>();
}

const connector = async (env: WalkEnv) => String((await ok(env, 'POST', BASE, CONNECTOR)).id);
/**
 * One connector per server for the routes that leave it in place: the walk calls each route five
 * times, and a tenant may have 50 connectors.
 */
const sharedConnectors = new WeakMap<object, Promise<string>>();
const shared = (env: WalkEnv): Promise<string> => {
  let id = sharedConnectors.get(env.s);
  if (id === undefined) {
    id = connector(env);
    sharedConnectors.set(env.s, id);
  }
  return id;
};
const mapping = async (env: WalkEnv) => {
  const id = await shared(env);
  return { id, mappingId: String((await ok(env, 'POST', `${BASE}/${id}/mappings`, MAPPING)).id) };
};

export function connectorRoutes(env: WalkEnv): WalkRoute[] {
  return [
    { method: 'GET', path: BASE, ...READERS, status: 200, own: async () => ({ url: BASE }) },
    {
      method: 'POST',
      path: BASE,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: BASE, body: CONNECTOR }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await connector(env)}` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/{id}`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await shared(env)}`, body: { displayName: 'walked' } }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/${await connector(env)}` }),
    },
    {
      method: 'POST',
      path: `${BASE}/{id}/test`,
      ...WRITERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await shared(env)}/test` }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}/grants`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await shared(env)}/grants` }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}/logins`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await shared(env)}/logins` }),
    },
    {
      method: 'PUT',
      path: `${BASE}/{id}/logins/{principalId}`,
      ...WRITERS,
      status: 200,
      own: async () => ({
        url: `${BASE}/${await shared(env)}/logins/${env.s.boot.admin.id}`,
        body: { login: 'walk_login' },
      }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/{id}/logins/{principalId}`,
      ...WRITERS,
      status: 204,
      own: async () => {
        const id = await shared(env);
        await ok(env, 'PUT', `${BASE}/${id}/logins/${env.s.boot.admin.id}`, { login: 'walk_login' });
        return { url: `${BASE}/${id}/logins/${env.s.boot.admin.id}` };
      },
    },
    {
      method: 'GET',
      path: `${BASE}/{id}/mappings`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await shared(env)}/mappings` }),
    },
    {
      method: 'POST',
      path: `${BASE}/{id}/mappings`,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: `${BASE}/${await shared(env)}/mappings`, body: MAPPING }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}/mappings/{mappingId}`,
      ...READERS,
      status: 200,
      own: async () => {
        const m = await mapping(env);
        return { url: `${BASE}/${m.id}/mappings/${m.mappingId}` };
      },
    },
    {
      method: 'DELETE',
      path: `${BASE}/{id}/mappings/{mappingId}`,
      ...WRITERS,
      status: 204,
      own: async () => {
        const m = await mapping(env);
        return { url: `${BASE}/${m.id}/mappings/${m.mappingId}` };
      },
    },
  ];
}
