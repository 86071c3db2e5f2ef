// `GET /groups/{id}/transitiveMembers` and `GET /users/{id}/memberOf` (Graph v1.0): through
// nested groups (a cycle of groups ends), with active PIM for Groups members exactly while their
// membership holds [start, end), on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  call,
  ctx,
  expectGraphError,
  HOUR,
  ManualClock,
  NOW,
  pimServer,
  rowCounts,
  type Headers,
} from '../pim/support.js';

const PIM = '/v1.0/identityGovernance/privilegedAccess/group';

describe('group memberships: transitiveMembers and memberOf', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  const group = async (name: string) => {
    const res = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: name,
      mailNickname: name.toLowerCase(),
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const nest = async (groupId: string, memberId: string) => {
    const res = await call(s, 'POST', `/v1.0/groups/${groupId}/members/$ref`, admin, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${memberId}`,
    });
    expect(res.statusCode, res.body).toBe(204);
  };
  const ids = async (url: string) => {
    const res = await call(s, 'GET', url, await adminAt(s, clock));
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ value: { id: string }[] }>()
      .value.map((v) => v.id)
      .sort();
  };

  it('lists members through nested groups, each once, and ends a cycle of groups', async () => {
    const outer = await group('Outer');
    const inner = await group('Inner');
    const [ann, bob] = [await addUser(s), await addUser(s)];
    await nest(outer, inner);
    await nest(inner, ann);
    await nest(outer, ann);
    await nest(inner, bob);
    await nest(inner, outer); // a cycle: outer ⊃ inner ⊃ outer

    expect(await ids(`/v1.0/groups/${outer}/transitiveMembers`)).toEqual([inner, ann, bob].sort());
    expect(await ids(`/v1.0/groups/${inner}/transitiveMembers`)).toEqual([outer, ann, bob].sort());
    // members lists only direct ones.
    expect(await ids(`/v1.0/groups/${outer}/members`)).toEqual([inner, ann].sort());

    const res = await call(s, 'GET', `/v1.0/groups/${outer}/transitiveMembers?$top=2`, admin);
    const page = res.json<{
      '@odata.context': string;
      value: { '@odata.type': string }[];
      '@odata.nextLink'?: string;
    }>();
    expect(page['@odata.context']).toBe(ctx('directoryObjects'));
    expect(page.value).toHaveLength(2);
    expect(page['@odata.nextLink']).toBeDefined();

    const memberOf = await call(s, 'GET', `/v1.0/users/${ann}/memberOf`, admin);
    expect(memberOf.statusCode, memberOf.body).toBe(200);
    const groups = memberOf.json<{ value: { '@odata.type': string; id: string; displayName: string }[] }>()
      .value;
    expect(groups.map((g) => g.id).sort()).toEqual([outer, inner].sort());
    expect(groups.every((g) => g['@odata.type'] === '#microsoft.graph.group')).toBe(true);
    const filtered = await ids(
      `/v1.0/users/${ann}/memberOf?$filter=${encodeURIComponent("displayName eq 'Inner'")}`,
    );
    expect(filtered).toEqual([inner]);
  });

  it('an active PIM member is listed from the start of the membership until the millisecond before its end', async () => {
    const outer = await group('Outer');
    const team = await group('Team');
    await nest(outer, team);
    const carol = await addUser(s);
    const start = NOW + HOUR;
    const res = await call(s, 'POST', `${PIM}/assignmentScheduleRequests`, admin, {
      action: 'adminAssign',
      accessId: 'member',
      principalId: carol,
      groupId: team,
      justification: 'on call this afternoon',
      scheduleInfo: {
        startDateTime: new Date(start).toISOString(),
        expiration: { type: 'afterDuration', duration: 'PT2H' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);

    const seen = async () => ({
      team: await ids(`/v1.0/groups/${team}/transitiveMembers`),
      outer: await ids(`/v1.0/groups/${outer}/transitiveMembers`),
      memberOf: await ids(`/v1.0/users/${carol}/memberOf`),
    });
    clock.set(start - 1);
    expect(await seen()).toEqual({ team: [], outer: [team], memberOf: [] });
    clock.set(start);
    expect(await seen()).toEqual({ team: [carol], outer: [carol, team].sort(), memberOf: [team] });
    clock.set(start + 2 * HOUR - 1);
    expect((await seen()).memberOf).toEqual([team]);
    clock.set(start + 2 * HOUR);
    expect(await seen()).toEqual({ team: [], outer: [team], memberOf: [] });
  });

  it('unknown ids, malformed ids and a bad $filter get 4xx in the Graph envelope and change nothing', async () => {
    const before = await rowCounts(s);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectGraphError(await call(s, 'GET', `/v1.0/groups/${unknown}/transitiveMembers`, admin), 404);
    expectGraphError(await call(s, 'GET', `/v1.0/users/${unknown}/memberOf`, admin), 404);
    expectGraphError(await call(s, 'GET', `/v1.0/users/nobody@example.com/memberOf`, admin), 404);
    expectGraphError(await call(s, 'GET', `/v1.0/groups/not-a-guid/transitiveMembers`, admin), 400);
    expectGraphError(
      await call(
        s,
        'GET',
        `/v1.0/users/${unknown}/memberOf?$filter=${encodeURIComponent('nope eq 1')}`,
        admin,
      ),
      400,
    );
    expect(await rowCounts(s)).toEqual(before);
  });
});
