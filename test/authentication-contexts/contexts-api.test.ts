// Authentication contexts over HTTP (Graph's authenticationContextClassReference plus Elevate's
// `elevateRequirement`): the built-in c1, create/update/replace/delete, refusals that change nothing,
// and role settings that may only name a defined context.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  AUDIT_TABLES,
  call,
  ctx,
  dbSnapshot,
  expectGraphError,
  type Headers,
} from '../http/support/graph.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';

const PATH = '/v1.0/identity/conditionalAccess/authenticationContextClassReferences';
const GA = '62e90394-69f5-4237-9190-012177145e10';
const CONTEXT_RULE = 'AuthenticationContext_EndUser_Assignment';

let s: TestServer;
let admin: Headers;

beforeAll(async () => {
  s = await testServer();
  admin = await s.admin();
});
afterAll(() => s.close());

const policyIdOf = async (roleId: string) => {
  const p = await createUnitOfWork(s.db).run((tx) =>
    tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', roleId),
  );
  if (!p) throw new Error('no policy');
  return p.id;
};

describe('authentication contexts', () => {
  it('every tenant has the built-in phishing-resistant c1', async () => {
    const list = await call(s, 'GET', PATH, admin);
    expect(list.statusCode, list.body).toBe(200);
    const c1 = {
      id: 'c1',
      displayName: 'Phishing-resistant MFA',
      description: 'A passkey or FIDO2 security key with user verification, within the last 10 minutes.',
      isAvailable: true,
      elevateRequirement: {
        authenticationStrength: 'phishingResistant',
        maxAgeMinutes: 10,
        externalAcrValues: [],
      },
    };
    expect(list.json()).toEqual({
      '@odata.context': ctx('identity/conditionalAccess/authenticationContextClassReferences'),
      value: [c1],
    });
    const one = await call(s, 'GET', `${PATH}/c1`, admin);
    expect(one.json()).toEqual({
      '@odata.context': ctx('identity/conditionalAccess/authenticationContextClassReferences/$entity'),
      ...c1,
    });
    // A second tenant gets its own.
    const other = await s.otherTenant();
    const theirs = await createUnitOfWork(s.db).run((tx) => tx.authenticationContexts.list(other.tenantId));
    expect(theirs.map((c) => [c.tenantId, c.id])).toEqual([[other.tenantId, 'c1']]);
  });

  it('PATCH creates (201) then changes (204); PUT replaces; DELETE removes; each is audited', async () => {
    const created = await call(s, 'PATCH', `${PATH}/c7`, admin, {
      displayName: 'Fresh MFA',
      elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 5 },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      '@odata.context': ctx('identity/conditionalAccess/authenticationContextClassReferences/$entity'),
      id: 'c7',
      displayName: 'Fresh MFA',
      description: null,
      isAvailable: true,
      elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 5, externalAcrValues: [] },
    });
    const changed = await call(s, 'PATCH', `${PATH}/c7`, admin, {
      description: 'ten minutes',
      isAvailable: false,
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await call(s, 'GET', `${PATH}/c7`, admin)).json()).toMatchObject({
      displayName: 'Fresh MFA',
      description: 'ten minutes',
      isAvailable: false,
      elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 5 },
    });
    const replaced = await call(s, 'PUT', `${PATH}/c7`, admin, {
      id: 'c7',
      displayName: 'Okta step-up',
      elevateRequirement: {
        authenticationStrength: 'passwordAndTotp',
        externalAcrValues: ['urn:okta:loa:2fa:any'],
      },
    });
    expect(replaced.statusCode, replaced.body).toBe(204);
    expect((await call(s, 'GET', `${PATH}/c7`, admin)).json()).toMatchObject({
      displayName: 'Okta step-up',
      description: null,
      isAvailable: true,
      elevateRequirement: {
        authenticationStrength: 'passwordAndTotp',
        maxAgeMinutes: null,
        externalAcrValues: ['urn:okta:loa:2fa:any'],
      },
    });
    const list = await call(s, 'GET', PATH, admin);
    expect(list.json<{ value: { id: string }[] }>().value.map((c) => c.id)).toEqual(['c1', 'c7']);
    expect((await call(s, 'DELETE', `${PATH}/c7`, admin)).statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `${PATH}/c7`, admin), 404, 'Request_ResourceNotFound');

    const activities = (
      await createUnitOfWork(s.db).run((tx) => tx.audit.chain(s.boot.tenantId, 0, 10_000))
    ).map((r) => (JSON.parse(r.payload) as { activityDisplayName: string }).activityDisplayName);
    expect(activities.filter((a) => a.endsWith('authentication context'))).toEqual([
      'Add authentication context',
      'Update authentication context',
      'Update authentication context',
      'Delete authentication context',
    ]);
  });

  it.each([
    [
      'c100 (out of range)',
      'PATCH',
      'c100',
      { displayName: 'x', elevateRequirement: { authenticationStrength: 'mfa' } },
      'id',
    ],
    ['c0', 'PATCH', 'c0', { displayName: 'x', elevateRequirement: { authenticationStrength: 'mfa' } }, 'id'],
    [
      'c01 (leading zero)',
      'PUT',
      'c01',
      { displayName: 'x', elevateRequirement: { authenticationStrength: 'mfa' } },
      'id',
    ],
    ['a new context bound to no requirement', 'PATCH', 'c9', { displayName: 'x' }, 'elevateRequirement'],
    ['a replaced context bound to no requirement', 'PUT', 'c1', { displayName: 'x' }, 'elevateRequirement'],
    [
      'a new context without a name',
      'PATCH',
      'c9',
      { elevateRequirement: { authenticationStrength: 'mfa' } },
      'displayName',
    ],
    [
      'an unknown strength',
      'PATCH',
      'c9',
      { displayName: 'x', elevateRequirement: { authenticationStrength: 'sms' } },
      undefined,
    ],
    ['a wrong type', 'PATCH', 'c1', { isAvailable: 'yes' }, undefined],
    [
      'a fractional age',
      'PATCH',
      'c1',
      { elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 1.5 } },
      undefined,
    ],
    [
      'an age over a day',
      'PATCH',
      'c1',
      { elevateRequirement: { authenticationStrength: 'mfa', maxAgeMinutes: 1441 } },
      undefined,
    ],
    ['a huge display name', 'PATCH', 'c1', { displayName: 'x'.repeat(257) }, undefined],
    ['a huge description', 'PATCH', 'c1', { description: 'x'.repeat(1025) }, undefined],
    [
      'too many external values',
      'PATCH',
      'c1',
      {
        elevateRequirement: {
          authenticationStrength: 'mfa',
          externalAcrValues: Array.from({ length: 21 }, (_, i) => `v${i}`),
        },
      },
      undefined,
    ],
    ['an unknown property', 'PATCH', 'c1', { displayName: 'x', claims: 'y' }, undefined],
    ['another id in the body', 'PATCH', 'c1', { id: 'c2' }, 'id'],
    ['another @odata.type', 'PATCH', 'c1', { '@odata.type': '#microsoft.graph.user' }, undefined],
  ] as const)('400 for %s, nothing changed', async (_name, method, id, body, target) => {
    const before = await dbSnapshot(s);
    const res = await call(s, method, `${PATH}/${id}`, admin, body);
    expect(res.statusCode, res.body).toBe(400);
    const error = res.json<{ error: { code: string; target?: string } }>().error;
    expect(error.code).toBe('invalidRequest');
    if (target !== undefined) expect(error.target).toBe(target);
    expect(await dbSnapshot(s)).toStrictEqual(before);
  });

  it('GET and DELETE refuse ids out of range with 400 and unknown ones with 404', async () => {
    expectGraphError(await call(s, 'GET', `${PATH}/c100`, admin), 400, 'invalidRequest', /c1 to c99/, {
      target: 'id',
    });
    expectGraphError(await call(s, 'GET', `${PATH}/c42`, admin), 404, 'Request_ResourceNotFound');
    expectGraphError(await call(s, 'DELETE', `${PATH}/c42`, admin), 404, 'Request_ResourceNotFound');
    expectGraphError(await call(s, 'DELETE', `${PATH}/x1`, admin), 400, 'invalidRequest', /c1 to c99/, {
      target: 'id',
    });
  });

  it('403 for an application without a policy permission, nothing changed but the audit of the refusal', async () => {
    const { authorization } = await s.appWith(['RoleManagement.ReadWrite.Directory']);
    const before = await dbSnapshot(s, AUDIT_TABLES);
    expectGraphError(await call(s, 'GET', PATH, { authorization }), 403, 'Authorization_RequestDenied');
    const res = await call(s, 'PATCH', `${PATH}/c1`, { authorization }, { isAvailable: false });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
    const reader = await s.appWith(['AuthenticationContext.Read.All']);
    expect((await call(s, 'GET', PATH, reader)).statusCode).toBe(200);
    expectGraphError(await call(s, 'DELETE', `${PATH}/c1`, reader), 403, 'Authorization_RequestDenied');
  });

  it('a role setting may name only a defined context: c1 is accepted, an unknown one is 400 and changes nothing', async () => {
    const policyId = await policyIdOf(GA);
    const url = `/v1.0/policies/roleManagementPolicies/${policyId}/rules/${CONTEXT_RULE}`;
    const rule = (claimValue: string) => ({
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
      isEnabled: true,
      claimValue,
    });
    const before = await dbSnapshot(s);
    const unknown = await call(s, 'PATCH', url, admin, rule('c55'));
    expectGraphError(unknown, 400, 'invalidRequest', /names no authentication context/, {
      target: 'claimValue',
    });
    expect(await dbSnapshot(s)).toStrictEqual(before);
    expectGraphError(await call(s, 'PATCH', url, admin, rule('c100')), 400, 'invalidRequest', /c1 to c99/, {
      target: 'claimValue',
    });
    expect(await dbSnapshot(s)).toStrictEqual(before);

    const on = await call(s, 'PATCH', url, admin, rule('c1'));
    expect(on.statusCode, on.body).toBe(204);
    const read = await call(s, 'GET', url, admin);
    expect(read.json()).toMatchObject({ isEnabled: true, claimValue: 'c1' });
    const off = await call(s, 'PATCH', url, admin, { ...rule('c1'), isEnabled: false });
    expect(off.statusCode).toBe(204);
  });
});
