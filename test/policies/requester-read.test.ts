// A requester reads the settings of what they may activate (the portal's Activate dialog shows the
// maximum duration and the ticket fields up front); everything else stays refused as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/domain/time/clock.js';
import type { TestServer } from '../helpers/server.js';
import { makeEligible, signedInUser, type TestUser } from '../pim/approval-support.js';
import {
  adminAt,
  addGroup,
  call as post,
  DAY,
  ELIGIBILITY_REQUESTS,
  GLOBAL_ADMINISTRATOR,
  pimServer,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import {
  ASSIGNMENTS,
  call,
  expectGraphError,
  POLICIES,
  policyIdOf,
  q,
  SCOPE,
  storedPolicy,
} from './support.js';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const GROUP_ASSIGNMENTS = (groupId: string, accessId: string) =>
  `${ASSIGNMENTS}?$filter=${q(`scopeId eq '${groupId}' and scopeType eq 'Group' and roleDefinitionId eq '${accessId}'`)}&$expand=policy($expand=rules)`;
const forRole = (role: string) =>
  `${ASSIGNMENTS}?$filter=${q(`${SCOPE} and roleDefinitionId eq '${role}'`)}&$expand=policy($expand=rules)`;

interface AssignmentJson {
  policyId: string;
  roleDefinitionId: string;
  policy?: { rules: { id: string; maximumDuration?: string }[] };
}

describe('a requester reads the settings of the roles they may activate', () => {
  let s: TestServer;
  let clock: ManualClock;
  let eligible: TestUser;
  let stranger: TestUser;
  let policyA: string;
  let policyB: string;

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    eligible = await signedInUser(s, clock);
    stranger = await signedInUser(s, clock);
    await makeEligible(s, clock, eligible.id, USER_ADMINISTRATOR);
    const admin = await adminAt(s, clock);
    policyA = await policyIdOf(s, admin, USER_ADMINISTRATOR);
    policyB = await policyIdOf(s, admin, GLOBAL_ADMINISTRATOR);
  });
  afterAll(() => s.close());

  it("answers the role's policy assignment with its rules, as Graph's filter asks", async () => {
    const res = await call(s, 'GET', forRole(USER_ADMINISTRATOR), await eligible.headers());
    expect(res.statusCode, res.body).toBe(200);
    const [only, ...rest] = res.json<{ value: AssignmentJson[] }>().value;
    expect(rest).toStrictEqual([]);
    expect(only).toMatchObject({ policyId: policyA, roleDefinitionId: USER_ADMINISTRATOR });
    expect(only?.policy?.rules.find((r) => r.id === 'Expiration_EndUser_Assignment')).toMatchObject({
      maximumDuration: 'PT8H',
    });
    expect(only?.policy?.rules).toHaveLength(17);
  });

  it('lists only those roles of the whole scope, and nothing of another role', async () => {
    const h = await eligible.headers();
    const all = await call(s, 'GET', `${ASSIGNMENTS}?$filter=${q(SCOPE)}`, h);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json<{ value: AssignmentJson[] }>().value.map((a) => a.roleDefinitionId)).toStrictEqual([
      USER_ADMINISTRATOR,
    ]);
    const policies = await call(s, 'GET', `${POLICIES}?$filter=${q(SCOPE)}`, h);
    expect(policies.statusCode, policies.body).toBe(200);
    expect(policies.json<{ value: { id: string }[] }>().value.map((p) => p.id)).toStrictEqual([policyA]);
    const other = await call(s, 'GET', forRole(GLOBAL_ADMINISTRATOR), h);
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json<{ value: unknown[] }>().value).toStrictEqual([]);
  });

  it('reads the policy, its rules and its assignment by id; 403 for another role, as without eligibility', async () => {
    const h = await eligible.headers();
    for (const url of [
      `${POLICIES}/${policyA}?$expand=rules`,
      `${POLICIES}/${policyA}/rules`,
      `${POLICIES}/${policyA}/rules/Enablement_EndUser_Assignment`,
      `${ASSIGNMENTS}/${policyA}_${USER_ADMINISTRATOR}`,
    ]) {
      const res = await call(s, 'GET', url, h);
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
    }
    for (const url of [
      `${POLICIES}/${policyB}?$expand=rules`,
      `${POLICIES}/${policyB}/rules/Enablement_EndUser_Assignment`,
      `${ASSIGNMENTS}/${policyB}_${GLOBAL_ADMINISTRATOR}`,
    ]) {
      expectGraphError(await call(s, 'GET', url, h), 403, 'Authorization_RequestDenied');
    }
  });

  it('may not change them (403, nothing changed)', async () => {
    const before = await storedPolicy(s, s.boot.tenantId, USER_ADMINISTRATOR);
    const res = await call(
      s,
      'PATCH',
      `${POLICIES}/${policyA}/rules/Expiration_EndUser_Assignment`,
      await eligible.headers(),
      {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
        maximumDuration: 'PT24H',
      },
    );
    expectGraphError(res, 403, 'Authorization_RequestDenied');
    expect(await storedPolicy(s, s.boot.tenantId, USER_ADMINISTRATOR)).toStrictEqual(before);
  });

  it('someone eligible for nothing is refused (403) as before', async () => {
    const h = await stranger.headers();
    expectGraphError(
      await call(s, 'GET', forRole(USER_ADMINISTRATOR), h),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(await call(s, 'GET', `${ASSIGNMENTS}/${policyA}_${USER_ADMINISTRATOR}`, h), 403);
  });

  it('counts an eligibility through a group the user is a member of, and only while it lasts', async () => {
    const member = await signedInUser(s, clock);
    const groupId = await addGroup(s, [member.id]);
    const admin = await adminAt(s, clock);
    const made = await post(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'helpdesk rota',
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: groupId,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P2D' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const res = await call(s, 'GET', forRole(HELPDESK_ADMINISTRATOR), await member.headers());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ value: AssignmentJson[] }>().value.map((a) => a.roleDefinitionId)).toStrictEqual([
      HELPDESK_ADMINISTRATOR,
    ]);

    clock.advance(3 * DAY);
    expectGraphError(
      await call(s, 'GET', forRole(HELPDESK_ADMINISTRATOR), await member.headers()),
      403,
      'Authorization_RequestDenied',
    );
  });

  it("reads a group's settings for the access they are eligible for in it (PIM for Groups)", async () => {
    const member = await signedInUser(s, clock);
    const groupId = await addGroup(s);
    const admin = await adminAt(s, clock);
    const made = await post(
      s,
      'POST',
      '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        accessId: 'member',
        principalId: member.id,
        groupId,
        justification: 'on call for the group',
        scheduleInfo: { startDateTime: null, expiration: { type: 'noExpiration' } },
      },
    );
    expect(made.statusCode, made.body).toBe(201);
    const h = await member.headers();
    const res = await call(s, 'GET', GROUP_ASSIGNMENTS(groupId, 'member'), h);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ value: AssignmentJson[] }>().value.map((a) => a.roleDefinitionId)).toStrictEqual([
      'member',
    ]);
    const owner = await call(s, 'GET', GROUP_ASSIGNMENTS(groupId, 'owner'), h);
    expect(owner.statusCode, owner.body).toBe(200);
    expect(owner.json<{ value: unknown[] }>().value).toStrictEqual([]);
    expectGraphError(
      await call(s, 'GET', GROUP_ASSIGNMENTS(await addGroup(s), 'member'), h),
      403,
      'Authorization_RequestDenied',
    );
  });
});
