// The `groups` claim of tokens Elevate issues: the groups held at issuance, through nested groups
// and active PIM memberships (a membership that starts later or has ended is absent), for users
// and applications; over 200 groups Entra's overage convention names the endpoint that lists them,
// and that endpoint answers with every id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_GROUPS_IN_TOKEN } from '../../src/identity/provider/provider-configuration.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { signedInUser } from '../pim/approval-support.js';
import {
  addGroup,
  adminAt,
  appAt,
  call,
  expectGraphError,
  HOUR,
  inTx,
  ManualClock,
  NOW,
  pimServer,
  type Headers,
} from '../pim/support.js';

const PIM = '/v1.0/identityGovernance/privilegedAccess/group';

const claimsOf = (headers: Headers): Record<string, unknown> => {
  const token = (headers.authorization ?? '').replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
};

describe('the groups claim', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  const nest = async (groupId: string, memberId: string) => {
    const res = await call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, admin, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${memberId}`,
    });
    expect(res.statusCode, res.body).toBe(204);
  };
  const plainGroup = async (name: string) => {
    const res = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: name,
      mailNickname: name.toLowerCase(),
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };

  it('carries standing, nested and active PIM groups, exactly while a PIM membership holds', async () => {
    const workload = await appAt(s, clock);
    const outer = await plainGroup('Outer');
    const team = await plainGroup('Team');
    const oncall = await addGroup(s);
    await nest(outer, team);
    await nest(team, workload.servicePrincipalId);
    expect(claimsOf(await workload.headers()).groups).toEqual([outer, team].sort());

    const start = NOW + HOUR;
    const res = await call(s, 'POST', `${PIM}/assignmentScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: workload.servicePrincipalId,
      groupId: oncall,
      justification: 'on call',
      scheduleInfo: {
        startDateTime: new Date(start).toISOString(),
        expiration: { type: 'afterDuration', duration: 'PT1H' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    clock.set(start - 1);
    expect(claimsOf(await workload.headers()).groups).toEqual([outer, team].sort());
    clock.set(start);
    expect(claimsOf(await workload.headers()).groups).toEqual([outer, team, oncall].sort());
    clock.set(start + HOUR);
    expect(claimsOf(await workload.headers()).groups).toEqual([outer, team].sort());
  });

  it('a user token carries the user’s groups; no groups, no claim', async () => {
    const user = await signedInUser(s, clock);
    expect(claimsOf(await user.headers())).not.toHaveProperty('groups');
    const team = await plainGroup('Team');
    await nest(team, user.id);
    const claims = claimsOf(await user.headers());
    expect(claims.groups).toEqual([team]);
    expect(claims).not.toHaveProperty('_claim_names');
  });

  it(`over ${MAX_GROUPS_IN_TOKEN} groups: the overage names getMemberObjects, which lists them all`, async () => {
    const workload = await appAt(s, clock);
    const ids: string[] = [];
    await inTx(s, async (tx) => {
      for (let i = 0; i <= MAX_GROUPS_IN_TOKEN; i += 1) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        await tx.groups.insert({
          id,
          tenantId: s.boot.tenantId,
          displayName: `group ${i}`,
          description: null,
          mailNickname: `group-${i}`,
          mailEnabled: false,
          securityEnabled: i % 2 === 0,
          isAssignableToRole: false,
          createdAt: 0,
          modifiedAt: 0,
          version: 1,
        });
        await tx.groups.addMember(
          s.boot.tenantId,
          { groupId: id, memberId: workload.servicePrincipalId, memberType: 'servicePrincipal' },
          0,
        );
        ids.push(id);
      }
    });
    const headers = await workload.headers();
    const claims = claimsOf(headers);
    expect(claims).not.toHaveProperty('groups');
    expect(claims._claim_names).toEqual({ groups: 'src1' });
    const endpoint = (claims._claim_sources as { src1: { endpoint: string } }).src1.endpoint;
    expect(endpoint).toBe(
      `${PUBLIC_URL}/v1.0/directoryObjects/${workload.servicePrincipalId}/getMemberObjects`,
    );

    // The principal follows the endpoint with its own token.
    const path = new URL(endpoint).pathname;
    const all = await call(s, 'POST', path, headers, { securityEnabledOnly: false });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json<{ value: string[] }>().value).toEqual(ids);
    const security = await call(s, 'POST', path, headers, { securityEnabledOnly: true });
    expect(security.json<{ value: string[] }>().value).toEqual(ids.filter((_, i) => i % 2 === 0));

    // Another principal without directory read permissions may not ask; bad input is 4xx.
    const other = await appAt(s, clock);
    expectGraphError(await call(s, 'POST', path, await other.headers(), { securityEnabledOnly: false }), 403);
    expectGraphError(await call(s, 'POST', path, headers, { securityEnabledOnly: 'yes' }), 400);
    expectGraphError(
      await call(
        s,
        'POST',
        `/v1.0/directoryObjects/00000000-0000-4000-8000-ffffffffffff/getMemberObjects`,
        admin,
        {
          securityEnabledOnly: false,
        },
      ),
      404,
    );
  });
});
