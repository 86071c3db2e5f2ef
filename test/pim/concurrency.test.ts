// Invariant 4 with real concurrency (PostgreSQL): of many simultaneous writers of one slot exactly
// one succeeds and the rest re-evaluate against it and get RoleAssignmentExists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import {
  addUser,
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  call,
  ELIGIBILITY_REQUESTS,
  ManualClock,
  pimServer,
  setActivationRules,
  USER_ADMINISTRATOR,
} from './support.js';

describe('concurrent writers of one slot (PostgreSQL)', skipFor(postgresOnly), () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
  });
  afterEach(async () => s.close());

  it('50 concurrent selfActivate of one eligibility: exactly one 201 and 49 RoleAssignmentExists', async () => {
    const admin = await adminAt(s, clock);
    const workload = await appAt(s, clock);
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      justification: 'eligible',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: workload.servicePrincipalId,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    const headers = await workload.headers();
    const body = {
      action: 'selfActivate',
      principalId: workload.servicePrincipalId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'incident',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call(s, 'POST', ASSIGNMENT_REQUESTS, headers, body)),
    );
    const outcome = results.map((r) =>
      r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json<{ error: { code: string } }>().error.code}`,
    );
    expect(outcome.filter((o) => o === 201)).toHaveLength(1);
    expect(outcome.filter((o) => o === '400 RoleAssignmentExists')).toHaveLength(49);
    const schedules = await s.db.kysely
      .selectFrom('pim_schedules')
      .select('id')
      .where('kind', '=', 'assignment')
      .where('principal_id', '=', workload.servicePrincipalId)
      .execute();
    expect(schedules).toHaveLength(1);
  });

  it('two concurrent adminAssign of one principal, role and scope: one 201, one RoleAssignmentExists', async () => {
    const admin = await adminAt(s, clock);
    const user = await addUser(s);
    const body = {
      action: 'adminAssign',
      justification: 'twice',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: user,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P1D' } },
    };
    for (const url of [ASSIGNMENT_REQUESTS, ELIGIBILITY_REQUESTS]) {
      const results = await Promise.all([
        call(s, 'POST', url, admin, body),
        call(s, 'POST', url, admin, body),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
      expect(results.find((r) => r.statusCode === 400)?.json()).toMatchObject({
        error: { code: 'RoleAssignmentExists' },
      });
    }
  });
});
