// Deprovisioning through SCIM ends the user's PIM schedules at once (eligible and active, every
// resource type): AuthZEN and the `wids` of the next token stop granting in the same instant.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeActiveRoleTemplates } from '../../src/app/authorization/active-role-templates.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  call,
  ELIGIBILITY_REQUESTS,
  HOUR,
  ManualClock,
  pimServer,
  setActivationRules,
  USER_ADMINISTRATOR,
  useCases,
  userCaller,
  type TestApp,
} from '../pim/support.js';
import { expectScimError, PATCH_OP, scimClient, USER_SCHEMA, type Json, type ScimClient } from './support.js';

const GROUPS = '/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests';

describe('deprovisioning a SCIM user ends their PIM schedules at once', () => {
  let s: TestServer;
  let clock: ManualClock;
  let scim: ScimClient;
  let pdp: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    scim = await scimClient(s, 'Entra ID', await adminAt(s, clock));
    pdp = await appAt(s, clock, ['Elevate.AccessEvaluation']);
  });
  afterEach(() => s.close());

  /** A provisioned user eligible for User Administrator (privileged) and for a group, with the role activated for 8 h. */
  async function eligibleAndActive(): Promise<string> {
    const created = await scim.call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: `leaver-${clock.now()}@contoso.test`,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<Json>()['id'] as string;
    const admin = await adminAt(s, clock);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'on call',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    const group = await call(s, 'POST', '/v1.0/groups', admin, {
      displayName: 'Ops',
      mailNickname: 'ops',
      mailEnabled: false,
      securityEnabled: true,
    });
    const groupEligible = await call(s, 'POST', GROUPS, admin, {
      action: 'adminAssign',
      accessId: 'member',
      groupId: group.json<Json>()['id'],
      principalId: id,
      justification: 'on call',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(groupEligible.statusCode, groupEligible.body).toBe(201);
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    await useCases(s, clock).requests.create(userCaller(s, id), {
      kind: 'assignment',
      action: 'selfActivate',
      principalId: id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'incident',
      ticketInfo: null,
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT8H' },
      },
      isValidationOnly: false,
      customData: null,
    });
    // The activation was written beside the server (users have no token here): its index reloads.
    // The deprovisioning below goes through the server, whose commits keep the index current.
    await s.holdings.reload();
    expect(await holds(id)).toBe(true);
    expect(await wids(id)).toEqual([USER_ADMINISTRATOR]);
    return id;
  }

  const holds = async (id: string): Promise<boolean> => {
    const res = await call(s, 'POST', '/access/v1/evaluation', await pdp.headers(), {
      subject: { type: 'user', id },
      action: { name: 'hold' },
      resource: { type: 'role', id: USER_ADMINISTRATOR, properties: { directoryScopeId: '/' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ decision: boolean }>().decision;
  };
  const wids = (id: string) =>
    makeActiveRoleTemplates({ uow: createUnitOfWork(s.db) }).templateIdsAt(s.boot.tenantId, id, clock.now());
  /** The user's schedules that still hold or will (end after now, or never). */
  const openSchedules = async (id: string) =>
    (
      await s.db.kysely
        .selectFrom('pim_schedules')
        .select(['kind', 'resource_type', 'end_at', 'status'])
        .where('principal_id', '=', id)
        .execute()
    ).filter((r) => r.end_at === null || Number(r.end_at) > clock.now());

  it('Entra\'s PATCH active "False" ends the activation and both eligibilities, even for a privileged role', async () => {
    const id = await eligibleAndActive();
    expect(await openSchedules(id)).toHaveLength(3);
    clock.advance(HOUR);
    const res = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await openSchedules(id)).toEqual([]);
    const ended = await s.db.kysely
      .selectFrom('pim_schedules')
      .select(['end_at', 'status'])
      .where('principal_id', '=', id)
      .execute();
    expect(ended.map((r) => [Number(r.end_at), r.status])).toEqual(Array(3).fill([clock.now(), 'Revoked']));
    expect(await holds(id)).toBe(false);
    expect(await wids(id)).toEqual([]);
    // Re-enabling does not bring the role back.
    const back = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(await holds(id)).toBe(false);
    const audit = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['activity_display_name', 'payload'])
      .where('activity_display_name', '=', 'Update user')
      .execute();
    expect(audit.some((a) => String(a.payload).includes('EndedPimSchedules'))).toBe(true);
  });

  it('DELETE ends them too', async () => {
    const id = await eligibleAndActive();
    const res = await scim.call('DELETE', `/Users/${id}`);
    expect(res.statusCode, res.body).toBe(204);
    expect(await openSchedules(id)).toEqual([]);
    expect(await holds(id)).toBe(false);
    expect(await wids(id)).toEqual([]);
  });

  it('refuses any other change to a user who holds a privileged role (403), changing nothing', async () => {
    const id = await eligibleAndActive();
    const res = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'userName', value: 'someone.else@contoso.test' }],
    });
    expectScimError(res, 403);
    expect(await holds(id)).toBe(true);
    const user = await scim.call('GET', `/Users/${id}`);
    expect(user.json<Json>()['userName']).toMatch(/^leaver-/);
  });
});
