// Errors that say why (issue 11, item 2): a policy refusal keeps Graph's code and message and adds
// Graph's `details`, one `{code, message, target}` per failing rule with the reason the audit entry
// records; a self action by someone other than its principal is refused as such.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  adminAt,
  appAt,
  ASSIGNMENT_REQUESTS,
  auditOf,
  call,
  ELIGIBILITY_REQUESTS,
  expectGraphError,
  ManualClock,
  NOW,
  pimServer,
  rowCounts,
  type TestApp,
  USER_ADMINISTRATOR,
} from './support.js';

const activate = (principalId: string, duration: string, justification: string | null) => ({
  action: 'selfActivate',
  principalId,
  roleDefinitionId: USER_ADMINISTRATOR,
  directoryScopeId: '/',
  justification,
  scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration } },
});

describe('errors that say why', () => {
  let s: TestServer;
  let clock: ManualClock;
  let workload: TestApp;

  beforeEach(async () => {
    ({ s, clock } = await pimServer(NOW));
    workload = await appAt(s, clock);
    const eligible = await call(s, 'POST', ELIGIBILITY_REQUESTS, await adminAt(s, clock), {
      action: 'adminAssign',
      principalId: workload.servicePrincipalId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: 'nightly job',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(eligible.statusCode, eligible.body).toBe(201);
  });
  afterEach(async () => s.close());

  it('a policy refusal keeps Graph’s code and message and lists each rule’s reason in details, as audited', async () => {
    const res = await call(
      s,
      'POST',
      ASSIGNMENT_REQUESTS,
      await workload.headers(),
      activate(workload.servicePrincipalId, 'PT10H', null),
    );
    expectGraphError(
      res,
      400,
      'RoleAssignmentRequestPolicyValidationFailed',
      'The following policy rules failed: ["ExpirationRule","MfaRule","JustificationRule"]',
    );
    const { details } = res.json<{ error: { details: unknown } }>().error;
    expect(details).toEqual([
      {
        code: 'ExpirationRule',
        message: "The schedule lasts PT10H, longer than the role's maximum of PT8H.",
        target: 'scheduleInfo.expiration',
      },
      {
        code: 'MfaRule',
        message:
          'This role requires multi-factor authentication, which an application cannot perform; ' +
          'remove MultiFactorAuthentication from the role setting to let applications do this.',
      },
      { code: 'JustificationRule', message: 'A justification is required.', target: 'justification' },
    ]);
    // The audit entry of the refusal carries the very same reasons.
    const [refusal] = await auditOf(s, 'Add member to role requested (PIM activation)');
    expect(refusal?.result).toBe('failure');
    for (const detail of details as { code: string; message: string }[]) {
      expect(refusal?.payload).toContain(`${detail.code}: ${detail.message}`.replaceAll('"', '\\"'));
    }
  });

  it('isValidationOnly answers the same details', async () => {
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, await workload.headers(), {
      ...activate(workload.servicePrincipalId, 'PT2H', 'checking'),
      isValidationOnly: true,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { details: unknown } }>().error.details).toEqual([
      { code: 'MfaRule', message: expect.stringContaining('an application cannot perform') },
    ]);
  });

  it.each([
    ['selfActivate', 'adminAssign'],
    ['selfDeactivate', 'adminRemove'],
    ['selfExtend', 'adminExtend'],
    ['selfRenew', 'adminRenew'],
  ])('%s naming someone else says the caller is not the principal', async (action, counterpart) => {
    const other = await appAt(s, clock);
    const before = await rowCounts(s);
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, await other.headers(), {
      ...activate(workload.servicePrincipalId, 'PT1H', 'not mine'),
      action,
    });
    expectGraphError(
      res,
      400,
      'CallerIsNotPrincipal',
      `The caller is not the principal of this request: ${action} acts only for the signed-in user or ` +
        "application itself, so principalId must be the caller's own object id; to act for someone " +
        `else, an administrator sends ${counterpart}.`,
    );
    expect(res.json<{ error: { target: string } }>().error.target).toBe('principalId');
    // Nothing but the refusal's audit entry was written.
    expect(await rowCounts(s)).toEqual({ ...before, audit: (before.audit ?? 0) + 1 });
  });

  it('the same self action by the principal itself is judged on its merits (no CallerIsNotPrincipal)', async () => {
    const res = await call(s, 'POST', ASSIGNMENT_REQUESTS, await workload.headers(), {
      ...activate(workload.servicePrincipalId, 'PT1H', 'mine'),
      action: 'selfDeactivate',
    });
    expectGraphError(res, 400, 'RoleAssignmentDoesNotExist');
  });
});
