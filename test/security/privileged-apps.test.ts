// Regression tests for the security finding "privileged applications are not protected": an
// application administrator (app or user) could add a secret to the bootstrap application, or
// raise an application's permissions, and so obtain RoleManagement.ReadWrite.Directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUD_APPLICATION_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
} from '../../src/domain/roles/built-in-role-ids.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from '../identity/support/sign-in.js';
import { call } from '../http/support/graph.js';

type Headers = Record<string, string>;
const SP = '/v1.0/servicePrincipals';

describe('privileged applications', () => {
  let s: TestServer;
  let admin: Headers;
  let bootstrapSp: string;
  beforeAll(async () => {
    s = await testServer();
    admin = await s.admin();
    bootstrapSp = s.boot.app.servicePrincipalId;
  });
  afterAll(() => s.close());

  /** A signed-in user holding `role` through a time-bound PIM assignment, active now. */
  async function userWith(...roles: string[]): Promise<Headers> {
    const user = await addPasswordUser(s);
    for (const role of roles) {
      const res = await call(
        s,
        'POST',
        '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
        admin,
        {
          action: 'adminAssign',
          principalId: user.id,
          roleDefinitionId: role,
          directoryScopeId: '/',
          justification: 'test',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P1D' } },
        },
      );
      expect(res.statusCode, res.body).toBe(201);
    }
    const tokens = await signIn(s, user);
    return { authorization: `Bearer ${tokens.access_token}` };
  }

  async function deniedEntries(activity: string) {
    const res = await call(
      s,
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}' and result eq 'failure'`,
      admin,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ value: unknown[] }>().value;
  }

  it('an app with only Application.ReadWrite.All cannot add a secret to, or change, the bootstrap app', async () => {
    const app = await s.appWith(['Application.ReadWrite.All']);
    const h = { authorization: app.authorization };
    const before = (await deniedEntries('Add service principal credentials')).length;
    const pw = await call(s, 'POST', `${SP}/${bootstrapSp}/addPassword`, h, {});
    expect(pw.statusCode, pw.body).toBe(403);
    expect((await deniedEntries('Add service principal credentials')).length).toBe(before + 1);
    const patch = await call(s, 'PATCH', `${SP}/${bootstrapSp}`, h, { appPermissions: [] });
    expect(patch.statusCode, patch.body).toBe(403);
    const disable = await call(s, 'PATCH', `${SP}/${bootstrapSp}`, h, { accountEnabled: false });
    expect(disable.statusCode, disable.body).toBe(403);
    const del = await call(s, 'DELETE', `${SP}/${bootstrapSp}`, h);
    expect(del.statusCode, del.body).toBe(403);
    // An ordinary application stays manageable.
    const plain = await call(s, 'POST', SP, admin, { displayName: 'plain' });
    const ok = await call(s, 'POST', `${SP}/${plain.json<{ id: string }>().id}/addPassword`, h, {});
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('an app cannot raise its own permissions, nor grant a privileged one without RoleManagement.ReadWrite.Directory', async () => {
    const app = await s.appWith([
      'Application.ReadWrite.All',
      'AppRoleAssignment.ReadWrite.All',
      'User.Read.All',
    ]);
    const h = { authorization: app.authorization };
    const own = await call(s, 'PATCH', `${SP}/${app.servicePrincipalId}`, h, {
      appPermissions: [
        'Application.ReadWrite.All',
        'AppRoleAssignment.ReadWrite.All',
        'User.Read.All',
        'RoleManagement.ReadWrite.Directory',
      ],
    });
    expect(own.statusCode, own.body).toBe(403);
    const other = await call(s, 'POST', SP, admin, { displayName: 'target' });
    const grant = await call(s, 'PATCH', `${SP}/${other.json<{ id: string }>().id}`, h, {
      appPermissions: ['Application.ReadWrite.All'],
    });
    expect(grant.statusCode, grant.body).toBe(403);
    // A non-privileged permission it holds may still be granted.
    const read = await call(s, 'PATCH', `${SP}/${other.json<{ id: string }>().id}`, h, {
      appPermissions: ['User.Read.All'],
    });
    expect(read.statusCode, read.body).toBe(204);
  });

  it('a Cloud Application Administrator is refused on the bootstrap app; an active Privileged Role Administrator (who also administers apps) is allowed', async () => {
    const cloud = await userWith(CLOUD_APPLICATION_ADMINISTRATOR);
    const pw = await call(s, 'POST', `${SP}/${bootstrapSp}/addPassword`, cloud, {});
    expect(pw.statusCode, pw.body).toBe(403);
    const patch = await call(s, 'PATCH', `${SP}/${bootstrapSp}`, cloud, { accountEnabled: false });
    expect(patch.statusCode, patch.body).toBe(403);

    // In addition to application administration, as for privileged users.
    const pra = await userWith(CLOUD_APPLICATION_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR);
    const ok = await call(s, 'POST', `${SP}/${bootstrapSp}/addPassword`, pra, {});
    expect(ok.statusCode, ok.body).toBe(200);
    const keyId = ok.json<{ keyId: string }>().keyId;
    const removed = await call(s, 'POST', `${SP}/${bootstrapSp}/removePassword`, pra, { keyId });
    expect(removed.statusCode, removed.body).toBe(204);
  });
});
