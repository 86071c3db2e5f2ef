// The audit trail of one privileged access, end to end, on a manual clock: a policy change, an
// eligible assignment, a failed sign-in, two sign-ins, an activation that needs approval, the approval, and the
// expiry. Each step leaves its entries in the same transaction as its change; this test reads them
// back through Graph's `GET /v1.0/auditLogs/directoryAudits`, checks who, what, why and on what,
// uses the Graph filters an auditor would, and verifies the chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_ADMINISTRATOR } from '../../src/domain/roles/built-in-role-ids.js';
import type { TestServer } from '../helpers/server.js';
import { Browser, locationOf, pkcePair } from '../identity/support/browser.js';
import { startSignIn, submit } from '../identity/support/sign-in.js';
import {
  activate,
  makeEligible,
  patchStep,
  signedInUser,
  stepsOf,
  type TestUser,
} from '../pim/approval-support.js';
import { adminAt, call, HOUR, MINUTE, pimServer, type Headers, type ManualClock } from '../pim/support.js';

const ROLE = SECURITY_ADMINISTRATOR;
const POLICY_ASSIGNMENTS = '/v1.0/policies/roleManagementPolicyAssignments';

interface Identity {
  id: string;
  displayName: string | null;
  userPrincipalName?: string | null;
}
interface DirectoryAudit {
  id: string;
  category: string;
  correlationId: string;
  result: string;
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  loggedByService: string;
  operationType: string;
  initiatedBy: {
    user: (Identity & { ipAddress: string | null }) | null;
    app: { appId: string | null } | null;
  };
  targetResources: {
    id: string | null;
    type: string;
    displayName: string | null;
    modifiedProperties: unknown[];
  }[];
  additionalDetails: { key: string; value: string }[];
}

describe('audit of one privileged access, end to end', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let ada: TestUser;
  let approver: TestUser;
  let started: string;
  let requestId: string;
  let entries: DirectoryAudit[];

  const detail = (e: DirectoryAudit, key: string) => e.additionalDetails.find((d) => d.key === key)?.value;
  const targetIds = (e: DirectoryAudit) => e.targetResources.map((t) => t.id);
  const audits = async (filter: string): Promise<DirectoryAudit[]> => {
    const res = await call(
      s,
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}&$top=100`,
      await adminAt(s, clock),
    );
    expect(res.statusCode, res.body).toBe(200);
    // Newest first, as Graph lists them; the scenario reads oldest first.
    return res.json<{ value: DirectoryAudit[] }>().value.reverse();
  };

  async function patchRule(ruleId: string, change: (rule: Record<string, unknown>) => void) {
    const filter = encodeURIComponent(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${ROLE}'`,
    );
    const assignments = await call(s, 'GET', `${POLICY_ASSIGNMENTS}?$filter=${filter}`, admin);
    const policyId = assignments.json<{ value: { policyId: string }[] }>().value[0]!.policyId;
    const url = `/v1.0/policies/roleManagementPolicies/${policyId}/rules/${ruleId}`;
    const { '@odata.context': _context, ...rule } = (await call(s, 'GET', url, admin)).json<
      Record<string, unknown>
    >();
    change(rule);
    const res = await s.app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify(rule),
    });
    expect(res.statusCode, res.body).toBe(204);
  }

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    ada = await signedInUser(s, clock);
    approver = await signedInUser(s, clock);
    clock.advance(MINUTE);
    started = new Date(clock.now()).toISOString();

    // 1. Policy change: activation needs a justification and a ticket, and the approver's yes.
    await patchRule('Enablement_EndUser_Assignment', (rule) => {
      rule.enabledRules = ['Justification', 'Ticketing'];
    });
    await patchRule('Approval_EndUser_Assignment', (rule) => {
      const setting = rule.setting as {
        isApprovalRequired: boolean;
        approvalStages: Record<string, unknown>[];
      };
      setting.isApprovalRequired = true;
      setting.approvalStages[0]!.primaryApprovers = [
        { '@odata.type': '#microsoft.graph.singleUser', userId: approver.id },
      ];
    });

    // 2. Assign: Ada becomes eligible.
    clock.advance(MINUTE);
    await makeEligible(s, clock, ada.id, ROLE);

    // 3. A failed sign-in: Ada mistypes her password.
    clock.advance(MINUTE);
    const b = new Browser(s);
    const { page, csrf } = await startSignIn(b, pkcePair().challenge);
    const wrong = await submit(b, page, csrf, 'password', {
      username: ada.upn,
      password: 'not her password',
    });
    expect(wrong.statusCode).toBe(400);
    expect(locationOf(wrong)).toBe('');

    // 4. Activate: Ada asks for the role; it waits for approval.
    clock.advance(MINUTE);
    const asked = await activate(s, await ada.headers(), ada.id, ROLE);
    expect(asked.statusCode, asked.body).toBe(201);
    const request = asked.json<{ id: string; status: string }>();
    expect(request.status).toBe('PendingApproval');
    requestId = request.id;

    // 5. Approve.
    clock.advance(10 * MINUTE);
    const approverHeaders = await approver.headers();
    const [step] = await stepsOf(s, approverHeaders, requestId);
    const decided = await patchStep(s, approverHeaders, requestId, step!.id, {
      reviewResult: 'Approve',
      justification: 'Matches INC-4711',
    });
    expect(decided.statusCode, decided.body).toBe(204);

    // 6. Expire: two hours later the sweeper records what time already decided.
    clock.advance(2 * HOUR);
    await s.sweeper.runOnce(clock.now());

    entries = await audits(`activityDateTime ge ${started}`);
  }, 60_000);
  afterAll(() => s.close());

  it('records each step, in order', () => {
    expect(entries.map((e) => [e.activityDisplayName, e.result])).toEqual([
      ['Update role setting in PIM', 'success'],
      ['Update role setting in PIM', 'success'],
      ['Add eligible member to role in PIM completed (permanent)', 'success'],
      ['Sign-in failure', 'failure'],
      ['Sign-in success', 'success'],
      ['Add member to role requested (PIM activation)', 'success'],
      ['Add member to role approval requested (PIM activation)', 'success'],
      ['Sign-in success', 'success'],
      ['Add member to role request approved (PIM activation)', 'success'],
      ['Add member to role completed (PIM activation)', 'success'],
      ['Remove member from role (PIM activation expired)', 'success'],
    ]);
    for (const e of entries) {
      expect(e.loggedByService).toMatch(/\S/);
      expect(e.activityDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it('names who acted: the admin app, Ada, the approver, Elevate itself', () => {
    const [
      policy1,
      policy2,
      assign,
      failed,
      adaIn,
      requested,
      approvalRequested,
      approverIn,
      approved,
      completed,
      expired,
    ] = entries;
    for (const e of [policy1!, policy2!, assign!]) {
      expect(e.initiatedBy.app?.appId).toBe(s.boot.app.clientId);
      expect(e.initiatedBy.user).toBeNull();
    }
    // The failed sign-in names the account that was tried, from the browser's address.
    expect(failed!.initiatedBy.user).toMatchObject({ id: ada.id, userPrincipalName: ada.upn });
    expect(failed!.additionalDetails).toContainEqual({ key: 'User-Agent', value: 'vitest-browser' });
    // Each completed sign-in names the person and the methods used.
    expect(adaIn!.initiatedBy.user).toMatchObject({
      id: ada.id,
      userPrincipalName: ada.upn,
      ipAddress: '127.0.0.1',
    });
    expect(detail(adaIn!, 'amr')).toBe('pwd');
    expect(approverIn!.initiatedBy.user?.id).toBe(approver.id);
    expect(requested!.initiatedBy.user?.id).toBe(ada.id);
    expect(approvalRequested!.initiatedBy.user?.id).toBe(ada.id);
    expect(approved!.initiatedBy.user?.id).toBe(approver.id);
    expect(completed!.initiatedBy.user?.id).toBe(approver.id);
    // Time ended the activation; Elevate records it as itself, not as anyone's action.
    expect(expired!.initiatedBy.user).toBeNull();
    expect(expired!.initiatedBy.app).toMatchObject({ appId: null });
  });

  it('names the role and Ada as targets of every PIM entry, and the policy as target of the settings change', () => {
    const pim = entries.filter(
      (e) => e.category === 'RoleManagement' && !e.activityDisplayName.includes('role setting'),
    );
    expect(pim).toHaveLength(6);
    for (const e of pim) {
      expect(targetIds(e)).toContain(ROLE);
      expect(targetIds(e)).toContain(ada.id);
    }
    const settings = entries.filter((e) => e.activityDisplayName === 'Update role setting in PIM');
    for (const e of settings) expect(e.targetResources[0]!.modifiedProperties.length).toBeGreaterThan(0);
  });

  it('keeps why: Ada’s justification and ticket, the approver’s justification', () => {
    const requested = entries.find((e) => e.activityDisplayName.includes('approval requested'))!;
    expect(detail(requested, 'Justification')).toBe('INC-4711 password resets');
    expect(detail(requested, 'Ticket')).toBe('ServiceNow INC-4711');
    expect(detail(requested, 'Action')).toBe('selfActivate');
    const approved = entries.find((e) => e.activityDisplayName.includes('request approved'))!;
    expect(detail(approved, 'Justification')).toBe('Matches INC-4711');
    expect(detail(approved, 'RequestorJustification')).toBe('INC-4711 password resets');
  });

  it('records the failed sign-in as a failure without a password', () => {
    const failed = entries.find((e) => e.activityDisplayName === 'Sign-in failure')!;
    expect(failed.category).toBe('UserManagement');
    expect(failed.resultReason).toMatch(/\S/);
    expect(JSON.stringify(failed)).not.toContain('not her password');
  });

  it('finds the story with the filters an auditor uses', async () => {
    const aboutAda = await audits(
      `targetResources/any(t:t/id eq '${ada.id}') and activityDateTime ge ${started}`,
    );
    expect(aboutAda.map((e) => e.id)).toEqual(
      entries.filter((e) => targetIds(e).includes(ada.id)).map((e) => e.id),
    );
    const byApprover = await audits(`initiatedBy/user/id eq '${approver.id}'`);
    expect(byApprover.map((e) => e.activityDisplayName)).toEqual([
      'Sign-in success',
      'Add member to role request approved (PIM activation)',
      'Add member to role completed (PIM activation)',
    ]);
    const approvals = await audits(
      `activityDisplayName eq 'Add member to role request approved (PIM activation)'`,
    );
    expect(approvals).toHaveLength(1);
  });

  it('ties the entries of one request together and verifies the chain', async () => {
    const ofRequest = entries.filter((e) => e.additionalDetails.some((d) => d.value === requestId));
    expect(ofRequest.length).toBeGreaterThanOrEqual(3);
    const verify = await call(s, 'GET', '/v1.0/auditLogs/verify', await adminAt(s, clock));
    expect(verify.statusCode, verify.body).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true });
  });
});
