// A role whose settings require an end for administrators' active assignments cannot be given as a
// standing, direct role assignment (outside PIM); a time-bound PIM assignment is the way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule, type PolicyRule } from '../../src/domain/policy/types.js';
import {
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  USER_ADMINISTRATOR,
} from '../../src/domain/roles/built-in-roles.js';
import { upgradeRoleSettingDefaults } from '../../src/app/policies/default-upgrades.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  call,
  inTx,
  patchPolicy,
  pimServer,
  rowCounts,
  type ManualClock,
} from '../pim/support.js';

describe('direct role assignments and Expiration_Admin_Assignment', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(() => s.close());

  const requireEnd = (required: boolean) =>
    patchPolicy(s, GLOBAL_ADMINISTRATOR, (rules) => {
      const rule = findRule(rules, 'Expiration_Admin_Assignment');
      if (rule === undefined) throw new Error('no Expiration_Admin_Assignment rule');
      rule.isExpirationRequired = required;
    });

  it('is refused, naming the rule, while the role requires an end; allowed once it does not', async () => {
    const admin = await adminAt(s, clock);
    const user = await addUser(s);
    const assign = () =>
      call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
        principalId: user,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
      });
    await requireEnd(true);
    const before = await rowCounts(s);
    const refused = await assign();
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('RoleAssignmentRequestPolicyValidationFailed');
    expect(refused.json().error.message).toContain('Expiration_Admin_Assignment');
    expect((await rowCounts(s)).role_assignments).toBe(before.role_assignments);

    await requireEnd(false);
    const allowed = await assign();
    expect(allowed.statusCode, allowed.body).toBe(201);
  });

  const directAssign = (admin: Record<string, string>, principalId: string, roleDefinitionId: string) =>
    call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
      principalId,
      roleDefinitionId,
      directoryScopeId: '/',
    });

  it('is refused by default for Global Administrator and Privileged Role Administrator, not for other roles', async () => {
    const admin = await adminAt(s, clock);
    const user = await addUser(s);
    for (const role of [GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR]) {
      const refused = await directAssign(admin, user, role);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().error.code).toBe('RoleAssignmentRequestPolicyValidationFailed');
    }
    const other = await directAssign(admin, user, USER_ADMINISTRATOR);
    expect(other.statusCode, other.body).toBe(201);
    // The way in: a time-bound active assignment through PIM.
    const pim = await call(
      s,
      'POST',
      '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        principalId: user,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'cover for the on-call week',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P7D' } },
      },
    );
    expect(pim.statusCode, pim.body).toBe(201);
    const permanent = await call(
      s,
      'POST',
      '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        principalId: user,
        roleDefinitionId: PRIVILEGED_ROLE_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'forever',
        scheduleInfo: { expiration: { type: 'noExpiration' } },
      },
    );
    expect(permanent.statusCode, permanent.body).toBe(400);
    expect(permanent.json().error.code).toBe('RoleAssignmentRequestPolicyValidationFailed');
  });

  it("upgrades an older tenant's unchanged settings once, audited as the system; an administrator's choice stays", async () => {
    // An older tenant: both roles allow permanent active assignment and nobody changed them.
    const olderDefaults = (rules: PolicyRule[]) => {
      const rule = findRule(rules, 'Expiration_Admin_Assignment');
      if (rule === undefined) throw new Error('no Expiration_Admin_Assignment rule');
      rule.isExpirationRequired = false;
    };
    await patchPolicy(s, GLOBAL_ADMINISTRATOR, olderDefaults);
    await patchPolicy(s, PRIVILEGED_ROLE_ADMINISTRATOR, olderDefaults);
    // …except that an administrator set Privileged Role Administrator's through the API.
    const admin = await adminAt(s, clock);
    const praPolicy = await inTx(s, (tx) =>
      tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', PRIVILEGED_ROLE_ADMINISTRATOR),
    );
    const patched = await s.app.inject({
      method: 'PATCH',
      url: `/v1.0/policies/roleManagementPolicies/${praPolicy!.id}/rules/Expiration_Admin_Assignment`,
      headers: admin,
      payload: {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
        id: 'Expiration_Admin_Assignment',
        isExpirationRequired: false,
        maximumDuration: 'P90D',
        target: { caller: 'Admin', operations: ['all'], level: 'Assignment' },
      },
    });
    expect(patched.statusCode, patched.body).toBe(204);

    const changed = await upgradeRoleSettingDefaults({ uow: createUnitOfWork(s.db), clock });
    const ga = await inTx(s, (tx) =>
      tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', GLOBAL_ADMINISTRATOR),
    );
    expect(changed).toEqual([ga!.id]);
    expect(findRule(ga!.rules, 'Expiration_Admin_Assignment')?.isExpirationRequired).toBe(true);
    expect(ga!.lastModifiedAt).toBe(clock.now());
    const pra = await inTx(s, (tx) =>
      tx.policies.forRole(s.boot.tenantId, 'DirectoryRole', '/', PRIVILEGED_ROLE_ADMINISTRATOR),
    );
    expect(findRule(pra!.rules, 'Expiration_Admin_Assignment')).toMatchObject({
      isExpirationRequired: false,
      maximumDuration: 'P90D',
    });
    const entries = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['activity_display_name', 'initiated_by_user_id', 'initiated_by_app_id'])
      .where('activity_display_name', '=', 'Update role setting in PIM')
      .execute();
    // One entry from the administrator's PATCH, one from the upgrade (initiated by nobody: the system).
    expect(entries).toHaveLength(2);
    expect(
      entries.filter((e) => e.initiated_by_user_id === null && e.initiated_by_app_id === null),
    ).toHaveLength(1);

    // A second start changes nothing, and an administrator who turns it off again keeps it off.
    expect(await upgradeRoleSettingDefaults({ uow: createUnitOfWork(s.db), clock })).toEqual([]);
    await patchPolicy(s, GLOBAL_ADMINISTRATOR, olderDefaults);
    expect(await upgradeRoleSettingDefaults({ uow: createUnitOfWork(s.db), clock })).toEqual([]);
  });
});
