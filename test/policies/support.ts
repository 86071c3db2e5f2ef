import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import type { RoleManagementPolicy } from '../../src/app/ports.js';
import { newId } from '../../src/domain/shared/ids.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const POLICIES = '/v1.0/policies/roleManagementPolicies';
export const ASSIGNMENTS = '/v1.0/policies/roleManagementPolicyAssignments';
export const SCOPE = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

export type Headers = Record<string, string>;

/** `@odata.context` as Elevate writes it for a fragment. */
export const ctx = (fragment: string) => `${PUBLIC_URL}/v1.0/$metadata#${fragment}`;

export const q = (text: string) => encodeURI(text).replaceAll("'", '%27');

export async function call(
  s: Pick<TestServer, 'app'>,
  method: 'GET' | 'PATCH',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  if (payload === undefined) return s.app.inject({ method, url, headers });
  return s.app.inject({
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
}

/** Asserts a Graph error envelope with this status (and code, if given). */
export function expectGraphError(res: LightMyRequestResponse, status: number, code?: string): void {
  expect(res.statusCode, res.body.slice(0, 400)).toBe(status);
  const body = res.json();
  expect(body).toStrictEqual({
    error: {
      code: code ?? expect.any(String),
      message: expect.any(String),
      ...(body.error?.target === undefined ? {} : { target: expect.any(String) }),
      ...(body.error?.details === undefined ? {} : { details: expect.any(Array) }),
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': res.headers['request-id'],
        'client-request-id': res.headers['request-id'],
      },
    },
  });
}

/** The stored policy of a role (straight from the store, for "nothing changed" checks). */
export async function storedPolicy(
  s: TestServer,
  tenantId: string,
  roleDefinitionId: string,
): Promise<RoleManagementPolicy> {
  const p = await createUnitOfWork(s.db).run((tx) =>
    tx.policies.forRole(tenantId, 'DirectoryRole', '/', roleDefinitionId),
  );
  if (!p) throw new Error(`no policy for role ${roleDefinitionId}`);
  return p;
}

/** A user of the tenant, optionally holding directory roles directly (active now). */
export async function userWithRoles(
  s: TestServer,
  tenantId: string,
  roles: string[] = [],
  displayName = 'Policy Tester',
): Promise<Caller> {
  const id = newId();
  const now = Date.now();
  await createUnitOfWork(s.db).run(async (tx) => {
    await tx.users.insert({
      id,
      tenantId,
      displayName,
      userPrincipalName: `u${id.slice(0, 8)}@contoso.test`,
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: true,
      passwordHash: null,
      passwordMustChange: false,
      createdAt: now,
      modifiedAt: now,
      version: 1,
    });
    for (const roleDefinitionId of roles) {
      await tx.roleAssignments.insert({
        id: newId(),
        tenantId,
        principalId: id,
        principalType: 'user',
        roleDefinitionId,
        directoryScopeId: '/',
        appScopeId: null,
        createdAt: now,
        createdBy: null,
      });
    }
  });
  return {
    kind: 'user',
    tenantId,
    id,
    appId: null,
    appPermissions: [],
    amr: ['pwd', 'mfa'],
    authTimeMs: null,
    ipAddress: null,
    userAgent: null,
    correlationId: null,
  };
}

/** A group of the tenant (a possible approver). */
export async function group(s: TestServer, tenantId: string): Promise<string> {
  const id = newId();
  const now = Date.now();
  await createUnitOfWork(s.db).run((tx) =>
    tx.groups.insert({
      id,
      tenantId,
      displayName: 'Approvers',
      description: null,
      mailNickname: `g${id.slice(0, 8)}`,
      mailEnabled: false,
      securityEnabled: true,
      isAssignableToRole: false,
      createdAt: now,
      modifiedAt: now,
      version: 1,
    }),
  );
  return id;
}

/** An app token of another tenant (from that tenant's own token endpoint). */
export async function tenantHeaders(
  s: TestServer,
  tenant: { tenantId: string; app: { clientId: string; clientSecret: string } },
): Promise<Headers> {
  const res = await s.app.inject({
    method: 'POST',
    url: `/${tenant.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: tenant.app.clientId,
      client_secret: tenant.app.clientSecret,
      scope: `${PUBLIC_URL}/.default`,
    }).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json<{ access_token: string }>().access_token}` };
}

/** The policy id of a role, read over the API (policy assignment filtered by role). */
export async function policyIdOf(s: TestServer, headers: Headers, roleDefinitionId: string): Promise<string> {
  const res = await call(
    s,
    'GET',
    `${ASSIGNMENTS}?$filter=${q(`${SCOPE} and roleDefinitionId eq '${roleDefinitionId}'`)}`,
    headers,
  );
  expect(res.statusCode, res.body).toBe(200);
  const [first] = res.json<{ value: { policyId: string }[] }>().value;
  if (!first) throw new Error(`no policy assignment for ${roleDefinitionId}`);
  return first.policyId;
}
