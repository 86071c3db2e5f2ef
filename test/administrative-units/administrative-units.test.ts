// Administrative units over HTTP (ADR 0042) on SQLite and PostgreSQL: Graph's CRUD and `members`
// `$ref`; PIM requests and role assignments at `/administrativeUnits/{id}` (which must exist);
// a role held at a unit reaches its members only, in AuthZEN and in Elevate's own user updates;
// bad input is a Graph 4xx that changes nothing; a unit in use is not deleted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from '../identity/support/sign-in.js';
import {
  adminAt,
  ASSIGNMENT_REQUESTS,
  call,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  HOUR,
  pimServer,
  rowCounts,
  USER_ADMINISTRATOR,
  type Headers,
  type ManualClock,
} from '../pim/support.js';

const UNITS = '/v1.0/directory/administrativeUnits';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const PASSWORD_UPDATE = 'microsoft.directory/users/password/update';
const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe('administrative units', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
  });
  afterEach(async () => s.close());

  const createUnit = async (displayName = 'Paris') => {
    const res = await call(s, 'POST', UNITS, admin, { displayName, description: 'Paris office' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const createUser = async () => {
    const res = await call(s, 'POST', '/v1.0/users', admin, {
      accountEnabled: true,
      displayName: 'Member',
      userPrincipalName: `m${Math.random().toString(36).slice(2, 10)}@contoso.test`,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const addMember = async (unitId: string, memberId: string) => {
    const res = await call(s, 'POST', `${UNITS}/${unitId}/members/$ref`, admin, ref(memberId));
    expect(res.statusCode, res.body).toBe(204);
  };
  /** A direct role assignment at a scope, over Graph. */
  const assign = async (principalId: string, roleDefinitionId: string, directoryScopeId: string) =>
    call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
      principalId,
      roleDefinitionId,
      directoryScopeId,
    });
  const signedIn = async (user: { id: string; upn: string }): Promise<Headers> => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      return { authorization: `Bearer ${(await signIn(s, user)).access_token}` };
    } finally {
      vi.useRealTimers();
    }
  };

  it("creates, reads, lists with $filter/$count, updates and deletes a unit in Graph's shape", async () => {
    const id = await createUnit();
    const got = await call(s, 'GET', `${UNITS}/${id.toUpperCase()}`, admin);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toEqual({
      '@odata.context': expect.stringMatching(
        /\/v1\.0\/\$metadata#directory\/administrativeUnits\/\$entity$/,
      ),
      id,
      deletedDateTime: null,
      displayName: 'Paris',
      description: 'Paris office',
      visibility: null,
      isMemberManagementRestricted: false,
      membershipType: 'Assigned',
      membershipRule: null,
      membershipRuleProcessingState: null,
    });
    await createUnit('Lyon');
    const listed = await call(
      s,
      'GET',
      `${UNITS}?$filter=${encodeURIComponent("startsWith(displayName,'Par')")}&$count=true`,
      admin,
    );
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ '@odata.count': 1, value: [{ id, displayName: 'Paris' }] });
    const patched = await call(s, 'PATCH', `${UNITS}/${id}`, admin, {
      displayName: 'Paris HQ',
      visibility: 'HiddenMembership',
    });
    expect(patched.statusCode, patched.body).toBe(204);
    expect((await call(s, 'GET', `${UNITS}/${id}`, admin)).json()).toMatchObject({
      displayName: 'Paris HQ',
      visibility: 'HiddenMembership',
      description: 'Paris office',
    });
    expect((await call(s, 'DELETE', `${UNITS}/${id}`, admin)).statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `${UNITS}/${id}`, admin), 404, 'Request_ResourceNotFound');
  });

  it('adds users and groups as members ($ref), lists and removes them; service principals and unknown objects are refused', async () => {
    const unitId = await createUnit();
    const user = await createUser();
    const group = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'G',
      mailNickname: 'g',
      mailEnabled: false,
      securityEnabled: true,
    });
    const groupId = group.json<{ id: string }>().id;
    await addMember(unitId, user);
    await addMember(unitId, groupId);
    const members = await call(s, 'GET', `${UNITS}/${unitId}/members?$count=true`, admin);
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json<{ value: unknown[] }>().value).toEqual(
      expect.arrayContaining([
        { '@odata.type': '#microsoft.graph.user', id: user },
        { '@odata.type': '#microsoft.graph.group', id: groupId },
      ]),
    );
    expect(members.json()).toMatchObject({ '@odata.count': 2 });
    const before = await rowCounts(s);
    const members2 = async () =>
      (await s.db.kysely.selectFrom('administrative_unit_members').selectAll().execute()).length;
    const n = await members2();
    // Already a member, a service principal, an object that does not exist, a unit that does not.
    expectGraphError(
      await call(s, 'POST', `${UNITS}/${unitId}/members/$ref`, admin, ref(user)),
      400,
      'Request_BadRequest',
    );
    const sp = (await call(s, 'GET', '/v1.0/servicePrincipals', admin)).json<{ value: { id: string }[] }>()
      .value[0]!.id;
    expectGraphError(
      await call(s, 'POST', `${UNITS}/${unitId}/members/$ref`, admin, ref(sp)),
      400,
      'Request_BadRequest',
    );
    expectGraphError(
      await call(s, 'POST', `${UNITS}/${unitId}/members/$ref`, admin, ref(UNKNOWN)),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await call(s, 'POST', `${UNITS}/${UNKNOWN}/members/$ref`, admin, ref(user)),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await call(s, 'POST', `${UNITS}/${unitId}/members/$ref`, admin, { '@odata.id': 'not a reference' }),
      400,
      'invalidRequest',
    );
    expectGraphError(await call(s, 'POST', UNITS, admin, { displayName: '  ' }), 400, 'invalidRequest');
    expectGraphError(
      await call(s, 'POST', UNITS, admin, { displayName: 'X', membershipType: 'Dynamic' }),
      400,
      'invalidRequest',
    );
    expectGraphError(await call(s, 'GET', `${UNITS}/not-a-guid`, admin), 400, 'invalidRequest');
    expect(await members2()).toBe(n);
    expect(await rowCounts(s)).toEqual(before);
    expect((await call(s, 'DELETE', `${UNITS}/${unitId}/members/${user}/$ref`, admin)).statusCode).toBe(204);
    expectGraphError(
      await call(s, 'DELETE', `${UNITS}/${unitId}/members/${user}/$ref`, admin),
      404,
      'Request_ResourceNotFound',
    );
    // Deleting the group takes its membership with it.
    expect((await call(s, 'DELETE', `/v1.0/groups/${groupId}`, admin)).statusCode).toBe(204);
    expect((await call(s, 'GET', `${UNITS}/${unitId}/members`, admin)).json()).toMatchObject({ value: [] });
  });

  it('PIM requests and role assignments at a unit need the unit to exist (400, nothing written); a unit in use is not deleted', async () => {
    const unitId = await createUnit();
    const user = await createUser();
    const before = await rowCounts(s);
    const request = (scope: string) => ({
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: scope,
      justification: 'scoped',
      scheduleInfo: {
        startDateTime: new Date(clock.now()).toISOString(),
        expiration: { type: 'afterDuration', duration: 'PT1H' },
      },
    });
    for (const url of [ASSIGNMENT_REQUESTS, ELIGIBILITY_REQUESTS]) {
      expectGraphError(
        await call(s, 'POST', url, admin, request(`/administrativeUnits/${UNKNOWN}`)),
        400,
        'Request_BadRequest',
        /administrative unit .* does not exist/,
      );
      expectGraphError(
        await call(s, 'POST', url, admin, request('/administrativeUnits/nope')),
        400,
        'invalidRequest',
      );
    }
    expectGraphError(
      await assign(user, USER_ADMINISTRATOR, `/administrativeUnits/${UNKNOWN}`),
      400,
      'Request_BadRequest',
    );
    expect(await rowCounts(s)).toEqual(before);

    const granted = await call(
      s,
      'POST',
      ELIGIBILITY_REQUESTS,
      admin,
      request(`/administrativeUnits/${unitId.toUpperCase()}`),
    );
    expect(granted.statusCode, granted.body).toBe(201);
    expect(granted.json()).toMatchObject({ directoryScopeId: `/administrativeUnits/${unitId}` });
    expectGraphError(
      await call(s, 'DELETE', `${UNITS}/${unitId}`, admin),
      400,
      'Request_BadRequest',
      /remove them first/,
    );
    expect((await call(s, 'GET', `${UNITS}/${unitId}`, admin)).statusCode).toBe(200);
    // Once the eligibility has ended, the unit can go.
    clock.advance(HOUR);
    expect((await call(s, 'DELETE', `${UNITS}/${unitId}`, await adminAt(s, clock))).statusCode).toBe(204);
  });

  it("a User Administrator at a unit manages the unit's users only, and AuthZEN answers the same, to the millisecond", async () => {
    const unitId = await createUnit();
    const inside = await createUser();
    const outside = await createUser();
    await addMember(unitId, inside);
    const scopedAdmin = await addPasswordUser(s);
    // A time-bound PIM assignment of User Administrator at the unit.
    const start = clock.now();
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      principalId: scopedAdmin.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: `/administrativeUnits/${unitId}`,
      justification: 'Paris helpdesk',
      scheduleInfo: {
        startDateTime: new Date(start).toISOString(),
        expiration: { type: 'afterDuration', duration: 'PT1H' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);

    const headers = await signedIn(scopedAdmin);
    expect((await call(s, 'PATCH', `/v1.0/users/${inside}`, headers, { jobTitle: 'Paris' })).statusCode).toBe(
      204,
    );
    expectGraphError(
      await call(s, 'PATCH', `/v1.0/users/${outside}`, headers, { jobTitle: 'x' }),
      403,
      'Authorization_RequestDenied',
    );
    // Not tenant-wide: creating users, or reading the directory's administration, stays refused.
    expectGraphError(
      await call(s, 'POST', '/v1.0/users', headers, {
        accountEnabled: true,
        displayName: 'N',
        userPrincipalName: 'n@contoso.test',
      }),
      403,
      'Authorization_RequestDenied',
    );

    const evaluate = async (resource: { type: string; id: string }, at: number) => {
      clock.set(at);
      // The bootstrap application holds Elevate.AccessEvaluation; a token minted at the new time.
      const r = await call(s, 'POST', '/access/v1/evaluation', await adminAt(s, clock), {
        subject: { type: 'user', id: scopedAdmin.id },
        action: { name: PASSWORD_UPDATE },
        resource,
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json<{ decision: boolean; context: Record<string, unknown> }>();
    };
    const end = start + HOUR;
    expect(await evaluate({ type: 'user', id: inside }, end - 1)).toMatchObject({
      decision: true,
      context: {
        roleDefinitionId: USER_ADMINISTRATOR,
        scopeId: `/administrativeUnits/${unitId}`,
        assignmentType: 'Assigned',
      },
    });
    expect(await evaluate({ type: 'user', id: outside }, end - 1)).toMatchObject({
      decision: false,
      context: { reason: 'not_active' },
    });
    expect(await evaluate({ type: 'directory', id: '/' }, end - 1)).toMatchObject({ decision: false });
    expect(await evaluate({ type: 'user', id: inside }, end)).toMatchObject({
      decision: false,
      context: { reason: 'not_active' },
    });
    expect(await evaluate({ type: 'user', id: 'not-a-guid' }, start)).toMatchObject({
      decision: false,
      context: { reason: 'subject_or_resource_unknown' },
    });
    // Leaving the unit ends the reach at once.
    clock.set(start + 1);
    const later = await adminAt(s, clock);
    expect((await call(s, 'DELETE', `${UNITS}/${unitId}/members/${inside}/$ref`, later)).statusCode).toBe(
      204,
    );
    expect(await evaluate({ type: 'user', id: inside }, start + 2)).toMatchObject({ decision: false });
  });
});
