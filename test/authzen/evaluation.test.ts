// AuthZEN Access Evaluation over live state: decisions are exact at the millisecond of expiry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  call,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  HOUR,
  ManualClock,
  NOW,
  pimServer,
  setActivationRules,
  type TestApp,
  USER_ADMINISTRATOR,
} from '../pim/support.js';

const question = (subjectId: string, roleId = USER_ADMINISTRATOR) => ({
  subject: { type: 'servicePrincipal', id: subjectId },
  action: { name: 'hold' },
  resource: { type: 'role', id: roleId, properties: { directoryScopeId: '/' } },
});

describe('AuthZEN access evaluation', () => {
  let s: TestServer;
  let clock: ManualClock;
  let workload: TestApp;
  let pdpClient: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer(NOW));
    workload = await appAt(s, clock);
    pdpClient = await appAt(s, clock, ['Elevate.AccessEvaluation']);
  });
  afterEach(async () => s.close());

  async function activateForOneHour() {
    const admin = await adminAt(s, clock);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, admin, {
      action: 'adminAssign',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: workload.servicePrincipalId,
      justification: 'workload may administer users',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
    await setActivationRules(s, USER_ADMINISTRATOR, ['Justification']);
    const activated = await call(s, 'POST', ASSIGNMENT_REQUESTS, await workload.headers(), {
      action: 'selfActivate',
      principalId: workload.servicePrincipalId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'nightly job',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });
    expect(activated.statusCode, activated.body).toBe(201);
  }

  it('answers true on [start, end) and false at end, with the instance and its end in the context', async () => {
    const before = await call(
      s,
      'POST',
      '/access/v1/evaluation',
      await pdpClient.headers(),
      question(workload.servicePrincipalId),
    );
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toEqual({ decision: false, context: { reason: 'not_active' } });

    await activateForOneHour();
    const end = NOW + HOUR;
    clock.set(end - 1);
    const holding = await call(
      s,
      'POST',
      '/access/v1/evaluation',
      await pdpClient.headers(),
      question(workload.servicePrincipalId),
    );
    expect(holding.json()).toMatchObject({
      decision: true,
      context: {
        assignmentType: 'Activated',
        memberType: 'Direct',
        endDateTime: new Date(end).toISOString(),
      },
    });

    clock.set(end);
    const ended = await call(
      s,
      'POST',
      '/access/v1/evaluation',
      await pdpClient.headers(),
      question(workload.servicePrincipalId),
    );
    expect(ended.json()).toEqual({ decision: false, context: { reason: 'not_active' } });
  });

  it('batch: defaults, per-item overrides, answers in order, and short-circuit semantics', async () => {
    await activateForOneHour();
    const body = {
      subject: { type: 'servicePrincipal', id: workload.servicePrincipalId },
      action: { name: 'hold' },
      evaluations: [
        { resource: { type: 'role', id: '62e90394-69f5-4237-9190-012177145e10' } },
        { resource: { type: 'role', id: USER_ADMINISTRATOR } },
        { resource: { type: 'role', id: USER_ADMINISTRATOR }, action: { name: 'delete' } },
      ],
    };
    const all = await call(s, 'POST', '/access/v1/evaluations', await pdpClient.headers(), body);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([
      false,
      true,
      false,
    ]);
    expect(all.json().evaluations[2].context).toEqual({ reason: 'unsupported_action' });

    const permitFirst = await call(s, 'POST', '/access/v1/evaluations', await pdpClient.headers(), {
      ...body,
      options: { evaluations_semantic: 'permit_on_first_permit' },
    });
    expect(permitFirst.json().evaluations).toHaveLength(2);
    const denyFirst = await call(s, 'POST', '/access/v1/evaluations', await pdpClient.headers(), {
      ...body,
      options: { evaluations_semantic: 'deny_on_first_deny' },
    });
    expect(denyFirst.json().evaluations).toHaveLength(1);
  });

  it('needs the Elevate.AccessEvaluation permission and a token; bad input is a 400 envelope', async () => {
    const q = question(workload.servicePrincipalId);
    expectGraphError(
      await call(s, 'POST', '/access/v1/evaluation', {}, q),
      401,
      'InvalidAuthenticationToken',
    );
    expectGraphError(
      await call(s, 'POST', '/access/v1/evaluation', await workload.headers(), q),
      403,
      'Authorization_RequestDenied',
    );
    const h = await pdpClient.headers();
    expectGraphError(await call(s, 'POST', '/access/v1/evaluation', h, { subject: q.subject }), 400);
    expectGraphError(
      await call(s, 'POST', '/access/v1/evaluation', h, {
        ...q,
        subject: { type: 'user', id: 'x'.repeat(5000) },
      }),
      400,
    );
    expectGraphError(
      await call(s, 'POST', '/access/v1/evaluations', h, { evaluations: [{ action: { name: 'hold' } }] }),
      400,
    );
    expectGraphError(await call(s, 'POST', '/access/v1/evaluations', h, { evaluations: [] }), 400);
    const weird = await call(s, 'POST', '/access/v1/evaluation', h, {
      ...q,
      subject: { type: 'user', id: 'not-a-guid' },
    });
    expect(weird.json()).toEqual({ decision: false, context: { reason: 'subject_or_resource_unknown' } });
  });

  it('deleting the principal ends its PIM access at once (and the deletion is audited)', async () => {
    await activateForOneHour();
    const q = question(workload.servicePrincipalId);
    expect(
      (await call(s, 'POST', '/access/v1/evaluation', await pdpClient.headers(), q)).json().decision,
    ).toBe(true);
    const del = await s.app.inject({
      method: 'DELETE',
      url: `/v1.0/servicePrincipals/${workload.servicePrincipalId}`,
      headers: await adminAt(s, clock),
    });
    expect(del.statusCode, del.body).toBe(204);
    expect((await call(s, 'POST', '/access/v1/evaluation', await pdpClient.headers(), q)).json()).toEqual({
      decision: false,
      context: { reason: 'not_active' },
    });
  });

  it('publishes its AuthZEN metadata', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/.well-known/authzen-configuration' });
    expect(res.json()).toMatchObject({
      access_evaluation_endpoint: 'http://127.0.0.1:8080/access/v1/evaluation',
    });
  });
});
