// Membership means access: an active PIM member of a role-assignable group holds the group's
// directory roles exactly while the membership holds ([start, end), DESIGN.md invariant 1), in
// AuthZEN and in Elevate's own authorization, and is listed among the group's members meanwhile,
// on SQLite and PostgreSQL.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { roleAssignmentId } from '../../src/domain/roles/assignment-id.js';
import { ForbiddenError } from '../../src/domain/shared/errors.js';
import { findRule } from '../../src/domain/policy/types.js';
import {
  addGroup,
  addUser,
  adminAt,
  appAt,
  call,
  HOUR,
  inTx,
  ManualClock,
  newId,
  NOW,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  USER_ADMINISTRATOR,
  useCases,
  userCaller,
  type TestApp,
} from './support.js';

const GROUP_PIM = '/v1.0/identityGovernance/privilegedAccess/group';

/** Gives the group a standing directory role (it is role-assignable). */
async function groupHolds(s: TestServer, groupId: string, roleId: string) {
  await inTx(s, (tx) =>
    tx.roleAssignments.insert({
      id: roleAssignmentId(roleId, groupId, '/', newId),
      tenantId: s.boot.tenantId,
      principalId: groupId,
      principalType: 'group',
      roleDefinitionId: roleId,
      directoryScopeId: '/',
      appScopeId: null,
      createdAt: 0,
      createdBy: null,
    }),
  );
}

describe('PIM for Groups: membership means access', () => {
  let s: TestServer;
  let clock: ManualClock;
  let groupId: string;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    groupId = await addGroup(s);
  });
  afterEach(async () => s.close());

  it("an activated member holds the group's role (AuthZEN, token wids, members) until end - 1 ms, not at end", async () => {
    await groupHolds(s, groupId, USER_ADMINISTRATOR);
    const workload: TestApp = await appAt(s, clock);
    const pdp = await appAt(s, clock, ['Elevate.AccessEvaluation']);
    const admin = await adminAt(s, clock);
    const eligible = await call(s, 'POST', `${GROUP_PIM}/eligibilityScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'may join',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    await inTx(s, async (tx) => {
      const policy = (await tx.policies.forRole(s.boot.tenantId, 'Group', groupId, 'member'))!;
      const rules = structuredClone(policy.rules);
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      await tx.policies.update({ ...policy, rules }, policy.version);
    });
    const question = {
      subject: { type: 'servicePrincipal', id: workload.servicePrincipalId },
      action: { name: 'hold' },
      resource: { type: 'role', id: USER_ADMINISTRATOR, properties: { directoryScopeId: '/' } },
    };
    const ask = async () =>
      (await call(s, 'POST', '/access/v1/evaluation', await pdp.headers(), question)).json<{
        decision: boolean;
      }>();

    // `wids` of a token the workload gets now (client credentials, minted at the manual clock).
    const wids = async () =>
      decodeJwt((await workload.headers()).authorization!.replace(/^Bearer /, '')).wids;

    // Eligible only: no role.
    expect((await ask()).decision).toBe(false);
    expect(await wids()).toEqual([]);

    const activated = await call(
      s,
      'POST',
      `${GROUP_PIM}/assignmentScheduleRequests`,
      await workload.headers(),
      {
        action: 'selfActivate',
        accessId: 'member',
        principalId: workload.servicePrincipalId,
        groupId,
        justification: 'nightly job',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );
    expect(activated.statusCode, activated.body).toBe(201);
    expect(await ask()).toMatchObject({ decision: true });
    const members = async () => {
      const res = await call(s, 'GET', `/v1.0/groups/${groupId}/members`, await adminAt(s, clock));
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ value: { id: string }[] }>().value.map((m) => m.id);
    };
    expect(await members()).toEqual([workload.servicePrincipalId]);
    expect(await wids()).toEqual([USER_ADMINISTRATOR]);
    clock.set(NOW + HOUR - 1);
    expect((await ask()).decision).toBe(true);
    expect(await members()).toEqual([workload.servicePrincipalId]);
    expect(await wids()).toEqual([USER_ADMINISTRATOR]);
    clock.set(NOW + HOUR);
    expect(await ask()).toEqual({ decision: false, context: { reason: 'not_active' } });
    expect(await members()).toEqual([]);
    expect(await wids()).toEqual([]);
  });

  it("Elevate's own authorization: an assigned PIM member of a group holding Privileged Role Administrator may administer PIM until the membership ends", async () => {
    await groupHolds(s, groupId, PRIVILEGED_ROLE_ADMINISTRATOR);
    const operator = await addUser(s);
    const target = await addUser(s);
    const admin = await adminAt(s, clock);
    const member = await call(s, 'POST', `${GROUP_PIM}/assignmentScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: operator,
      groupId,
      justification: 'on call tonight',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(member.statusCode, member.body).toBe(201);
    // Group PIM permissions alone do not reach a role-assignable group: it confers roles.
    const groupsOnly = await appAt(s, clock, ['PrivilegedAccess.ReadWrite.AzureADGroup']);
    const refused = await call(
      s,
      'POST',
      `${GROUP_PIM}/assignmentScheduleRequests`,
      await groupsOnly.headers(),
      {
        action: 'adminAssign',
        accessId: 'member',
        principalId: target,
        groupId,
        justification: 'escalation attempt',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );
    expect(refused.statusCode, refused.body).toBe(403);

    const { requests } = useCases(s, clock);
    const assign = () =>
      requests.create(userCaller(s, operator), {
        kind: 'eligibility',
        action: 'adminAssign',
        principalId: target,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'delegated',
        ticketInfo: null,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'P1D' },
        },
        isValidationOnly: true,
        customData: null,
      });
    await expect(assign()).resolves.toMatchObject({ status: 'Provisioned' });
    clock.set(NOW + HOUR - 1);
    await expect(assign()).resolves.toMatchObject({ status: 'Provisioned' });
    clock.set(NOW + HOUR);
    await expect(assign()).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("an active member may activate the group's role eligibility (memberType Group); not once the membership ended", async () => {
    const workload = await appAt(s, clock);
    const admin = await adminAt(s, clock);
    const roleEligibility = await call(
      s,
      'POST',
      '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: groupId,
        justification: 'the group may administer users',
        scheduleInfo: { expiration: { type: 'noExpiration' } },
      },
    );
    expect(roleEligibility.statusCode, roleEligibility.body).toBe(201);
    await inTx(s, async (tx) => {
      const policy = (await tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', USER_ADMINISTRATOR))!;
      const rules = structuredClone(policy.rules);
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      await tx.policies.update({ ...policy, rules }, policy.version);
    });
    const membership = await call(s, 'POST', `${GROUP_PIM}/assignmentScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId,
      justification: 'joins for an hour',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(membership.statusCode, membership.body).toBe(201);
    const activate = async () =>
      call(
        s,
        'POST',
        '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
        await workload.headers(),
        {
          action: 'selfActivate',
          principalId: workload.servicePrincipalId,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'through the group',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT10M' } },
        },
      );
    const activated = await activate();
    expect(activated.statusCode, activated.body).toBe(201);
    const instances = await call(
      s,
      'GET',
      "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')",
      await workload.headers(),
    );
    expect(instances.json<{ value: { memberType: string }[] }>().value).toEqual([
      expect.objectContaining({ memberType: 'Group', assignmentType: 'Activated' }),
    ]);

    // Once the membership has ended, the group's eligibility is no longer the workload's.
    clock.set(NOW + HOUR);
    const late = await activate();
    expect(late.statusCode, late.body).toBe(400);
    expect(late.json<{ error: { code: string } }>().error.code).toBe(
      'RoleAssignmentRequestPolicyValidationFailed',
    );
  });
});
