// A role whose settings require an end for administrators' active assignments cannot be given as a
// standing, direct role assignment (outside PIM); a time-bound PIM assignment is the way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import { GLOBAL_ADMINISTRATOR } from '../../src/domain/roles/built-in-roles.js';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  call,
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
});
