// Resource roles on a scope hierarchy (ADR 0029), on SQLite and PostgreSQL: an eligibility at
// /subscriptions/s1 backs an activation at /subscriptions/s1/resourceGroups/rg1; AuthZEN allows the
// role's actions there and below, refuses them above or beside (also /subscriptions/s10, which
// shares a text prefix), subtracts notActions, names the granting instance; removing the resource
// or the eligibility ends access at once (manual clock, no sleeps).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import type { CreateScheduleRequest } from '../../src/app/pim/gather.js';
import {
  addGroup,
  addUser,
  adminAt,
  appAt,
  auditOf,
  call,
  HOUR,
  NOW,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  useCases,
  userCaller,
  type Headers,
  type ManualClock,
  type TestApp,
} from '../pim/support.js';
import { CONTRIBUTOR, OWNER, READER, register, scopeUrl, send } from './support.js';

const S1 = '/subscriptions/s1';
const RG1 = `${S1}/resourceGroups/rg1`;
const VM1 = `${RG1}/providers/Microsoft.Compute/virtualMachines/vm1`;
const START_VM = 'Microsoft.Compute/virtualMachines/start/action';
const WRITE_ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments/write';

const request = (over: Partial<CreateScheduleRequest>): CreateScheduleRequest => ({
  kind: 'eligibility',
  resourceType: 'resourceRole',
  action: 'adminAssign',
  principalId: '',
  roleDefinitionId: CONTRIBUTOR,
  directoryScopeId: S1,
  justification: 'on call',
  ticketInfo: null,
  scheduleInfo: {
    startDateTime: null,
    expiration: { type: 'noExpiration', endDateTime: null, duration: null },
  },
  isValidationOnly: false,
  customData: null,
  ...over,
});

describe('resource roles: inheritance down the scope hierarchy', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let pdp: TestApp;
  let adminId: string;
  let userId: string;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    pdp = await appAt(s, clock, ['Elevate.AccessEvaluation']);
    adminId = await addUser(s, [PRIVILEGED_ROLE_ADMINISTRATOR], 'Role Admin');
    userId = await addUser(s, [], 'Operator');
    await register(
      s,
      admin,
      '/subscriptions',
      S1,
      `${S1}/resourceGroups`,
      RG1,
      `${RG1}/providers`,
      `${RG1}/providers/Microsoft.Compute`,
      `${RG1}/providers/Microsoft.Compute/virtualMachines`,
      VM1,
      `${S1}/resourceGroups/rg2`,
      '/subscriptions/s10',
    );
  });
  afterEach(async () => s.close());

  const ask = async (action: string, resourceId: string, subject = userId) => {
    const res = await call(s, 'POST', '/access/v1/evaluation', await pdp.headers(), {
      subject: { type: 'user', id: subject },
      action: { name: action },
      resource: { type: 'resource', id: resourceId },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ decision: boolean; context: Record<string, unknown> }>();
  };

  const activate = (scope: string, duration = 'PT1H') =>
    useCases(s, clock).requests.create(
      userCaller(s, userId, { amr: ['pwd', 'mfa'], authTimeMs: clock.now() }),
      request({
        kind: 'assignment',
        action: 'selfActivate',
        principalId: userId,
        directoryScopeId: scope,
        justification: 'incident 42',
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration },
        },
      }),
    );

  it('eligible at /subscriptions/s1, active at rg1: allowed at rg1 and below until end - 1 ms, never above or beside', async () => {
    const { requests } = useCases(s, clock);
    const eligible = await requests.create(userCaller(s, adminId), request({ principalId: userId }));
    expect(eligible.status).toBe('Provisioned');
    expect(await ask(START_VM, VM1)).toEqual({ decision: false, context: { reason: 'not_active' } });

    const activated = await activate(RG1);
    expect(activated).toMatchObject({
      status: 'Provisioned',
      directoryScopeId: RG1,
      activatedUsing: expect.any(String),
    });

    const allowed = await ask(START_VM, VM1);
    expect(allowed).toMatchObject({
      decision: true,
      context: {
        roleDefinitionId: CONTRIBUTOR,
        roleName: 'Contributor',
        scopeId: RG1,
        memberType: 'Inherited',
        assignmentType: 'Activated',
        grantedBy: '*',
        endDateTime: new Date(NOW + HOUR).toISOString(),
      },
    });
    expect((await ask(START_VM, RG1)).context).toMatchObject({ memberType: 'Direct', scopeId: RG1 });
    // Case-insensitive, as Azure compares operations.
    expect((await ask(START_VM.toUpperCase(), VM1)).decision).toBe(true);
    // Above and beside: refused.
    for (const other of [S1, '/', `${S1}/resourceGroups/rg2`, '/subscriptions/s10'])
      expect(await ask(START_VM, other), other).toMatchObject({ decision: false });
    // Contributor's notActions subtract: no role assignments, even where it holds.
    expect(await ask(WRITE_ROLE_ASSIGNMENT, VM1)).toEqual({
      decision: false,
      context: { reason: 'not_permitted' },
    });
    // Unknown and malformed resources.
    expect((await ask(START_VM, `${RG1}/nope`)).context).toEqual({ reason: 'resource_unknown' });
    expect((await ask(START_VM, `${RG1}/../x`)).context).toEqual({ reason: 'invalid_resource' });
    expect((await ask('Microsoft.Compute/*', VM1)).context).toEqual({ reason: 'invalid_action' });

    clock.set(NOW + HOUR - 1);
    expect((await ask(START_VM, VM1)).decision).toBe(true);
    clock.set(NOW + HOUR);
    expect(await ask(START_VM, VM1)).toEqual({ decision: false, context: { reason: 'not_active' } });
  });

  it('an eligibility at rg1 does not back an activation at /subscriptions/s1 (above) nor at rg2 (beside)', async () => {
    const { requests } = useCases(s, clock);
    await requests.create(userCaller(s, adminId), request({ principalId: userId, directoryScopeId: RG1 }));
    await expect(activate(S1)).rejects.toMatchObject({
      code: expect.stringMatching(/RoleAssignmentDoesNotExist|RoleAssignmentRequestPolicyValidationFailed/),
    });
    await expect(activate(`${S1}/resourceGroups/rg2`)).rejects.toMatchObject({ code: expect.any(String) });
    await expect(activate(VM1)).resolves.toMatchObject({ status: 'Provisioned' });
  });

  it('removing the resource ends the activation at it at once, with an audit entry per schedule', async () => {
    const { requests } = useCases(s, clock);
    await requests.create(userCaller(s, adminId), request({ principalId: userId }));
    await activate(VM1);
    expect((await ask(START_VM, VM1)).decision).toBe(true);
    clock.set(NOW + 10 * 60_000);
    const removed = await send(s, 'DELETE', scopeUrl(VM1), await adminAt(s, clock));
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await ask(START_VM, VM1)).toEqual({ decision: false, context: { reason: 'resource_unknown' } });
    const ended = await s.db.kysely
      .selectFrom('pim_schedules')
      .select(['status', 'end_at'])
      .where('directory_scope_id', '=', VM1)
      .execute();
    expect(ended).toEqual([{ status: 'Revoked', end_at: expect.anything() }]);
    expect(Number(ended[0]!.end_at)).toBe(NOW + 10 * 60_000);
    expect(await auditOf(s, 'Remove member from role (PIM schedule ended: resource removed)')).toHaveLength(
      1,
    );
    // The eligibility above is untouched: the user may activate at rg1 still.
    await expect(activate(RG1)).resolves.toMatchObject({ status: 'Provisioned' });
  });

  it('removing the eligibility at /subscriptions/s1 ends the activation it backs at rg1 at once', async () => {
    const { requests } = useCases(s, clock);
    const eligible = await requests.create(userCaller(s, adminId), request({ principalId: userId }));
    await activate(RG1);
    clock.set(NOW + 5 * 60_000);
    await requests.create(
      userCaller(s, adminId),
      request({
        action: 'adminRemove',
        principalId: userId,
        scheduleInfo: null,
        justification: 'left the team',
      }),
    );
    expect(eligible.id).toBeTruthy();
    expect(await ask(START_VM, RG1)).toMatchObject({ decision: false });
  });

  it('Owner may write role assignments; Reader only reads; a group membership carries the role', async () => {
    const { requests } = useCases(s, clock);
    const groupId = await addGroup(s, [userId]);
    await requests.create(
      userCaller(s, adminId),
      request({ kind: 'assignment', principalId: groupId, roleDefinitionId: READER, directoryScopeId: '/' }),
    );
    expect((await ask('Microsoft.Compute/virtualMachines/read', VM1)).context).toMatchObject({
      roleName: 'Reader',
      memberType: 'Inherited',
      scopeId: '/',
    });
    expect((await ask(START_VM, VM1)).decision).toBe(false);
    await requests.create(
      userCaller(s, adminId),
      request({ kind: 'assignment', principalId: userId, roleDefinitionId: OWNER, directoryScopeId: RG1 }),
    );
    expect((await ask(WRITE_ROLE_ASSIGNMENT, VM1)).context).toMatchObject({
      roleName: 'Owner',
      grantedBy: '*',
    });
  });

  it('refuses unknown scopes and roles, and groups that are not role-assignable, writing nothing', async () => {
    const { requests } = useCases(s, clock);
    const before = await s.db.kysely.selectFrom('pim_schedules').select('id').execute();
    await expect(
      requests.create(
        userCaller(s, adminId),
        request({ principalId: userId, directoryScopeId: '/subscriptions/nope' }),
      ),
    ).rejects.toMatchObject({ code: 'ResourceScopeNotFound' });
    await expect(
      requests.create(
        userCaller(s, adminId),
        request({ principalId: userId, roleDefinitionId: '00000000-0000-4000-8000-000000000001' }),
      ),
    ).rejects.toMatchObject({ code: 'RoleDefinitionDoesNotExist' });
    const plain = await addGroup(s);
    await s.db.kysely
      .updateTable('groups')
      .set({ is_assignable_to_role: 0 })
      .where('id', '=', plain)
      .execute();
    await expect(
      requests.create(userCaller(s, adminId), request({ principalId: plain })),
    ).rejects.toMatchObject({
      code: 'Request_BadRequest',
    });
    expect(await s.db.kysely.selectFrom('pim_schedules').select('id').execute()).toEqual(before);
  });
});
