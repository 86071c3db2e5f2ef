import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import type { Clock } from '../../src/domain/time/clock.js';

export const SCIM_BASE = '/scim/v2';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type Json = Record<string, unknown>;

/** A SCIM client talking to a test server: its token, and calls with `application/scim+json`. */
export interface ScimClient {
  id: string;
  token: string;
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

/** Creates a provisioning client through the API as the bootstrap administrator. */
export async function scimClient(
  s: TestServer,
  name = 'Entra ID',
  adminHeaders?: Record<string, string>,
): Promise<ScimClient> {
  const headers = adminHeaders ?? (await s.admin());
  const res = await s.app.inject({
    method: 'POST',
    url: '/v1.0/elevate/scimClients',
    headers,
    payload: { displayName: name },
  });
  expect(res.statusCode, res.body).toBe(201);
  const { id, token } = res.json<{ id: string; token: string }>();
  return {
    id,
    token,
    call: (method, path, body) =>
      s.app.inject({
        method,
        url: `${SCIM_BASE}${path}`,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/scim+json',
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
  };
}

/** A fresh server and one provisioning client. */
export async function scimServer(opts: { clock?: Clock } = {}): Promise<{ s: TestServer; scim: ScimClient }> {
  const s = await testServer(opts.clock ? { clock: opts.clock } : {});
  return { s, scim: await scimClient(s) };
}

/** Asserts an RFC 7644 §3.12 error: status, `scimType` (when given), SCIM content type. */
export function expectScimError(res: LightMyRequestResponse, status: number, scimType?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = res.json<Json>();
  expect(body['schemas']).toEqual([ERROR_SCHEMA]);
  expect(body['status']).toBe(String(status));
  expect(typeof body['detail']).toBe('string');
  if (scimType === undefined) expect(body).not.toHaveProperty('scimType');
  else expect(body['scimType']).toBe(scimType);
}

/** Entra ID's documented user create (Microsoft's "Develop a SCIM endpoint" tutorial, request 1). */
export const entraUser = (userName: string, externalId = userName.split('@')[0]!): Json => ({
  schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId,
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: userName }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
});

/** Okta's documented user create (Okta's "SCIM 2.0 protocol reference", create user). */
export const oktaUser = (userName: string): Json => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'John', familyName: 'Smith' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'John Smith',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: undefined,
  active: true,
});
