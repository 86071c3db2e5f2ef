// Resource role definitions (ADR 0029) over HTTP on SQLite and PostgreSQL: Azure's built-ins by
// their Azure ids, custom roles in Azure RBAC's shape, invalid wildcards refused with nothing
// written, built-ins immutable, a granted custom role not deletable, and a custom role's
// actions/notActions honoured by AuthZEN.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { actionMatches, checkActionPattern } from '../../src/domain/resources/action-pattern.js';
import {
  addUser,
  adminAt,
  appAt,
  call,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  useCases,
  userCaller,
  type Headers,
  type ManualClock,
} from '../pim/support.js';
import { CONTRIBUTOR, OWNER, READER, register, ROLES, send, USER_ACCESS_ADMINISTRATOR } from './support.js';

describe('resource role definitions', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  const rows = async () =>
    (await s.db.kysely.selectFrom('resource_role_definitions').select('id').execute()).length;

  it("reads Azure's four built-ins by their ids, with Azure's permissions", async () => {
    const owner = await send(s, 'GET', `${ROLES}/${OWNER}`, admin);
    expect(owner.statusCode, owner.body).toBe(200);
    expect(owner.json()).toMatchObject({
      roleName: 'Owner',
      roleType: 'BuiltInRole',
      permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: ['/'],
    });
    const contributor = (await send(s, 'GET', `${ROLES}/${CONTRIBUTOR}`, admin)).json();
    expect(contributor.permissions[0].notActions).toContain('Microsoft.Authorization/*/Write');
    expect((await send(s, 'GET', `${ROLES}/${READER}`, admin)).json().permissions[0].actions).toEqual([
      '*/read',
    ]);
    expect(
      (await send(s, 'GET', `${ROLES}/${USER_ACCESS_ADMINISTRATOR}`, admin)).json().permissions[0].actions,
    ).toEqual(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*']);
    const changed = await send(s, 'PUT', `${ROLES}/${OWNER}`, admin, {
      roleName: 'Mine',
      permissions: [{ actions: ['*'] }],
      assignableScopes: ['/'],
    });
    expect(changed.statusCode, changed.body).toBe(400);
    expect(changed.json().error.code).toBe('BuiltInRoleCannotBeChanged');
  });

  it.each([
    'Microsoft.Comp*',
    'Microsoft.Compute//read',
    'Microsoft.Compute/',
    '**',
    'Microsoft Compute/read',
    '',
  ])('refuses the action pattern %j with 400, nothing written', async (pattern) => {
    const res = await send(s, 'POST', ROLES, admin, {
      roleName: 'Bad',
      permissions: [{ actions: ['*/read'], notActions: [pattern] }],
      assignableScopes: ['/'],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(await rows()).toBe(0);
  });

  it('the domain check refuses the same patterns with InvalidActionPattern, and matches case-insensitively across segments', () => {
    expect(() => checkActionPattern('Microsoft.Comp*')).toThrow(
      expect.objectContaining({ code: 'InvalidActionPattern' }),
    );
    expect(checkActionPattern('Microsoft.Authorization/*/Write')).toBe('Microsoft.Authorization/*/Write');
    expect(
      actionMatches('Microsoft.Authorization/*/Write', 'microsoft.authorization/roleAssignments/write'),
    ).toBe(true);
    expect(actionMatches('*/read', 'Microsoft.Compute/virtualMachines/read')).toBe(true);
    expect(actionMatches('*/read', 'Microsoft.Compute/virtualMachines/readers/write')).toBe(false);
    expect(
      actionMatches('Microsoft.Compute/virtualMachines/*', 'Microsoft.Compute/virtualMachinesX/read'),
    ).toBe(false);
  });

  it('a custom role grants its actions minus notActions at its assignable scopes only; granted, it cannot be deleted', async () => {
    await register(s, admin, '/prod', '/prod/db', '/test');
    const created = await send(s, 'POST', ROLES, admin, {
      roleName: 'DB operator',
      description: 'Restarts databases',
      permissions: [{ actions: ['Elevate.Db/*'], notActions: ['Elevate.Db/servers/delete'] }],
      assignableScopes: ['/prod'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const role = created.json<{ id: string }>();
    const adminId = await addUser(s, [PRIVILEGED_ROLE_ADMINISTRATOR]);
    const userId = await addUser(s);
    const { requests } = useCases(s, clock);
    const assign = (scope: string) =>
      requests.create(userCaller(s, adminId), {
        kind: 'assignment',
        resourceType: 'resourceRole',
        action: 'adminAssign',
        principalId: userId,
        roleDefinitionId: role.id,
        directoryScopeId: scope,
        justification: 'db on call',
        ticketInfo: null,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT8H' },
        },
        isValidationOnly: false,
        customData: null,
      });
    await expect(assign('/test')).rejects.toMatchObject({ code: 'RoleDefinitionNotAssignableAtScope' });
    await expect(assign('/prod')).resolves.toMatchObject({ status: 'Provisioned' });
    const pdp = await appAt(s, clock, ['Elevate.AccessEvaluation']);
    const ask = async (action: string, id: string) =>
      (
        await call(s, 'POST', '/access/v1/evaluations', await pdp.headers(), {
          subject: { type: 'user', id: userId },
          evaluations: [{ action: { name: action }, resource: { type: 'resource', id } }],
        })
      ).json<{ evaluations: { decision: boolean }[] }>().evaluations[0]!.decision;
    expect(await ask('Elevate.Db/servers/restart/action', '/prod/db')).toBe(true);
    expect(await ask('Elevate.Db/servers/delete', '/prod/db')).toBe(false);
    expect(await ask('Elevate.Db/servers/restart/action', '/test')).toBe(false);

    const deleted = await send(s, 'DELETE', `${ROLES}/${role.id}`, admin);
    expect(deleted.statusCode, deleted.body).toBe(400);
    expect(deleted.json().error.code).toBe('RoleDefinitionHasAssignments');
    expect(await rows()).toBe(1);
  });
});
