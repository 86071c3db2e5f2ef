// The flow of examples/entra_style_client.py over HTTP, on a manual clock at 2026-11-27:
// an app token, an eligible assignment made with adminAssign, and a service principal activating
// its OWN eligible role with its own token (JIT for workloads).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeRoleIds } from '../../src/app/authorization/authorize.js';
import { formatDateTime } from '../../src/domain/time/datetime.js';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  auditOf,
  BASE,
  call,
  ctx,
  DAY,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  HOUR,
  inTx,
  ManualClock,
  NOW,
  pimServer,
  setActivationRules,
  type TestApp,
  USER_ADMINISTRATOR,
} from './support.js';

/** `create_eligible_assignment`'s body, exactly as the example sends it (start overridable). */
const eligibleBody = (principalId: string, startDateTime = '2025-01-01T00:00:00Z') => ({
  action: 'adminAssign',
  justification: 'PIM eligible assignment',
  roleDefinitionId: USER_ADMINISTRATOR,
  directoryScopeId: '/',
  principalId,
  scheduleInfo: { startDateTime, expiration: { type: 'afterDuration', duration: 'P180D' } },
});

/** `activate_role`'s body, exactly as the example sends it. */
const activateBody = (principalId: string) => ({
  action: 'selfActivate',
  principalId,
  roleDefinitionId: USER_ADMINISTRATOR,
  directoryScopeId: '/',
  justification: 'nightly reconciliation job',
  scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT8H' } },
});

describe('entra_style_client.py against Elevate (manual clock at 2026-11-27)', () => {
  let s: TestServer;
  let clock: ManualClock;
  let workload: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer(NOW));
    workload = await appAt(s, clock);
  });
  afterEach(async () => s.close());

  it('accepts the example body as sent (2025-01-01 + P180D): it starts now and lasts the full 180 days', async () => {
    const admin = await adminAt(s, clock);
    const res = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, eligibleBody(workload.servicePrincipalId));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      '@odata.context': ctx('roleManagement/directory/roleEligibilityScheduleRequests/$entity'),
      status: 'Provisioned',
      principalId: workload.servicePrincipalId,
      scheduleInfo: {
        startDateTime: formatDateTime(NOW),
        expiration: { type: 'afterDuration', duration: 'P180D', endDateTime: null },
      },
    });
    const instances = await call(
      s,
      'GET',
      `${BASE}/roleEligibilityScheduleInstances?$filter=principalId eq '${workload.servicePrincipalId}'`,
      admin,
    );
    expect(instances.json<{ value: unknown[] }>().value).toEqual([
      expect.objectContaining({
        startDateTime: formatDateTime(NOW),
        endDateTime: formatDateTime(NOW + 180 * DAY),
      }),
    ]);
  });

  it('refuses only an end date that is already past, naming it', async () => {
    const admin = await adminAt(s, clock);
    const past = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      ...eligibleBody(workload.servicePrincipalId),
      scheduleInfo: {
        startDateTime: '2025-01-01T00:00:00Z',
        expiration: { type: 'afterDateTime', endDateTime: '2025-06-30T00:00:00Z' },
      },
    });
    expectGraphError(
      past,
      400,
      'invalidRequest',
      'The schedule ends on 2025-06-30T00:00:00.000Z, which is in the past; choose a later endDateTime.',
    );
    expect(past.json<{ error: { target: string } }>().error.target).toBe(
      'scheduleInfo.expiration.endDateTime',
    );
  });

  it('a service principal activates its own eligible role: MfaRule when the policy requires MFA, 201 when not', async () => {
    const admin = await adminAt(s, clock);
    const eligible = await call(
      s,
      'POST',
      ELIGIBILITY_REQUESTS,
      admin,
      eligibleBody(workload.servicePrincipalId, '2026-11-27T00:00:00Z'),
    );
    expect(eligible.statusCode, eligible.body).toBe(201);

    // Entra's default activation policy requires MFA, which an application cannot perform.
    const refused = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      await workload.headers(),
      activateBody(workload.servicePrincipalId),
    );
    expectGraphError(
      refused,
      400,
      'RoleAssignmentRequestPolicyValidationFailed',
      'The following policy rules failed: ["MfaRule"]',
    );
    const failures = await auditOf(s, 'Add member to role requested (PIM activation)');
    expect(failures.map((e) => e.result)).toEqual(['failure']);
    expect(failures[0]?.payload).toContain('application cannot perform');

    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    const activated = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      await workload.headers(),
      activateBody(workload.servicePrincipalId),
    );
    expect(activated.statusCode, activated.body).toBe(201);
    const end = NOW + 8 * HOUR;
    expect(activated.json()).toMatchObject({
      status: 'Provisioned',
      action: 'selfActivate',
      principalId: workload.servicePrincipalId,
      completedDateTime: formatDateTime(NOW),
      scheduleInfo: {
        startDateTime: formatDateTime(NOW),
        expiration: { type: 'afterDuration', duration: 'PT8H', endDateTime: null },
      },
    });
    const entries = await auditOf(s, 'Add member to role completed (PIM activation)');
    expect(entries.map((e) => e.result)).toEqual(['success']);

    // Every read path says "active" at end - 1 ms and "not active" at end, with no sweeper run.
    const readPaths = async () => {
      const headers = await adminAt(s, clock);
      const own = await workload.headers();
      const list = await call(
        s,
        'GET',
        `${BASE}/roleAssignmentScheduleInstances?$filter=principalId eq '${workload.servicePrincipalId}'`,
        headers,
      );
      const mine = await call(
        s,
        'GET',
        `${BASE}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`,
        own,
      );
      const encoded = await call(
        s,
        'GET',
        `${BASE}/roleAssignmentScheduleInstances/filterByCurrentUser(on=%27principal%27)`,
        own,
      );
      const roles = await inTx(s, (tx) =>
        activeRoleIds(tx, s.boot.tenantId, workload.servicePrincipalId, clock.now()),
      );
      const active = await inTx(s, (tx) =>
        tx.schedules.activeAssignment(
          s.boot.tenantId,
          [workload.servicePrincipalId],
          USER_ADMINISTRATOR,
          '/',
          clock.now(),
        ),
      );
      expect(list.statusCode).toBe(200);
      expect(mine.statusCode).toBe(200);
      expect(encoded.json()).toEqual(mine.json());
      return {
        list: list.json<{ value: { id: string }[] }>().value,
        mine: mine.json<{ '@odata.context': string; value: Record<string, unknown>[] }>(),
        holdsRole: roles.includes(USER_ADMINISTRATOR),
        active,
      };
    };

    clock.set(end - 1);
    const before = await readPaths();
    expect(before.list).toHaveLength(1);
    expect(before.mine['@odata.context']).toBe(ctx('Collection(unifiedRoleAssignmentScheduleInstance)'));
    expect(before.mine.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.unifiedRoleAssignmentScheduleInstance',
        id: before.list[0]?.id,
        principalId: workload.servicePrincipalId,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        appScopeId: null,
        startDateTime: formatDateTime(NOW),
        endDateTime: formatDateTime(end),
        assignmentType: 'Activated',
        memberType: 'Direct',
        roleAssignmentOriginId: before.list[0]?.id,
        roleAssignmentScheduleId: activated.json<{ id: string }>().id,
      },
    ]);
    expect(before.holdsRole).toBe(true);
    expect(before.active).toMatchObject({ endDateTime: end, assignmentType: 'Activated' });
    const instanceId = before.list[0]?.id ?? '';
    const byId = await call(
      s,
      'GET',
      `${BASE}/roleAssignmentScheduleInstances/${instanceId}`,
      await adminAt(s, clock),
    );
    expect(byId.statusCode).toBe(200);

    clock.set(end);
    const after = await readPaths();
    expect(after.list).toEqual([]);
    expect(after.mine.value).toEqual([]);
    expect(after.holdsRole).toBe(false);
    expect(after.active).toBeUndefined();
    const gone = await call(
      s,
      'GET',
      `${BASE}/roleAssignmentScheduleInstances/${instanceId}`,
      await adminAt(s, clock),
    );
    expectGraphError(gone, 404, 'Request_ResourceNotFound');
  });
});
