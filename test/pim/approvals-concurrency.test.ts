// Invariant 4 for approvals with real concurrency (PostgreSQL): two approvers deciding one stage
// give one decision and one 409; two simultaneous activations that need approval give one
// pending request and one PendingRoleAssignmentRequest; two sweepers record a timeout once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeExpiryRecorder } from '../../src/app/pim/expiry.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import type { TestServer } from '../helpers/server.js';
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
import { auditOf, DAY, ManualClock, pimServer, USER_ADMINISTRATOR } from './support.js';

const ROLE = USER_ADMINISTRATOR;
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });

describe('concurrent approvals (PostgreSQL)', skipFor(postgresOnly), () => {
  let s: TestServer;
  let clock: ManualClock;
  let requestor: TestUser;
  let approvers: TestUser[];

  beforeEach(async () => {
    ({ s, clock } = await pimServer());
    requestor = await signedInUser(s, clock);
    approvers = [await signedInUser(s, clock), await signedInUser(s, clock)];
    await makeEligible(s, clock, requestor.id, ROLE);
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = approvers.map((a) => single(a.id));
      setting.approvalStages[0]!.isApproverJustificationRequired = false;
    });
  });
  afterEach(async () => s.close());

  it('two approvers racing on one stage (approve vs deny, many rounds): exactly one 204 and one 409', async () => {
    for (let round = 0; round < 5; round += 1) {
      const res = await activate(s, await requestor.headers(), requestor.id, ROLE);
      expect(res.statusCode, res.body).toBe(201);
      const { id } = res.json<{ id: string }>();
      const [step] = await stepsOf(s, await requestor.headers(), id);
      // Minted one after the other: minting fakes the global Date for its duration.
      const headers = [await approvers[0]!.headers(), await approvers[1]!.headers()];
      const results = await Promise.all([
        patchStep(s, headers[0]!, id, step!.id, { reviewResult: 'Approve' }),
        patchStep(s, headers[1]!, id, step!.id, { reviewResult: 'Deny' }),
      ]);
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes, results.map((r) => r.body).join(' ')).toEqual([204, 409]);
      const winner = results[0].statusCode === 204 ? 'Provisioned' : 'Denied';
      expect((await requestOf(s, await requestor.headers(), id)).status).toBe(winner);
      const decided = await stepsOf(s, await requestor.headers(), id);
      expect(decided[0]!.reviewResult).toBe(winner === 'Provisioned' ? 'Approved' : 'Denied');
      if (winner === 'Provisioned') {
        // Deactivation is not allowed in the first 5 minutes; let it expire instead.
        clock.advance(3 * 60 * 60 * 1000);
      }
    }
    const approved = await auditOf(s, 'Add member to role request approved (PIM activation)');
    const denied = await auditOf(s, 'Add member to role request denied (PIM activation)');
    expect(approved.length + denied.length).toBe(5);
  });

  it('two simultaneous activations needing approval: one PendingApproval, one PendingRoleAssignmentRequest', async () => {
    const headers = await requestor.headers();
    const results = await Promise.all([0, 1, 2, 3].map(() => activate(s, headers, requestor.id, ROLE)));
    const outcome = results.map((r) =>
      r.statusCode === 201
        ? r.json<{ status: string }>().status
        : r.json<{ error: { code: string } }>().error.code,
    );
    expect(outcome.sort()).toEqual([
      'PendingApproval',
      'PendingRoleAssignmentRequest',
      'PendingRoleAssignmentRequest',
      'PendingRoleAssignmentRequest',
    ]);
  });

  it('two sweepers at once record a timed-out approval once', async () => {
    const res = await activate(s, await requestor.headers(), requestor.id, ROLE);
    const { id } = res.json<{ id: string }>();
    clock.advance(DAY);
    const recorders = [0, 1, 2].map(() => makeExpiryRecorder({ uow: createUnitOfWork(s.db) }));
    await Promise.all(recorders.map((r) => r.recordBatch(clock.now(), 100)));
    expect(await auditOf(s, 'PIM activation request expired')).toHaveLength(1);
    expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Denied');
  });

  it('quorum 2 of 3, approvers deciding at once (many rounds): one decision per approver, the quorum reached once', async () => {
    const third = await signedInUser(s, clock);
    const all = [...approvers, third];
    await requireApproval(s, ROLE, (setting) => {
      setting.approvalStages[0]!.primaryApprovers = all.map((a) => single(a.id));
      setting.approvalStages[0]!.isApproverJustificationRequired = false;
      setting.approvalStages[0]!.approvalsRequired = 2;
    });
    for (let round = 0; round < 4; round += 1) {
      const res = await activate(s, await requestor.headers(), requestor.id, ROLE);
      expect(res.statusCode, res.body).toBe(201);
      const { id } = res.json<{ id: string }>();
      const [step] = await stepsOf(s, await requestor.headers(), id);
      const headers = [await all[0]!.headers(), await all[1]!.headers(), await all[2]!.headers()];
      // Round 0-1: two distinct approvers at once (both count, the second to commit grants).
      // Round 2-3: all three at once (two count and grant once; the third finds the stage decided),
      // plus the first approver twice (counted once).
      const racers =
        round < 2 ? [headers[0]!, headers[1]!] : [headers[0]!, headers[0]!, headers[1]!, headers[2]!];
      const results = await Promise.all(
        racers.map((h) => patchStep(s, h, id, step!.id, { reviewResult: 'Approve' })),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes, results.map((r) => r.body).join(' ')).toEqual(
        round < 2 ? [204, 204] : [204, 204, 409, 409],
      );
      expect((await requestOf(s, await requestor.headers(), id)).status).toBe('Provisioned');
      const decisions = await s.db.kysely
        .selectFrom('pim_approval_decisions')
        .select(['approver_id'])
        .where('step_id', '=', step!.id)
        .execute();
      expect(decisions).toHaveLength(2);
      expect(new Set(decisions.map((d) => d.approver_id)).size).toBe(2);
      clock.advance(3 * 60 * 60 * 1000);
    }
    expect(await auditOf(s, 'Add member to role completed (PIM activation)')).toHaveLength(4);
    expect(await auditOf(s, 'Add member to role request approved (PIM activation)')).toHaveLength(8);
  });
});
