// A group's role settings (`scopeType: Group`) over Graph: the first read of an existing group's
// settings onboards it to PIM; they are read and changed with Graph's
// `RoleManagementPolicy.*.AzureADGroup` permissions, which give nothing over directory roles'
// settings; a role-assignable group's settings also need a role administrator. On SQLite and
// PostgreSQL (the project's dialect loop).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  adminAt,
  appAt,
  call,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  inTx,
  ManualClock,
  pimServer,
  type Headers,
} from '../pim/support.js';

const POLICIES = '/v1.0/policies/roleManagementPolicies';
const ASSIGNMENTS = '/v1.0/policies/roleManagementPolicyAssignments';
const EXPIRATION = '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule';
const filter = (scopeId: string, scopeType: string) =>
  `$filter=${encodeURIComponent(`scopeId eq '${scopeId}' and scopeType eq '${scopeType}'`)}`;

describe("a group's role settings", () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let groupId: string;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    const res = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'Backup operators',
      mailNickname: 'backup-operators',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    groupId = res.json<{ id: string }>().id;
  });
  afterEach(async () => s.close());

  const storedGroupPolicies = (id: string) =>
    inTx(s, async (tx) =>
      (
        await Promise.all(
          ['member', 'owner'].map((a) => tx.policies.forRole(s.boot.tenantId, 'Group', id, a)),
        )
      ).filter((p) => p !== undefined),
    );
  const list = async (h: Headers, id = groupId) => {
    const res = await call(s, 'GET', `${POLICIES}?${filter(id, 'Group')}`, h);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: { id: string; scopeId: string; scopeType: string }[] }>().value;
  };

  it('are created by the first read of an existing group’s settings, once; an unknown group has none', async () => {
    expect(await storedGroupPolicies(groupId)).toHaveLength(0);
    const first = await list(admin);
    expect(first.map((p) => p.id).sort()).toEqual([`Group_${groupId}_member`, `Group_${groupId}_owner`]);
    expect(first.every((p) => p.scopeId === groupId && p.scopeType === 'Group')).toBe(true);
    expect(await storedGroupPolicies(groupId)).toHaveLength(2);
    expect((await list(admin)).map((p) => p.id).sort()).toEqual(first.map((p) => p.id).sort());
    expect(await storedGroupPolicies(groupId)).toHaveLength(2);

    const assignments = await call(s, 'GET', `${ASSIGNMENTS}?${filter(groupId, 'Group')}`, admin);
    expect(assignments.statusCode, assignments.body).toBe(200);
    expect(assignments.json<{ value: unknown[] }>().value).toHaveLength(2);

    const unknown = '00000000-0000-4000-8000-00000000abcd';
    expect(await list(admin, unknown)).toEqual([]);
    expect(await storedGroupPolicies(unknown)).toHaveLength(0);
  });

  it("RoleManagementPolicy.ReadWrite.AzureADGroup changes a group's settings and nothing of directory roles'", async () => {
    const groupsApp = await appAt(s, clock, ['RoleManagementPolicy.ReadWrite.AzureADGroup']);
    const h = await groupsApp.headers();
    const memberPolicy = (await list(h)).find((p) => p.id.endsWith('_member'))!;
    const patch = await call(
      s,
      'PATCH',
      `${POLICIES}/${memberPolicy.id}/rules/Expiration_EndUser_Assignment`,
      h,
      {
        '@odata.type': EXPIRATION,
        isExpirationRequired: true,
        maximumDuration: 'PT4H',
      },
    );
    expect(patch.statusCode, patch.body).toBe(204);
    const rule = await call(
      s,
      'GET',
      `${POLICIES}/${memberPolicy.id}/rules/Expiration_EndUser_Assignment`,
      h,
    );
    expect(rule.json()).toMatchObject({ maximumDuration: 'PT4H' });

    // Directory roles' settings are another permission's business: 403, nothing read or changed.
    expectGraphError(await call(s, 'GET', `${POLICIES}?${filter('/', 'DirectoryRole')}`, h), 403);
    const directory = (await call(s, 'GET', `${POLICIES}?${filter('/', 'DirectoryRole')}`, admin)).json<{
      value: { id: string; rules?: unknown }[];
    }>().value;
    const gaPolicy = await inTx(s, (tx) =>
      tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', GLOBAL_ADMINISTRATOR),
    );
    expect(directory.some((p) => p.id === gaPolicy!.id)).toBe(true);
    const refused = await call(
      s,
      'PATCH',
      `${POLICIES}/${gaPolicy!.id}/rules/Expiration_EndUser_Assignment`,
      h,
      {
        '@odata.type': EXPIRATION,
        isExpirationRequired: true,
        maximumDuration: 'PT1H',
      },
    );
    expectGraphError(refused, 403, 'Authorization_RequestDenied');
    const after = await inTx(s, (tx) =>
      tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', GLOBAL_ADMINISTRATOR),
    );
    expect(after!.version).toBe(gaPolicy!.version);
  });

  it('reading needs RoleManagementPolicy.Read.AzureADGroup at least, and cannot change', async () => {
    const reader = await (await appAt(s, clock, ['RoleManagementPolicy.Read.AzureADGroup'])).headers();
    const memberPolicy = (await list(reader)).find((p) => p.id.endsWith('_member'))!;
    const before = await storedGroupPolicies(groupId);
    expectGraphError(
      await call(s, 'PATCH', `${POLICIES}/${memberPolicy.id}/rules/Expiration_EndUser_Assignment`, reader, {
        '@odata.type': EXPIRATION,
        isExpirationRequired: true,
        maximumDuration: 'PT2H',
      }),
      403,
      'Authorization_RequestDenied',
    );
    expect(await storedGroupPolicies(groupId)).toEqual(before);
    const nobody = await (await appAt(s, clock, ['User.Read.All'])).headers();
    expectGraphError(await call(s, 'GET', `${POLICIES}?${filter(groupId, 'Group')}`, nobody), 403);
    expectGraphError(await call(s, 'GET', `${POLICIES}/${memberPolicy.id}`, nobody), 403);
  });

  it("a role-assignable group's settings also need a role administrator", async () => {
    const roleGroup = await addGroup(s);
    const groupsApp = await (
      await appAt(s, clock, ['RoleManagementPolicy.ReadWrite.AzureADGroup'])
    ).headers();
    const memberPolicy = (await list(groupsApp, roleGroup)).find((p) => p.id.endsWith('_member'))!;
    const before = await storedGroupPolicies(roleGroup);
    const body = { '@odata.type': EXPIRATION, isExpirationRequired: true, maximumDuration: 'PT2H' };
    const url = `${POLICIES}/${memberPolicy.id}/rules/Expiration_EndUser_Assignment`;
    expectGraphError(await call(s, 'PATCH', url, groupsApp, body), 403, 'Authorization_RequestDenied');
    expect(await storedGroupPolicies(roleGroup)).toEqual(before);
    // The bootstrap application is a role administrator (RoleManagement.ReadWrite.Directory).
    expect((await call(s, 'PATCH', url, admin, body)).statusCode).toBe(204);
  });
});
