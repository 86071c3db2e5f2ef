// Activation by users (app level: user tokens arrive with the identity work): MFA, policy
// evaluated completely, group-derived eligibility, deactivation, approval, validation-only, and
// PIM roles counting for authorization at [start, end).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeRoleIds, authorize } from '../../src/app/authorization/authorize.js';
import { DIRECTORY_RULES } from '../../src/domain/directory/permissions.js';
import type { CreateScheduleRequest } from '../../src/app/pim/create-request.js';
import { mfaSatisfied } from '../../src/app/pim/mfa.js';
import { findRule } from '../../src/domain/policy/types.js';
import { ForbiddenError } from '../../src/domain/shared/errors.js';
import { parseQueryOptions } from '../../src/odata/index.js';
import { assignmentInstanceFields, scheduleRequestFields } from '../../src/odata/collections.js';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  addUser,
  auditOf,
  GLOBAL_ADMINISTRATOR,
  HOUR,
  inTx,
  MINUTE,
  ManualClock,
  NOW,
  patchPolicy,
  pimServer,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  rowCounts,
  setActivationRules,
  useCases,
  userCaller,
  USER_ADMINISTRATOR,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const noQuery = parseQueryOptions({}, { fields: scheduleRequestFields });

/** A request body as the HTTP layer would hand it over. */
function cmd(
  over: Partial<CreateScheduleRequest> & Pick<CreateScheduleRequest, 'action' | 'principalId'>,
): CreateScheduleRequest {
  return {
    kind: 'assignment',
    roleDefinitionId: ROLE,
    directoryScopeId: '/',
    justification: 'on-call fix',
    ticketInfo: null,
    scheduleInfo: {
      startDateTime: null,
      expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT2H' },
    },
    isValidationOnly: false,
    customData: null,
    ...over,
  };
}

describe('activation by users', () => {
  let s: TestServer;
  let clock: ManualClock;
  let uc: ReturnType<typeof useCases>;
  let admin: ReturnType<typeof userCaller>;

  /** Makes `principalId` eligible for `role` (permanently) as the bootstrap Global Administrator. */
  const makeEligible = async (principalId: string, role = ROLE) =>
    uc.requests.create(
      admin,
      cmd({
        kind: 'eligibility',
        action: 'adminAssign',
        principalId,
        roleDefinitionId: role,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'noExpiration', endDateTime: null, duration: null },
        },
      }),
    );
  const withMfa = (id: string) =>
    userCaller(s, id, { amr: ['pwd', 'mfa'], authTimeMs: clock.now() - MINUTE });

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    uc = useCases(s, clock);
    admin = userCaller(s, s.boot.admin.id);
  });
  afterEach(async () => s.close());

  it('mfaSatisfied: a user token with amr mfa from the last 15 minutes; never an app token', () => {
    const user = (amr: string[], authTimeMs: number | null) => userCaller(s, 'u', { amr, authTimeMs });
    expect(mfaSatisfied(user(['pwd', 'mfa'], NOW - 15 * MINUTE), NOW)).toBe(true);
    expect(mfaSatisfied(user(['pwd', 'mfa'], NOW - 15 * MINUTE - 1000), NOW)).toBe(false);
    expect(mfaSatisfied(user(['pwd'], NOW), NOW)).toBe(false);
    expect(mfaSatisfied(user(['mfa'], null), NOW)).toBe(false);
    expect(mfaSatisfied({ ...user(['mfa'], NOW), kind: 'app' }, NOW)).toBe(false);
  });

  it('a user with recent MFA activates; without it MfaRule; every failing rule is reported together', async () => {
    const user = await addUser(s);
    await makeEligible(user);
    await patchPolicy(s, ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = [
        'MultiFactorAuthentication',
        'Justification',
        'Ticketing',
      ];
    });
    const everything = uc.requests.create(
      userCaller(s, user),
      cmd({
        action: 'selfActivate',
        principalId: user,
        justification: '  ',
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT9H' },
        },
      }),
    );
    await expect(everything).rejects.toMatchObject({
      code: 'RoleAssignmentRequestPolicyValidationFailed',
      message:
        'The following policy rules failed: ["ExpirationRule","MfaRule","JustificationRule","TicketingRule"]',
    });
    // Someone else asking for the same activation is told only that they are not its principal.
    const other = await addUser(s);
    await expect(
      uc.requests.create(withMfa(other), cmd({ action: 'selfActivate', principalId: user })),
    ).rejects.toMatchObject({ code: 'CallerIsNotPrincipal', target: 'principalId' });

    const stale = userCaller(s, user, { amr: ['pwd', 'mfa'], authTimeMs: NOW - 20 * MINUTE });
    const ticket = { ticketNumber: 'INC-1', ticketSystem: 'ServiceNow' };
    await expect(
      uc.requests.create(stale, cmd({ action: 'selfActivate', principalId: user, ticketInfo: ticket })),
    ).rejects.toMatchObject({ message: 'The following policy rules failed: ["MfaRule"]' });
    const ok = await uc.requests.create(
      withMfa(user),
      cmd({ action: 'selfActivate', principalId: user, ticketInfo: ticket }),
    );
    expect(ok).toMatchObject({ status: 'Provisioned', ticketInfo: ticket });
    // Failures are audited (without any state change), the success too.
    const requested = await auditOf(s, 'Add member to role requested (PIM activation)');
    expect(requested.map((e) => e.result)).toEqual(['failure', 'failure', 'failure', 'success']);
    expect(requested[0]?.payload).toContain('ExpirationRule');
    // Activating again while active: RoleAssignmentExists.
    await expect(
      uc.requests.create(
        withMfa(user),
        cmd({ action: 'selfActivate', principalId: user, ticketInfo: ticket }),
      ),
    ).rejects.toMatchObject({ code: 'RoleAssignmentExists', message: 'The Role assignment already exists.' });
  });

  it('isValidationOnly runs every check and writes nothing (row counts unchanged)', async () => {
    const user = await addUser(s);
    await makeEligible(user);
    await setActivationRules(s, ROLE, ['Justification']);
    const before = await rowCounts(s);
    const dry = await uc.requests.create(
      userCaller(s, user),
      cmd({ action: 'selfActivate', principalId: user, isValidationOnly: true }),
    );
    expect(dry).toMatchObject({ status: 'Provisioned', isValidationOnly: true });
    await expect(
      uc.requests.create(
        userCaller(s, user),
        cmd({ action: 'selfActivate', principalId: user, isValidationOnly: true, justification: null }),
      ),
    ).rejects.toMatchObject({ message: 'The following policy rules failed: ["JustificationRule"]' });
    const adminDry = await uc.requests.create(
      admin,
      cmd({
        action: 'adminAssign',
        principalId: user,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        isValidationOnly: true,
      }),
    );
    expect(adminDry).toMatchObject({ status: 'Provisioned', isValidationOnly: true });
    expect(await rowCounts(s)).toEqual(before);
  });

  it('a member of an eligible group activates for itself; the instance says memberType Group', async () => {
    const user = await addUser(s);
    const group = await addGroup(s, [user]);
    const eligibility = await makeEligible(group);
    await setActivationRules(s, ROLE, ['Justification']);
    const r = await uc.requests.create(
      userCaller(s, user),
      cmd({ action: 'selfActivate', principalId: user }),
    );
    expect(r).toMatchObject({
      status: 'Provisioned',
      activatedUsing: eligibility.targetScheduleId,
      principalId: user,
    });

    const q = parseQueryOptions(
      { $filter: `principalId eq '${user}'`, $expand: 'activatedUsing,principal' },
      { fields: assignmentInstanceFields, expandable: ['principal', 'roleDefinition', 'activatedUsing'] },
    );
    const { page, related } = await uc.schedules.instancesOfCurrentUser(
      userCaller(s, user),
      'assignment',
      'principal',
      q,
    );
    expect(page.items).toEqual([
      expect.objectContaining({
        principalId: user,
        memberType: 'Group',
        assignmentType: 'Activated',
        activatedUsing: eligibility.targetScheduleId,
      }),
    ]);
    expect(related.eligibilities.get(eligibility.targetScheduleId ?? '')).toMatchObject({
      principalId: group,
    });
    expect(related.principals.get(user)).toMatchObject({ type: 'user' });
    // A user outside the group is not eligible.
    const outsider = await addUser(s);
    await expect(
      uc.requests.create(userCaller(s, outsider), cmd({ action: 'selfActivate', principalId: outsider })),
    ).rejects.toMatchObject({ message: 'The following policy rules failed: ["EligibilityRule"]' });
  });

  it('an activated role counts for authorization exactly on [start, end)', async () => {
    const user = await addUser(s);
    await makeEligible(user, PRIVILEGED_ROLE_ADMINISTRATOR);
    const caller = withMfa(user);
    const need = DIRECTORY_RULES.writeRoles;
    const may = (at: number) =>
      inTx(s, async (tx) => {
        try {
          await authorize(tx, caller, need, at);
          return true;
        } catch (e) {
          if (e instanceof ForbiddenError) return false;
          throw e;
        }
      });
    expect(await may(NOW)).toBe(false);
    const r = await uc.requests.create(
      caller,
      cmd({ action: 'selfActivate', principalId: user, roleDefinitionId: PRIVILEGED_ROLE_ADMINISTRATOR }),
    );
    const end = NOW + 2 * HOUR;
    expect(r.status).toBe('Provisioned');
    expect(await may(NOW)).toBe(true);
    expect(await may(end - 1)).toBe(true);
    expect(await may(end)).toBe(false);
    expect(await inTx(s, (tx) => activeRoleIds(tx, s.boot.tenantId, user, end))).toEqual([]);
    // Through a group too: the group holds PRA through an admin assignment (PIM, time-bound).
    const member = await addUser(s);
    const group = await addGroup(s, [member]);
    await uc.requests.create(
      admin,
      cmd({
        action: 'adminAssign',
        principalId: group,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'P1D' },
        },
      }),
    );
    const roles = (at: number) => inTx(s, (tx) => activeRoleIds(tx, s.boot.tenantId, member, at));
    expect(await roles(NOW + 24 * HOUR - 1)).toEqual([GLOBAL_ADMINISTRATOR]);
    expect(await roles(NOW + 24 * HOUR)).toEqual([]);
  });

  it('selfDeactivate: ActiveDurationTooShort in the first 5 minutes, then Revoked and gone at once', async () => {
    const user = await addUser(s);
    await makeEligible(user);
    await setActivationRules(s, ROLE, ['Justification']);
    await uc.requests.create(userCaller(s, user), cmd({ action: 'selfActivate', principalId: user }));
    const deactivate = cmd({
      action: 'selfDeactivate',
      principalId: user,
      scheduleInfo: null,
      justification: null,
    });
    clock.advance(4 * MINUTE);
    await expect(uc.requests.create(userCaller(s, user), deactivate)).rejects.toMatchObject({
      code: 'ActiveDurationTooShort',
    });
    clock.advance(MINUTE);
    const r = await uc.requests.create(userCaller(s, user), deactivate);
    expect(r).toMatchObject({
      status: 'Revoked',
      targetScheduleId: null,
      scheduleInfo: null,
      completedAt: null,
    });
    const holds = await inTx(s, (tx) =>
      tx.schedules.activeAssignment(s.boot.tenantId, [user], ROLE, '/', clock.now()),
    );
    expect(holds).toBeUndefined();
    expect(await auditOf(s, 'Remove member from role completed (PIM deactivate)')).toHaveLength(1);
    // Nothing left to deactivate.
    await expect(uc.requests.create(userCaller(s, user), deactivate)).rejects.toMatchObject({
      code: 'RoleAssignmentDoesNotExist',
    });
    // …and it can be activated again.
    const again = await uc.requests.create(
      userCaller(s, user),
      cmd({ action: 'selfActivate', principalId: user }),
    );
    expect(again.status).toBe('Provisioned');
  });

  it('approval required: PendingApproval with approvalId = id, no instance; the approver inbox; cancel', async () => {
    const user = await addUser(s);
    await makeEligible(user);
    await patchPolicy(s, ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      findRule(rules, 'Approval_EndUser_Assignment')!.setting.isApprovalRequired = true;
    });
    const r = await uc.requests.create(
      userCaller(s, user),
      cmd({ action: 'selfActivate', principalId: user }),
    );
    expect(r).toMatchObject({ status: 'PendingApproval', approvalId: r.id, completedAt: null });
    expect(
      await inTx(s, (tx) => tx.schedules.activeAssignment(s.boot.tenantId, [user], ROLE, '/', NOW)),
    ).toBeUndefined();
    expect((await auditOf(s, 'Add member to role approval requested (PIM activation)')).length).toBe(1);

    // Default approvers: active Privileged Role / Global Administrators; never the requester.
    const inbox = async (id: string) =>
      (
        await uc.requests.filterByCurrentUser(userCaller(s, id), 'assignment', 'approver', noQuery)
      ).page.items.map((x) => x.id);
    expect(await inbox(s.boot.admin.id)).toEqual([r.id]);
    expect(await inbox(user)).toEqual([]);
    const bystander = await addUser(s);
    expect(await inbox(bystander)).toEqual([]);
    // The stages are a snapshot taken with the request: naming approvers later does not move it.
    await patchPolicy(s, ROLE, (rules) => {
      findRule(rules, 'Approval_EndUser_Assignment')!.setting.approvalStages[0]!.primaryApprovers = [
        { '@odata.type': '#microsoft.graph.singleUser', userId: bystander },
      ];
    });
    expect(await inbox(bystander)).toEqual([]);
    expect(await inbox(s.boot.admin.id)).toEqual([r.id]);

    // Only the creator (or an admin) cancels; a bystander cannot see it at all.
    await expect(uc.requests.cancel(userCaller(s, bystander), 'assignment', r.id)).rejects.toMatchObject({
      code: 'Request_ResourceNotFound',
    });
    await uc.requests.cancel(userCaller(s, user), 'assignment', r.id);
    const after = await uc.requests.get(userCaller(s, user), 'assignment', r.id, noQuery);
    expect(after.request.status).toBe('Canceled');
    expect(await auditOf(s, 'Add member to role canceled (PIM activation)')).toHaveLength(1);
    expect(await inbox(s.boot.admin.id)).toEqual([]);
  });

  it('selfExtend of an admin-made assignment ending within 14 days waits for an admin; adminExtend settles it', async () => {
    const user = await addUser(s);
    await uc.requests.create(
      admin,
      cmd({
        action: 'adminAssign',
        principalId: user,
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'P20D' },
        },
      }),
    );
    const extend = cmd({
      action: 'selfExtend',
      principalId: user,
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'P30D' },
      },
    });
    await expect(uc.requests.create(userCaller(s, user), extend)).rejects.toMatchObject({
      code: 'RoleAssignmentCannotBeExtended',
    });
    clock.advance(10 * 24 * HOUR);
    const pending = await uc.requests.create(userCaller(s, user), extend);
    expect(pending.status).toBe('PendingAdminDecision');
    const extended = await uc.requests.create(admin, { ...extend, action: 'adminExtend' });
    expect(extended.status).toBe('Provisioned');
    const holding = await inTx(s, (tx) =>
      tx.schedules.activeAssignment(s.boot.tenantId, [user], ROLE, '/', clock.now()),
    );
    expect(holding?.endDateTime).toBe(clock.now() + 30 * 24 * HOUR);
    expect(holding?.scheduleId).toBe(extended.targetScheduleId);
    // adminRenew after it ended: the same schedule holds again.
    clock.set((holding?.endDateTime ?? 0) + HOUR);
    const renewed = await uc.requests.create(admin, { ...extend, action: 'adminRenew' });
    expect(renewed).toMatchObject({ status: 'Provisioned', targetScheduleId: extended.targetScheduleId });
    // adminUpdate shortens it; adminRemove ends it now.
    const updated = await uc.requests.create(admin, {
      ...extend,
      action: 'adminUpdate',
      scheduleInfo: {
        startDateTime: null,
        expiration: { type: 'afterDuration', endDateTime: null, duration: 'P1D' },
      },
    });
    expect(updated.status).toBe('Provisioned');
    const removed = await uc.requests.create(admin, { ...extend, action: 'adminRemove', scheduleInfo: null });
    expect(removed.status).toBe('Revoked');
    expect(
      await inTx(s, (tx) => tx.schedules.activeAssignment(s.boot.tenantId, [user], ROLE, '/', clock.now())),
    ).toBeUndefined();
  });

  it('adminAssign of an assignment that already exists (PIM or direct) is RoleAssignmentExists', async () => {
    const user = await addUser(s, [GLOBAL_ADMINISTRATOR]);
    await expect(
      uc.requests.create(
        admin,
        cmd({ action: 'adminAssign', principalId: user, roleDefinitionId: GLOBAL_ADMINISTRATOR }),
      ),
    ).rejects.toMatchObject({ code: 'RoleAssignmentExists' });
    await uc.requests.create(admin, cmd({ action: 'adminAssign', principalId: user }));
    await expect(
      uc.requests.create(admin, cmd({ action: 'adminAssign', principalId: user })),
    ).rejects.toMatchObject({
      code: 'RoleAssignmentExists',
    });
    // Direct assignments show as Assigned/Direct instances, and adminRemove through PIM removes them.
    const q = parseQueryOptions(
      { $filter: `principalId eq '${user}'`, $orderby: 'roleDefinitionId' },
      { fields: assignmentInstanceFields },
    );
    const { page } = await uc.schedules.listInstances(admin, 'assignment', q);
    expect(
      page.items.map((i) => [i.roleDefinitionId, i.assignmentType, i.memberType, i.startDateTime]),
    ).toEqual([
      [GLOBAL_ADMINISTRATOR, 'Assigned', 'Direct', null],
      [ROLE, 'Assigned', 'Direct', NOW],
    ]);
    const removed = await uc.requests.create(
      admin,
      cmd({
        action: 'adminRemove',
        principalId: user,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        scheduleInfo: null,
      }),
    );
    expect(removed.status).toBe('Revoked');
    expect(await inTx(s, (tx) => tx.roleAssignments.roleIdsOf(s.boot.tenantId, [user]))).toEqual([]);
  });

  it('admin actions need an active Privileged Role or Global Administrator (PIM-activated counts)', async () => {
    const user = await addUser(s);
    const target = await addUser(s);
    const assign = cmd({ action: 'adminAssign', principalId: target });
    await expect(uc.requests.create(withMfa(user), assign)).rejects.toBeInstanceOf(ForbiddenError);
    // The refusal is audited as a failure, and nothing else is written.
    const denied = await auditOf(s, 'Add member to role in PIM requested (timebound)');
    expect(denied.map((e) => e.result)).toEqual(['failure']);
    await makeEligible(user, PRIVILEGED_ROLE_ADMINISTRATOR);
    await uc.requests.create(
      withMfa(user),
      cmd({ action: 'selfActivate', principalId: user, roleDefinitionId: PRIVILEGED_ROLE_ADMINISTRATOR }),
    );
    expect((await uc.requests.create(withMfa(user), assign)).status).toBe('Provisioned');
  });
});
