// Decision hooks (ADR 0025) against real HTTP receivers on random ports, their signatures verified
// with the `standardwebhooks` package: ticket validation at request time (valid, invalid, hook
// down, slow, garbage: fail closed, nothing written), auto-decision of approval stages (approve
// grants, deny ends, defer / timeout / 500 / garbage leave it to human approvers who still decide),
// the quorum counting the hook once, and bad hook configuration refused with nothing changed.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule, type ApprovalStage } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import { notifyServer, verify, type NotifyServer } from '../notifications/support.js';
import {
  activate,
  makeEligible,
  patchStep,
  requestOf,
  requireApproval,
  signedInUser,
  stepsOf,
  type TestUser,
} from './approval-support.js';
import {
  auditOf,
  call,
  expectGraphError,
  patchPolicy,
  rowCounts,
  setActivationRules,
  USER_ADMINISTRATOR,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const HOOKS = '/v1.0/elevate/decisionHooks';
const SECRET = `whsec_${Buffer.from('decision-hook-secret-0123456789ab').toString('base64')}`;

interface HookCall {
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = { status?: number; json?: unknown; raw?: string; delayMs?: number };

/** A hook on a random port: answers each call with `answer(call)`; keeps what it received. */
async function hookReceiver(answer: (n: number, body: Record<string, unknown>) => Answer) {
  const calls: HookCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      calls.push(call);
      const a = answer(calls.length, JSON.parse(call.body) as Record<string, unknown>);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        res.end(a.raw ?? JSON.stringify(a.json ?? {}));
      };
      if (a.delayMs === undefined) send();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, a.delayMs);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/decide`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const stage = (approvers: string[], more: Partial<ApprovalStage> = {}): ApprovalStage => ({
  approvalStageTimeOutInDays: 1,
  isApproverJustificationRequired: false,
  escalationTimeInMinutes: 0,
  isEscalationEnabled: false,
  primaryApprovers: approvers.map((userId) => ({ '@odata.type': '#microsoft.graph.singleUser', userId })),
  escalationApprovers: [],
  ...more,
});

const detailsOf = (row: { payload: string }): Record<string, string> =>
  Object.fromEntries(
    (
      JSON.parse(row.payload) as { additionalDetails: { key: string; value: string }[] }
    ).additionalDetails.map((d) => [d.key, d.value]),
  );

describe('decision hooks', () => {
  let s: NotifyServer;
  let t: TestServer;
  let requestor: TestUser;
  let approver: TestUser;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    s = await notifyServer({ requireMfaRegistration: false });
    t = s as unknown as TestServer;
    requestor = await signedInUser(t, s.clock);
    approver = await signedInUser(t, s.clock);
    await makeEligible(t, s.clock, requestor.id, ROLE);
  });
  afterEach(async () => {
    await s.close();
    while (open.length) await open.pop()!.close();
  });

  async function hook(answer: Parameters<typeof hookReceiver>[0], extra: Record<string, unknown> = {}) {
    const r = await hookReceiver(answer);
    open.push(r);
    const res = await call(s, 'POST', HOOKS, await s.admin(), {
      displayName: 'On-call roster',
      url: r.url,
      secret: SECRET,
      timeoutInMilliseconds: 500,
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return { ...r, id: res.json<{ id: string }>().id };
  }

  /** The body a hook received, after checking its Standard Webhooks signature. */
  const verified = (c: HookCall) => verify(SECRET, { ...c, status: 200 }, s.clock) as Record<string, unknown>;

  describe('ticket validation', () => {
    async function ticketHook(answer: Parameters<typeof hookReceiver>[0]) {
      const h = await hook(answer);
      await setActivationRules(t, ROLE, ['Justification', 'Ticketing']);
      await patchPolicy(t, ROLE, (rules) => {
        findRule(rules, 'Enablement_EndUser_Assignment')!.ticketValidationHookId = h.id;
      });
      return h;
    }

    it('a valid ticket activates; the hook gets a signed ticket.validate call; the answer is audited', async () => {
      const h = await ticketHook(() => ({ json: { valid: true } }));
      const res = await activate(t, await requestor.headers(), requestor.id, ROLE);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ status: 'Provisioned' });
      expect(h.calls).toHaveLength(1);
      expect(verified(h.calls[0]!)).toMatchObject({
        type: 'ticket.validate',
        version: 1,
        ticketNumber: 'INC-4711',
        ticketSystem: 'ServiceNow',
        principal: { id: requestor.id, type: 'user' },
        role: { id: ROLE, displayName: 'User Administrator' },
        scope: { resourceType: 'directoryRole', directoryScopeId: '/' },
        justification: 'INC-4711 password resets',
      });
      const [entry] = await auditOf(t, 'Add member to role requested (PIM activation)');
      expect(detailsOf(entry!)).toMatchObject({
        TicketValidationHookId: h.id,
        TicketValidationResult: 'valid',
        TicketValidationLatencyMs: expect.stringMatching(/^\d+$/),
      });
    });

    it('an invalid or closed ticket is refused with TicketingRule and the reason; nothing is written', async () => {
      await ticketHook(() => ({ json: { valid: false, reason: 'INC-4711 is closed' } }));
      const headers = await requestor.headers(); // signing in is audited too
      const before = await rowCounts(t);
      const res = await activate(t, headers, requestor.id, ROLE);
      expectGraphError(
        res,
        400,
        'RoleAssignmentRequestPolicyValidationFailed',
        'The following policy rules failed: ["TicketingRule"]',
      );
      expect(res.json().error.details).toEqual([
        {
          code: 'TicketingRule',
          message: 'The ticket was refused by the ticket validation hook: INC-4711 is closed',
          target: 'ticketInfo',
        },
      ]);
      const after = await rowCounts(t);
      expect({ ...after, audit: before.audit }).toEqual(before);
      expect(after.audit).toBe(before.audit! + 1); // the refusal, audited
      const [refused] = await auditOf(t, 'Add member to role requested (PIM activation)');
      expect(refused!.result).toBe('failure');
      expect(detailsOf(refused!)).toMatchObject({ TicketValidationResult: 'invalid' });
    });

    it.each([
      ['down (HTTP 500)', { status: 500, json: { error: 'boom' } }, /answered HTTP 500/],
      ['too slow', { delayMs: 2_000, json: { valid: true } }, /did not answer within 500 ms/],
      ['garbage', { raw: 'OK!' }, /did not answer with JSON/],
      ['malformed', { json: { valid: 'yes' } }, /is not \{"valid"/],
    ] as const)('a hook that is %s fails closed: refused, nothing written', async (_name, answer, why) => {
      await ticketHook(() => answer);
      const before = await rowCounts(t);
      const res = await activate(t, await requestor.headers(), requestor.id, ROLE);
      expectGraphError(res, 400, 'RoleAssignmentRequestPolicyValidationFailed');
      const [detail] = res.json().error.details as { code: string; message: string }[];
      expect(detail!.code).toBe('TicketingRule');
      expect(detail!.message).toMatch(/^The ticket could not be validated/);
      expect(detail!.message).toMatch(why);
      expect((await rowCounts(t)).requests).toBe(before.requests);
      expect((await rowCounts(t)).schedules).toBe(before.schedules);
    });

    it('an unreachable hook fails closed too', async () => {
      const h = await ticketHook(() => ({ json: { valid: true } }));
      await h.close();
      const res = await activate(t, await requestor.headers(), requestor.id, ROLE);
      expectGraphError(res, 400, 'RoleAssignmentRequestPolicyValidationFailed');
      expect(res.json().error.details[0].message).toMatch(/could not be validated \(could not reach/);
    });
  });

  describe('auto-decision of an approval stage', () => {
    async function stageHook(answer: Parameters<typeof hookReceiver>[0], more: Partial<ApprovalStage> = {}) {
      const h = await hook(answer);
      await requireApproval(t, ROLE, (setting) => {
        setting.approvalStages = [stage([approver.id], { decisionHookId: h.id, ...more })];
      });
      return h;
    }

    async function pending() {
      const res = await activate(t, await requestor.headers(), requestor.id, ROLE);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ status: 'PendingApproval' });
      return res.json<{ id: string }>().id;
    }

    it('approve: the hook is asked after commit and its decision grants, audited as the hook', async () => {
      const h = await stageHook(() => ({ json: { decision: 'approve', reason: 'On call this week' } }));
      const id = await pending();
      expect(h.calls).toHaveLength(0); // never inside the request
      await s.outbox.runOnce();
      expect(h.calls).toHaveLength(1);
      expect(verified(h.calls[0]!)).toMatchObject({
        type: 'approval.decide',
        request: { id, action: 'selfActivate', ticketNumber: 'INC-4711' },
        principal: { id: requestor.id },
        role: { id: ROLE },
        stage: { number: 1, approvalsRequired: 1, approvalsReceived: 0 },
      });
      expect((await requestOf(t, await requestor.headers(), id)).status).toBe('Provisioned');
      const [step] = await stepsOf(t, await requestor.headers(), id);
      expect(step).toMatchObject({
        status: 'Completed',
        reviewResult: 'Approved',
        justification: 'On call this week',
        reviewedBy: { id: h.id },
      });
      const [approved] = await auditOf(t, 'Add member to role request approved (PIM activation)');
      const entry = JSON.parse(approved!.payload) as { initiatedBy: { app: { displayName: string } } };
      expect(entry.initiatedBy.app.displayName).toBe('Decision hook: On-call roster');
      expect(detailsOf(approved!)).toMatchObject({
        DecisionHookId: h.id,
        DecisionHookLatencyMs: expect.stringMatching(/^\d+$/),
      });
      expect(await auditOf(t, 'Add member to role completed (PIM activation)')).toHaveLength(1);
      // Delivered again (at least once): the decided stage is left alone, the hook not asked again.
      await s.outbox.runOnce();
      expect(h.calls).toHaveLength(1);
    });

    it('deny: the request is denied', async () => {
      await stageHook(() => ({ json: { decision: 'deny', reason: 'Not on call' } }));
      const id = await pending();
      await s.outbox.runOnce();
      expect((await requestOf(t, await requestor.headers(), id)).status).toBe('Denied');
      expect(await auditOf(t, 'Add member to role request denied (PIM activation)')).toHaveLength(1);
    });

    it.each([
      ['defers', { json: { decision: 'defer', reason: 'Not on the roster' } }, 'success'],
      ['is too slow', { delayMs: 2_000, json: { decision: 'approve' } }, 'failure'],
      ['answers 500', { status: 500 }, 'failure'],
      ['answers garbage', { json: { decision: 'yes please' } }, 'failure'],
    ] as const)(
      'a hook that %s leaves the stage to its approvers, audited; they still decide',
      async (_n, answer, result) => {
        await stageHook(() => answer);
        const id = await pending();
        await s.outbox.runOnce();
        expect((await requestOf(t, await requestor.headers(), id)).status).toBe('PendingApproval');
        const [fallback] = await auditOf(
          t,
          'Add member to role approval left to approvers by decision hook (PIM activation)',
        );
        expect(fallback!.result).toBe(result);
        expect(detailsOf(fallback!)).toMatchObject({
          DecisionHookAnswer: result === 'success' ? 'defer' : 'none',
        });
        const [step] = await stepsOf(t, await approver.headers(), id);
        expect(step).toMatchObject({ status: 'InProgress', assignedToMe: true });
        const res = await patchStep(t, await approver.headers(), id, step!.id, {
          reviewResult: 'Approve',
          justification: 'Checked by phone',
        });
        expect(res.statusCode, res.body).toBe(204);
        expect((await requestOf(t, await requestor.headers(), id)).status).toBe('Provisioned');
      },
    );

    it('with a quorum of 2 the hook counts once: a human makes the second approval', async () => {
      const h = await stageHook(() => ({ json: { decision: 'approve' } }), { approvalsRequired: 2 });
      // The quorum may name more approvers than users when a hook is one of them.
      const second = await signedInUser(t, s.clock);
      await requireApproval(t, ROLE, (setting) => {
        setting.approvalStages = [
          stage([approver.id, second.id], { decisionHookId: h.id, approvalsRequired: 2 }),
        ];
      });
      const id = await pending();
      await s.outbox.runOnce();
      expect((await requestOf(t, await requestor.headers(), id)).status).toBe('PendingApproval');
      const [half] = await stepsOf(t, await approver.headers(), id);
      expect(half).toMatchObject({ '@elevate.approvalsReceived': 1, status: 'InProgress' });
      const res = await patchStep(t, await approver.headers(), id, half!.id, { reviewResult: 'Approve' });
      expect(res.statusCode, res.body).toBe(204);
      expect((await requestOf(t, await requestor.headers(), id)).status).toBe('Provisioned');
      const approved = await auditOf(t, 'Add member to role request approved (PIM activation)');
      expect(approved.map(detailsOf).map((d) => d.ApprovalsCounted)).toEqual(['1 of 2', '2 of 2']);
    });
  });

  describe('configuration', () => {
    it('the secret is write-only; role settings read back the hook ids as annotations', async () => {
      const h = await hook(() => ({ json: {} }));
      const read = await call(s, 'GET', `${HOOKS}/${h.id}`, await s.admin());
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual({
        '@odata.context': expect.any(String),
        id: h.id,
        displayName: 'On-call roster',
        url: h.url,
        timeoutInMilliseconds: 500,
        createdDateTime: expect.any(String),
        lastModifiedDateTime: expect.any(String),
      });
      expect(read.body).not.toContain('whsec_');
      const policyId = await policyOf();
      const patched = await call(
        s,
        'PATCH',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`,
        await s.admin(),
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
          enabledRules: ['Justification', 'Ticketing'],
          '@elevate.ticketValidationHookId': h.id,
        },
      );
      expect(patched.statusCode, patched.body).toBe(204);
      const rule = await call(
        s,
        'GET',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`,
        await s.admin(),
      );
      expect(rule.json()).toMatchObject({ '@elevate.ticketValidationHookId': h.id });
    });

    async function policyOf(): Promise<string> {
      return (
        await t.db.kysely
          .selectFrom('role_management_policies')
          .select('id')
          .where('role_definition_id', '=', ROLE)
          .where('scope_id', '=', '/')
          .executeTakeFirstOrThrow()
      ).id;
    }

    it('bad hook configuration is refused in the Graph envelope and changes nothing', async () => {
      const admin = await s.admin();
      const good = { displayName: 'Tickets', url: 'https://tickets.contoso.test/validate', secret: SECRET };
      const countHooks = async () =>
        Number(
          (
            await t.db.kysely
              .selectFrom('decision_hooks')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const body of [
        { ...good, url: 'ftp://tickets.contoso.test/validate' },
        { ...good, secret: undefined },
        { ...good, secret: 'not-a-secret' },
        { ...good, timeoutInMilliseconds: 10_001 },
        { ...good, timeoutInMilliseconds: 50 },
        { ...good, displayName: '' },
      ]) {
        expectGraphError(await call(s, 'POST', HOOKS, admin, body), 400);
      }
      expect(await countHooks()).toBe(0);

      // Plain http only where the operator allows it.
      const strict = await notifyServer({
        notifications: { allowHttpWebhooks: false },
        requireMfaRegistration: false,
      });
      open.push(strict);
      expectGraphError(
        await call(strict, 'POST', HOOKS, await strict.admin(), {
          ...good,
          url: 'http://tickets.contoso.test/v',
        }),
        400,
        'invalidRequest',
        /must use https/,
      );

      // Role settings may name only hooks of the tenant.
      const policyId = await policyOf();
      const before = await t.db.kysely.selectFrom('role_management_policies').selectAll().execute();
      const unknown = '0b4e9f5e-2a49-4d8c-9c55-000000000001';
      const enablement = await call(
        s,
        'PATCH',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_EndUser_Assignment`,
        admin,
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
          '@elevate.ticketValidationHookId': unknown,
        },
      );
      expectGraphError(enablement, 400, 'invalidRequest', /names no decision hook of this tenant/);
      const approval = await call(
        s,
        'PATCH',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`,
        admin,
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
          setting: {
            isApprovalRequired: true,
            isApprovalRequiredForExtension: false,
            isRequestorJustificationRequired: true,
            approvalMode: 'SingleStage',
            approvalStages: [
              {
                approvalStageTimeOutInDays: 1,
                isApproverJustificationRequired: false,
                primaryApprovers: [],
                '@elevate.decisionHookId': unknown,
              },
            ],
          },
        },
      );
      expectGraphError(approval, 400, 'invalidRequest', /names no decision hook of this tenant/);
      const adminRule = await call(
        s,
        'PATCH',
        `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Enablement_Admin_Assignment`,
        admin,
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
          '@elevate.ticketValidationHookId': unknown,
        },
      );
      expectGraphError(adminRule, 400, 'invalidRequest', /applies to activation only/);
      expect(await t.db.kysely.selectFrom('role_management_policies').selectAll().execute()).toEqual(before);
      // Unknown hook ids answer 404.
      expectGraphError(await call(s, 'GET', `${HOOKS}/${unknown}`, admin), 404);
    });

    it('other people cannot manage hooks', async () => {
      const res = await call(s, 'POST', HOOKS, await requestor.headers(), {
        displayName: 'Mine',
        url: 'https://tickets.contoso.test/validate',
        secret: SECRET,
      });
      expectGraphError(res, 403);
      expect(await auditOf(t, 'Add decision hook')).toHaveLength(1); // the refusal
    });
  });
});
