import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from '../helpers/server.js';
import type { Headers } from '../pim/support.js';

export const SCOPES = '/v1.0/elevate/resourceScopes';
export const ROLES = '/v1.0/elevate/resourceRoleDefinitions';
export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const USER_ACCESS_ADMINISTRATOR = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

/** Any request, with a JSON body when one is given. */
export function send(
  s: Pick<TestServer, 'app'>,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** Registers each scope path in order (parents first). */
export async function register(
  s: Pick<TestServer, 'app'>,
  admin: Headers,
  ...paths: string[]
): Promise<void> {
  for (const id of paths) {
    const res = await send(s, 'POST', SCOPES, admin, { id, displayName: id.split('/').pop(), type: 'test' });
    if (res.statusCode !== 201) throw new Error(`registering ${id}: ${res.statusCode} ${res.body}`);
  }
}

/** The URL of one scope: its path percent-encoded as one segment. */
export const scopeUrl = (path: string) => `${SCOPES}/${encodeURIComponent(path)}`;
