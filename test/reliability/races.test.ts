// The race set on PostgreSQL with two server processes over one database, requests split between
// them: of each set of conflicting writes exactly one wins, the losers get the documented refusal,
// the state afterwards is the winner's, and the audit chain verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { BUDGET, random, SEED } from './support/budget.js';
import { sharedDatabase, type SharedDatabase } from './support/database.js';
import { bearer, outcome, send, type Headers, type Reply } from './support/http.js';
import { auditVerify, integrityProblems } from './support/integrity.js';
import {
  cliEnv,
  deployment,
  killAll,
  startReplica,
  type Deployment,
  type ServerProcess,
} from './support/server-process.js';
import {
  APPROVALS,
  ASSIGNMENT_REQUESTS,
  DIR,
  ELIGIBILITY_REQUESTS,
  firstStepId,
  ROLES,
  selfActivation,
  Tenant,
  type App,
} from './support/tenant.js';

const ACTIVATED_ROLE = ROLES.billingAdministrator;
const APPROVAL_ROLE = ROLES.complianceAdministrator;
const REMOVED_ROLE = ROLES.licenseAdministrator;

describe(`races across two server processes (seed ${SEED})`, skipFor(postgresOnly), () => {
  let database: SharedDatabase;
  let d: Deployment;
  let a: ServerProcess;
  let b: ServerProcess;
  let tenant: Tenant;
  let approvers: Headers[];

  beforeAll(async () => {
    database = await sharedDatabase();
    d = await deployment(database, 2);
    a = await startReplica(d, 0);
    b = await startReplica(d, 1);
    tenant = new Tenant(d, a.base);
    await tenant.activationNeedsJustificationOnly(ACTIVATED_ROLE);
    await tenant.activationNeedsJustificationOnly(REMOVED_ROLE);
    const people = [await tenant.createUser('approver-a'), await tenant.createUser('approver-b')];
    await tenant.requireApproval(
      APPROVAL_ROLE,
      people.map((p) => p.id),
    );
    // Each approver signs in on a different replica; tokens are good at both.
    approvers = [
      bearer(await tenant.signIn(people[0]!, a.base)),
      bearer(await tenant.signIn(people[1]!, b.base)),
    ];
  }, BUDGET.testTimeoutMs);

  afterAll(async () => {
    if (database) {
      expect(await integrityProblems(database.db), 'half-written state').toEqual([]);
      const verified = await auditVerify(cliEnv(d));
      expect(verified.ok, verified.output).toBe(true);
    }
    await killAll();
    await database?.drop();
  });

  const rnd = random(SEED);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /**
   * Two writes at once. Left alone, the same side wins every time (the cheaper request reaches the
   * compare-and-set first); from the second round on one side, chosen at random, starts up to 40
   * ms later, so both orders of commit are exercised over the rounds.
   */
  async function together<A, B>(
    round: number,
    left: () => Promise<A>,
    right: () => Promise<B>,
  ): Promise<[A, B]> {
    const delay = round === 0 ? 0 : rnd() * 40;
    const late = rnd() < 0.5;
    return Promise.all([
      (async () => (late ? sleep(delay) : undefined))().then(left),
      (async () => (late ? undefined : sleep(delay)))().then(right),
    ]);
  }

  /** Replica A for even `i`, B for odd. */
  const via = (i: number) => (i % 2 === 0 ? a.base : b.base);

  /** A fresh workload eligible for `role`, with a token from each replica's point of view. */
  async function workload(role: string): Promise<{ app: App; headers: Headers }> {
    const app = await tenant.createApp(`racer ${Math.random().toString(36).slice(2, 8)}`);
    await tenant.makeEligible(app.id, role);
    return { app, headers: bearer(await tenant.tokenOf(app)) };
  }

  /** Active assignment schedules of the principal for the role whose window holds now. */
  async function activeNow(principalId: string, role: string): Promise<number> {
    const now = Date.now();
    const rows = await database.db.kysely
      .selectFrom('pim_schedules')
      .select(['id', 'start_at', 'end_at', 'status'])
      .where('kind', '=', 'assignment')
      .where('principal_id', '=', principalId)
      .where('role_definition_id', '=', role)
      .execute();
    return rows.filter((r) => Number(r.start_at) <= now && (r.end_at === null || now < Number(r.end_at)))
      .length;
  }

  async function requestStatus(id: string): Promise<string> {
    const row = await database.db.kysely
      .selectFrom('pim_schedule_requests')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.status;
  }

  /** A workload's activation waiting for approval, and its step as the approvers see it. */
  async function pendingApproval(): Promise<{ app: App; headers: Headers; id: string; stepId: string }> {
    const w = await workload(APPROVAL_ROLE);
    const res = await send(a.base, 'POST', ASSIGNMENT_REQUESTS, {
      headers: w.headers,
      json: selfActivation(w.app.id, APPROVAL_ROLE),
    });
    expect(res.status, res.text).toBe(201);
    expect((res.json as { status: string }).status).toBe('PendingApproval');
    const id = (res.json as { id: string }).id;
    return { ...w, id, stepId: await firstStepId(a.base, approvers[0]!, id) };
  }

  const decide = (i: number, id: string, stepId: string, reviewResult: 'Approve' | 'Deny') =>
    send(via(i), 'PATCH', `${APPROVALS}/${id}/steps/${stepId}`, {
      headers: approvers[i]!,
      json: { reviewResult, justification: 'race' },
    });

  it(
    `${BUDGET.racingActivations} × selfActivate of one eligibility: one 201, every other 400 RoleAssignmentExists`,
    async () => {
      for (let round = 0; round < BUDGET.raceRounds; round += 1) {
        const w = await workload(ACTIVATED_ROLE);
        const results = await Promise.all(
          Array.from({ length: BUDGET.racingActivations }, (_, i) =>
            send(via(i), 'POST', ASSIGNMENT_REQUESTS, {
              headers: w.headers,
              json: selfActivation(w.app.id, ACTIVATED_ROLE),
            }),
          ),
        );
        const outcomes = results.map(outcome);
        expect(
          outcomes.filter((o) => o === '201'),
          outcomes.join(', '),
        ).toHaveLength(1);
        expect(
          outcomes.filter((o) => o === '400 RoleAssignmentExists'),
          outcomes.join(', '),
        ).toHaveLength(BUDGET.racingActivations - 1);
        expect(await activeNow(w.app.id, ACTIVATED_ROLE)).toBe(1);
        // Both replicas read the one instance.
        for (const base of [a.base, b.base]) {
          const res = await send(
            base,
            'GET',
            `${DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`,
            { headers: w.headers },
          );
          expect(res.status, res.text).toBe(200);
          const value = (res.json as { value: { roleDefinitionId: string }[] }).value;
          expect(value.filter((v) => v.roleDefinitionId === ACTIVATED_ROLE)).toHaveLength(1);
        }
      }
    },
    BUDGET.testTimeoutMs,
  );

  it(
    'two approvers decide one stage at once: one 204, one 409, and the request follows the winner',
    async () => {
      for (let round = 0; round < BUDGET.raceRounds * 2; round += 1) {
        const p = await pendingApproval();
        // Alternate: both approve, or one approves while the other denies.
        const second = round % 2 === 0 ? 'Approve' : 'Deny';
        const [first, other] = await together(
          round,
          () => decide(0, p.id, p.stepId, 'Approve'),
          () => decide(1, p.id, p.stepId, second),
        );
        const outcomes = [outcome(first), outcome(other)];
        expect(outcomes.sort(), outcomes.join(', ')).toEqual(['204', '409 conflict']);
        const winner = first.status === 204 ? 'Approve' : second;
        const status = await requestStatus(p.id);
        expect(status).toBe(winner === 'Approve' ? 'Provisioned' : 'Denied');
        expect(await activeNow(p.app.id, APPROVAL_ROLE)).toBe(winner === 'Approve' ? 1 : 0);
      }
    },
    BUDGET.testTimeoutMs,
  );

  it(
    'approve against cancel: exactly one wins, and the request is granted or canceled accordingly',
    async () => {
      const seen = new Set<string>();
      for (let round = 0; round < BUDGET.raceRounds * 2; round += 1) {
        const p = await pendingApproval();
        const [approve, cancel] = await together(
          round,
          () => decide(round % 2, p.id, p.stepId, 'Approve'),
          () => send(via(round + 1), 'POST', `${ASSIGNMENT_REQUESTS}/${p.id}/cancel`, { headers: p.headers }),
        );
        const pair = `approve ${outcome(approve)}, cancel ${outcome(cancel)}`;
        seen.add(pair);
        const status = await requestStatus(p.id);
        if (approve.status === 204) {
          expect(cancel.status, pair).toBeGreaterThanOrEqual(400);
          expect(status, pair).toBe('Provisioned');
          expect(await activeNow(p.app.id, APPROVAL_ROLE), pair).toBe(1);
        } else {
          expect(cancel.status, pair).toBe(204);
          expect(outcome(approve), pair).toBe('409 conflict');
          expect(status, pair).toBe('Canceled');
          expect(await activeNow(p.app.id, APPROVAL_ROLE), pair).toBe(0);
        }
        expectLoser(approve.status === 204 ? cancel : approve, pair);
      }
      console.info(`approve vs cancel (seed ${SEED}): ${[...seen].join('; ')}`);
    },
    BUDGET.testTimeoutMs,
  );

  it(
    'adminRemove of an eligibility against its selfActivate: the removal wins either way, nothing stays active',
    async () => {
      const seen = new Set<string>();
      for (let round = 0; round < BUDGET.raceRounds * 2; round += 1) {
        const w = await workload(REMOVED_ROLE);
        const admin = await tenant.admin();
        const [removal, activation] = await together(
          round,
          () =>
            send(via(round), 'POST', ELIGIBILITY_REQUESTS, {
              headers: admin,
              json: {
                action: 'adminRemove',
                principalId: w.app.id,
                roleDefinitionId: REMOVED_ROLE,
                directoryScopeId: '/',
                justification: 'race',
              },
            }),
          () =>
            send(via(round + 1), 'POST', ASSIGNMENT_REQUESTS, {
              headers: w.headers,
              json: selfActivation(w.app.id, REMOVED_ROLE),
            }),
        );
        const rules =
          activation.code === undefined
            ? ''
            : ` ${(activation.json as { error: { message: string } }).error.message.slice(35)}`;
        const pair = `adminRemove ${outcome(removal)}, selfActivate ${outcome(activation)}${rules}`;
        seen.add(pair);
        expect(removal.status, pair).toBe(201);
        if (activation.status !== 201) {
          expect(outcome(activation), pair).toBe('400 RoleAssignmentRequestPolicyValidationFailed');
          // EligibilityRule when the removal committed before the activation read the time;
          // ExpirationRule ("would outlive the eligibility") when the activation read the time first
          // and then waited for the removal on the eligibility's slot.
          expect((activation.json as { error: { message: string } }).error.message, pair).toMatch(
            /^The following policy rules failed: \["(EligibilityRule|ExpirationRule)"\]$/,
          );
        }
        // Whichever ran first, the activation does not outlive the eligibility.
        expect(await activeNow(w.app.id, REMOVED_ROLE), pair).toBe(0);
        const instances = await send(
          via(round),
          'GET',
          `${DIR}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`,
          { headers: w.headers },
        );
        expect(instances.status, instances.text).toBe(200);
        expect((instances.json as { value: unknown[] }).value, pair).toEqual([]);
      }
      console.info(`adminRemove vs selfActivate (seed ${SEED}): ${[...seen].join('; ')}`);
    },
    BUDGET.testTimeoutMs,
  );
});

/** A loser's answer is a Graph error envelope, never a 5xx. */
function expectLoser(res: Reply, context: string): void {
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.code, context).toBeTypeOf('string');
}
