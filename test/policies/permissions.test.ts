import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRolePolicies } from '../../src/app/policies/role-policies.js';
import { ForbiddenError } from '../../src/domain/shared/errors.js';
import { newId } from '../../src/domain/shared/ids.js';
import { systemClock } from '../../src/domain/time/clock.js';
import * as R from '../../src/domain/roles/built-in-roles.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { parseQueryOptions } from '../../src/odata/index.js';
import { rolePolicyFields } from '../../src/odata/collections.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { DOCUMENTED_RULE_UPDATES } from './fixtures.js';
import {
  ASSIGNMENTS,
  call,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  POLICIES,
  policyIdOf,
  q,
  SCOPE,
  storedPolicy,
  tenantHeaders,
  userWithRoles,
  type Headers,
} from './support.js';

const RULE = 'Expiration_Admin_Assignment';
const BODY = DOCUMENTED_RULE_UPDATES.Expiration_Admin_Assignment;

/** Audit entries of a tenant, decoded from the chain. */
async function auditEntries(s: TestServer, tenantId: string) {
  const records = await createUnitOfWork(s.db).run((tx) => tx.audit.chain(tenantId, 0, 10_000));
  return records.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

describe('who may read and change role settings', () => {
  let s: TestServer;
  let admin: Headers;
  let policyId: string;
  const requests = () => [
    { method: 'GET' as const, url: `${POLICIES}?$filter=${q(SCOPE)}` },
    { method: 'GET' as const, url: `${POLICIES}/${policyId}?$expand=rules` },
    { method: 'GET' as const, url: `${POLICIES}/${policyId}/rules` },
    { method: 'GET' as const, url: `${POLICIES}/${policyId}/rules/${RULE}` },
    { method: 'GET' as const, url: `${ASSIGNMENTS}?$filter=${q(SCOPE)}&$expand=policy($expand=rules)` },
    { method: 'GET' as const, url: `${ASSIGNMENTS}/${policyId}_${GLOBAL_ADMINISTRATOR}` },
  ];
  const writes = () => [
    { method: 'PATCH' as const, url: `${POLICIES}/${policyId}/rules/${RULE}`, body: BODY },
    { method: 'PATCH' as const, url: `${POLICIES}/${policyId}`, body: { rules: [BODY] } },
  ];

  beforeAll(async () => {
    s = await testServer();
    admin = await s.admin();
    policyId = await policyIdOf(s, admin, GLOBAL_ADMINISTRATOR);
  });
  afterAll(() => s.close());

  it('needs a token (401) for every endpoint', async () => {
    for (const r of [...requests(), ...writes()]) {
      const res = await call(s, r.method, r.url, {}, 'body' in r ? r.body : undefined);
      expectGraphError(res, 401, 'InvalidAuthenticationToken');
    }
  });

  it.each([
    [[], false, false],
    [['User.ReadWrite.All', 'Group.ReadWrite.All'], false, false],
    [['RoleManagementPolicy.Read.Directory'], true, false],
    [['RoleManagement.Read.Directory'], true, false],
    [['Directory.Read.All'], true, false],
    [['Directory.ReadWrite.All'], true, false],
    [['RoleManagementPolicy.ReadWrite.Directory'], true, true],
    [['RoleManagement.ReadWrite.Directory'], true, true],
  ])('an app with %j: read %s, write %s', async (permissions, read, write) => {
    const app = await s.appWith(permissions);
    const h = { authorization: app.authorization };
    for (const r of requests()) {
      const res = await call(s, r.method, r.url, h);
      if (read) expect(res.statusCode, `${r.url} ${res.body}`).toBe(200);
      else expectGraphError(res, 403, 'Authorization_RequestDenied');
    }
    const before = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    for (const r of writes()) {
      const res = await call(s, r.method, r.url, h, r.body);
      if (write) expect(res.statusCode, res.body).toBeLessThan(300);
      else expectGraphError(res, 403, 'Authorization_RequestDenied');
    }
    const after = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    if (write) {
      expect(after.version).toBe(before.version + 2);
      expect(after.lastModifiedBy).toStrictEqual({
        id: app.servicePrincipalId,
        displayName: expect.any(String),
      });
    } else {
      expect(after).toStrictEqual(before);
    }
  });

  it('audits each change, and each refused attempt, in the tenant log', async () => {
    const writer = await s.appWith(['RoleManagementPolicy.ReadWrite.Directory']);
    const reader = await s.appWith(['RoleManagementPolicy.Read.Directory']);
    const body = { '@odata.type': BODY['@odata.type'], isExpirationRequired: true, maximumDuration: 'P77D' };
    const ok = await call(
      s,
      'PATCH',
      `${POLICIES}/${policyId}/rules/${RULE}`,
      { authorization: writer.authorization },
      body,
    );
    expect(ok.statusCode, ok.body).toBe(204);
    const refused = await call(
      s,
      'PATCH',
      `${POLICIES}/${policyId}/rules/${RULE}`,
      { authorization: reader.authorization },
      body,
    );
    expectGraphError(refused, 403, 'Authorization_RequestDenied');

    const entries = (await auditEntries(s, s.boot.tenantId)).filter(
      (e) => e.activityDisplayName === 'Update role setting in PIM',
    );
    const mine = entries.filter((e) => {
      const app = (e.initiatedBy as { app: { servicePrincipalId: string } | null }).app;
      return (
        app?.servicePrincipalId === writer.servicePrincipalId ||
        app?.servicePrincipalId === reader.servicePrincipalId
      );
    });
    expect(mine).toHaveLength(2);
    const [success, failure] = mine;
    expect(success).toMatchObject({
      category: 'RoleManagement',
      loggedByService: 'Privileged Identity Management',
      operationType: 'Update',
      result: 'success',
      targetResources: [
        {
          id: policyId,
          type: 'Policy',
          modifiedProperties: [
            {
              displayName: RULE,
              oldValue: expect.stringContaining('"maximumDuration":"P90D"'),
              newValue: expect.stringContaining('"maximumDuration":"P77D"'),
            },
            { displayName: 'Included Updated Properties', oldValue: null, newValue: `"${RULE}"` },
          ],
        },
        { id: GLOBAL_ADMINISTRATOR, type: 'Role', displayName: 'Global Administrator' },
      ],
    });
    expect(failure).toMatchObject({ result: 'failure', activityDisplayName: 'Update role setting in PIM' });
  });

  it("answers 404 for another tenant's policy, and lists only the caller's own", async () => {
    const other = await s.otherTenant();
    const theirs = await tenantHeaders(s, other);
    const before = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    const entityRequests = requests().filter((r) => !r.url.includes('$filter'));
    for (const r of [...entityRequests, ...writes()]) {
      const res = await call(s, r.method, r.url, theirs, 'body' in r ? r.body : undefined);
      expectGraphError(res, 404, 'Request_ResourceNotFound');
    }
    expect(await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR)).toStrictEqual(before);
    const list = await call(s, 'GET', `${POLICIES}?$filter=${q(SCOPE)}`, theirs);
    expect(list.statusCode).toBe(200);
    for (const p of list.json().value) expect(p.id).toContain(`DirectoryRole_${other.tenantId}_`);
    const assignments = await call(s, 'GET', `${ASSIGNMENTS}?$filter=${q(SCOPE)}`, theirs);
    for (const a of assignments.json().value) expect(a.policyId).not.toBe(policyId);
  });

  describe('users, by their active directory roles', () => {
    const scopeQuery = () => parseQueryOptions({ $filter: SCOPE }, { fields: rolePolicyFields });
    const policies = () => makeRolePolicies({ uow: createUnitOfWork(s.db), clock: systemClock, newId });
    const patch = { '@odata.type': BODY['@odata.type'], maximumDuration: 'P33D' } as const;

    it.each([
      ['Global Administrator', R.GLOBAL_ADMINISTRATOR, true, true],
      ['Privileged Role Administrator', R.PRIVILEGED_ROLE_ADMINISTRATOR, true, true],
      ['Global Reader', R.GLOBAL_READER, true, false],
      ['Security Administrator', R.SECURITY_ADMINISTRATOR, true, false],
      ['Security Reader', R.SECURITY_READER, true, false],
      ['Directory Readers', R.DIRECTORY_READERS, false, false],
      ['User Administrator', R.USER_ADMINISTRATOR, false, false],
      ['no role', undefined, false, false],
    ])('%s: read %s, write %s', async (_name, role, read, write) => {
      const caller = await userWithRoles(s, s.boot.tenantId, role ? [role] : [], `Holder of ${_name}`);
      const p = policies();
      const reads = [
        () => p.list(caller, scopeQuery()),
        () => p.get(caller, policyId),
        () => p.getRule(caller, policyId, RULE),
        () => p.listAssignments(caller, scopeQuery()),
        () => p.getAssignment(caller, `${policyId}_${GLOBAL_ADMINISTRATOR}`),
      ];
      for (const r of reads) {
        if (read) await expect(r()).resolves.toBeDefined();
        else await expect(r()).rejects.toBeInstanceOf(ForbiddenError);
      }
      const update = p.updateRule(caller, policyId, RULE, patch);
      if (write) {
        await expect(update).resolves.toBeUndefined();
        const stored = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
        expect(stored.lastModifiedBy).toStrictEqual({ id: caller.id, displayName: `Holder of ${_name}` });
      } else {
        await expect(update).rejects.toBeInstanceOf(ForbiddenError);
      }
    });

    it('a role that is no longer held grants nothing', async () => {
      const caller = await userWithRoles(s, s.boot.tenantId, [R.PRIVILEGED_ROLE_ADMINISTRATOR]);
      await createUnitOfWork(s.db).run((tx) =>
        tx.roleAssignments.deleteForPrincipal(s.boot.tenantId, caller.id),
      );
      await expect(policies().updateRule(caller, policyId, RULE, patch)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });
});
