import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { call } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const BASE = '/v1.0/elevate/scimClients';

/** SCIM provisioning clients (ADR 0038): role administrators create and delete; global readers read. */
const READERS = { role: R.GLOBAL_READER, wrongRole: R.USER_ADMINISTRATOR };
const WRITERS = { role: R.PRIVILEGED_ROLE_ADMINISTRATOR, wrongRole: R.USER_ADMINISTRATOR };

export function scimClientRoutes(env: WalkEnv): WalkRoute[] {
  /** A client made by the bootstrap app; returns its id. */
  const made = async () => {
    const res = await call(env.s, 'POST', BASE, env.admin, { displayName: 'Okta' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  return [
    { method: 'GET', path: BASE, ...READERS, status: 200, own: async () => ({ url: BASE }) },
    {
      method: 'POST',
      path: BASE,
      ...WRITERS,
      status: 201,
      own: async () => ({ url: BASE, body: { displayName: 'Entra ID' } }),
    },
    {
      method: 'GET',
      path: `${BASE}/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/${await made()}` }),
    },
    {
      method: 'DELETE',
      path: `${BASE}/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({ url: `${BASE}/${await made()}` }),
    },
  ];
}
