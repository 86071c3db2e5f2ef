import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { createUser } from './fixtures.js';
import { call, type Method } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const UNITS = '/v1.0/directory/administrativeUnits';

/** Administrative units (ADR 0042): role administrators write, directory readers read. */
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.GLOBAL_READER };
const READERS = { role: R.GLOBAL_READER, wrongRole: R.APPLICATION_ADMINISTRATOR };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown) {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : res.json<Record<string, unknown>>();
}

const unit = async (env: WalkEnv) =>
  `${UNITS}/${String((await ok(env, 'POST', UNITS, { displayName: 'walk unit' })).id)}`;
const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

export function administrativeUnitRoutes(env: WalkEnv): WalkRoute[] {
  return [
    { method: 'GET', path: UNITS, ...READERS, status: 200, own: async () => ({ url: UNITS }) },
    {
      method: 'POST',
      path: UNITS,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: UNITS, body: { displayName: 'walk unit' } }),
    },
    {
      method: 'GET',
      path: `${UNITS}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: await unit(env) }),
    },
    {
      method: 'PATCH',
      path: `${UNITS}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: await unit(env), body: { description: 'walked' } }),
    },
    {
      method: 'DELETE',
      path: `${UNITS}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: await unit(env) }),
    },
    {
      method: 'GET',
      path: `${UNITS}/{id}/members`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${await unit(env)}/members` }),
    },
    {
      method: 'POST',
      path: `${UNITS}/{id}/members/$ref`,
      ...WRITERS,
      status: 204,
      own: async () => ({
        url: `${await unit(env)}/members/$ref`,
        body: ref((await createUser(env.s, env.admin)).id),
      }),
    },
    {
      method: 'DELETE',
      path: `${UNITS}/{id}/members/{memberId}/$ref`,
      ...WRITERS,
      status: 204,
      own: async () => {
        const url = await unit(env);
        const user = await createUser(env.s, env.admin);
        await ok(env, 'POST', `${url}/members/$ref`, ref(user.id));
        return { url: `${url}/members/${user.id}/$ref` };
      },
    },
  ];
}
