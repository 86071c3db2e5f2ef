// Direct role assignments and PIM assignments share one slot per principal, role and scope.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  ASSIGNMENT_REQUESTS,
  call,
  expectGraphError,
  ManualClock,
  NOW,
  pimServer,
  USER_ADMINISTRATOR,
} from './support.js';

describe('direct role assignments next to PIM', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ s, clock } = await pimServer(NOW));
  });
  afterEach(async () => s.close());

  it('a direct assignment is refused while a PIM assignment of the same slot holds or waits', async () => {
    const user = await addUser(s);
    const admin = await adminAt(s, clock);
    const pim = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'temporary cover',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P7D' } },
    });
    expect(pim.statusCode, pim.body).toBe(201);
    const direct = await call(s, 'POST', '/v1.0/roleManagement/directory/roleAssignments', admin, {
      principalId: user,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    expectGraphError(direct, 400, 'RoleAssignmentExists');
    // Once the PIM assignment has ended, a direct one may be made.
    clock.advance(7 * 24 * 3_600_000);
    const later = await call(
      s,
      'POST',
      '/v1.0/roleManagement/directory/roleAssignments',
      await adminAt(s, clock),
      {
        principalId: user,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
      },
    );
    expect(later.statusCode, later.body).toBe(201);
  });

  it('$expand=directoryScope: the tenant root is null, next to the other navigations', async () => {
    const user = await addUser(s);
    const admin = await adminAt(s, clock);
    const made = await call(s, 'POST', ASSIGNMENT_REQUESTS, admin, {
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'cover',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P1D' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const url = `/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId eq '${user}'&$expand=directoryScope,roleDefinition`;
    const res = await call(s, 'GET', encodeURI(url), admin);
    expect(res.statusCode, res.body).toBe(200);
    const [item] = res.json().value;
    expect(item).toMatchObject({
      directoryScopeId: '/',
      directoryScope: null,
      roleDefinition: { id: USER_ADMINISTRATOR },
    });
    expect(Object.keys(item)).toContain('directoryScope');
  });
});
