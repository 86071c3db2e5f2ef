import type { KeyValue } from '../../domain/audit/entry.js';
import { parseDecisionAnswer } from '../../domain/decision-hooks/answers.js';
import type { DecisionHook } from '../../domain/decision-hooks/hook.js';
import { stepStatusAt, type ApprovalStep } from '../../domain/pim/approval.js';
import { PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { approvalEvent } from '../../domain/pim/pim-events.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { requestStatusAt } from '../../domain/pim/status.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Actor } from '../events/ports.js';
import type { OutboxConsumer } from '../outbox/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { decideStep } from '../pim/approvals.js';
import { subjectOf } from '../pim/principals.js';
import { retryOnConflict } from '../pim/retry.js';
import type { HookAsker } from './ask.js';

/** What came of asking a stage's hook. */
type Outcome =
  | { kind: 'decided'; decision: 'approve' | 'deny'; reason: string | null; latencyMs: number }
  | { kind: 'deferred'; reason: string | null; latencyMs: number }
  | { kind: 'failed'; reason: string; latencyMs: number };

interface Waiting {
  request: ScheduleRequest;
  step: ApprovalStep;
  hookId: string;
  hook: DecisionHook | undefined;
}

/**
 * The stage of a request that waits for its decision hook now: the request is pending, its
 * current stage is in progress, names a hook, and the hook has not decided it yet. Null otherwise.
 */
async function waitingStage(
  tx: Stores,
  tenantId: string,
  requestId: string,
  now: number,
): Promise<Waiting | null> {
  const request =
    (await tx.scheduleRequests.get(tenantId, 'assignment', requestId)) ??
    (await tx.scheduleRequests.get(tenantId, 'eligibility', requestId));
  if (request === undefined || requestStatusAt(request, now) !== 'PendingApproval') return null;
  const steps = await tx.approvalSteps.list(tenantId, request.id);
  const step = steps.find(
    (s) => s.status === 'InProgress' && stepStatusAt(s, 'PendingApproval', now) === 'InProgress',
  );
  const hookId = step?.decisionHookId ?? null;
  if (step === undefined || hookId === null) return null;
  if (step.decisions.some((d) => d.approverId === hookId)) return null;
  return { request, step, hookId, hook: await tx.decisionHooks.get(tenantId, hookId) };
}

/** The hook as the audit log names the initiator of its decisions: Elevate, acting for the hook. */
const hookActor = (tenantId: string, hookId: string, name: string | null): Actor => ({
  tenantId,
  initiatedBy: {
    user: null,
    app: {
      appId: null,
      displayName: `Decision hook: ${name ?? hookId}`,
      servicePrincipalId: null,
      servicePrincipalName: null,
      ipAddress: null,
    },
  },
});

/**
 * Auto-decision of approval stages (ADR 0025), an outbox consumer: when a request starts waiting
 * on a stage that names a decision hook (`pim.requestAccepted` as `PendingApproval`, or
 * `pim.approvalStepDecided` that started the next stage), it asks the hook (`approval.decide`)
 * outside any transaction, then records the answer in a unit of its own: `approve` / `deny` count
 * as one decision of the hook (through the same stage logic as a human's, so toward the quorum,
 * once), and `defer`, a timeout, an error or a malformed answer are audited and leave the stage to
 * its human approvers, who were notified when it started. A failing hook never grants. Delivered
 * at least once: a stage the hook already decided, or that moved on meanwhile, is left alone.
 */
export function makeApprovalHookConsumer(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  ask: HookAsker;
}): OutboxConsumer {
  async function ask(w: Waiting, tenantId: string): Promise<Outcome> {
    if (w.hook === undefined)
      return { kind: 'failed', reason: 'the decision hook no longer exists', latencyMs: 0 };
    const { request: r, step } = w;
    const subject = await deps.uow.run((tx) =>
      subjectOf(tx, tenantId, r.kind, r.roleDefinitionId, r.principalId),
    );
    const asked = await deps.ask(w.hook, 'approval.decide', {
      tenantId,
      request: {
        id: r.id,
        action: r.action,
        justification: r.justification,
        ticketNumber: r.ticketInfo.ticketNumber,
        ticketSystem: r.ticketInfo.ticketSystem,
        startDateTime: r.scheduleInfo === null ? null : new Date(r.scheduleInfo.startDateTime).toISOString(),
        expiration: r.scheduleInfo?.expiration ?? null,
        createdDateTime: new Date(r.createdAt).toISOString(),
      },
      principal: subject.principal,
      role: subject.role,
      scope: { resourceType: r.resourceType, directoryScopeId: r.directoryScopeId },
      stage: {
        id: step.id,
        number: step.stageIndex + 1,
        approvalsRequired: step.quorum,
        approvalsReceived: step.decisions.filter((d) => d.reviewResult === 'Approved').length,
        deadlineDateTime: step.deadlineAt === null ? null : new Date(step.deadlineAt).toISOString(),
      },
    });
    if (!asked.ok) return { kind: 'failed', reason: asked.error, latencyMs: asked.latencyMs };
    const answer = parseDecisionAnswer(asked.json);
    if ('malformed' in answer)
      return { kind: 'failed', reason: answer.malformed, latencyMs: asked.latencyMs };
    if (answer.decision === 'defer')
      return { kind: 'deferred', reason: answer.reason, latencyMs: asked.latencyMs };
    return { kind: 'decided', decision: answer.decision, reason: answer.reason, latencyMs: asked.latencyMs };
  }

  async function record(tenantId: string, asked: Waiting, outcome: Outcome): Promise<void> {
    const now = deps.clock.now();
    await retryOnConflict(() =>
      deps.uow.run(async (tx) => {
        const w = await waitingStage(tx, tenantId, asked.request.id, now);
        // Decided meanwhile (by people, by the hook in another delivery), timed out, or canceled.
        if (w === null || w.step.id !== asked.step.id) return;
        const name = w.hook?.displayName ?? asked.hook?.displayName ?? null;
        const actor = hookActor(tenantId, w.hookId, name);
        const details: KeyValue[] = [
          { key: 'DecisionHookId', value: w.hookId },
          { key: 'DecisionHookLatencyMs', value: String(outcome.latencyMs) },
        ];
        if (outcome.kind === 'decided') {
          const approve = outcome.decision === 'approve';
          const verb = approve ? 'Approved' : 'Denied';
          await decideStep(
            tx,
            deps.newId,
            { id: w.hookId, actor, details },
            w.request,
            w.step,
            {
              reviewResult: approve ? 'Approve' : 'Deny',
              justification: outcome.reason ?? `${verb} by decision hook '${name ?? w.hookId}'.`,
              approvedDuration: null,
            },
            now,
          );
          return;
        }
        const subject = await subjectOf(
          tx,
          tenantId,
          w.request.kind,
          w.request.roleDefinitionId,
          w.request.principalId,
        );
        const why =
          outcome.kind === 'deferred'
            ? `The decision hook deferred to the approvers${outcome.reason === null ? '.' : `: ${outcome.reason}`}`
            : `The decision hook gave no usable answer (${outcome.reason}); the approvers decide.`;
        // Audit only: the approvers were told when the stage started.
        const { payload: _published, ...audited } = approvalEvent(subject, {
          type: 'pim.approvalHookDeferred',
          activity: PIM_ACTIVITIES.activationApprovalHookDeferred,
          request: w.request,
          status: 'PendingApproval',
          window: null,
          justification: outcome.reason,
          details: [
            { key: 'ApprovalStage', value: String(w.step.stageIndex + 1) },
            ...details,
            { key: 'DecisionHookAnswer', value: outcome.kind === 'deferred' ? 'defer' : 'none' },
          ],
          ...(outcome.kind === 'failed' ? { result: 'failure' as const } : {}),
          resultReason: why,
        });
        tx.events.record(actor, now, audited);
      }),
    );
  }

  return {
    name: 'decisionHooks',
    accepts: (type) => type === 'pim.requestAccepted' || type === 'pim.approvalStepDecided',
    async handle(m) {
      const p = m.payload;
      if (p.status !== 'PendingApproval' || typeof p.requestId !== 'string') return;
      if (p.stageCompleted === false) return; // a quorum still waits: no stage started
      const now = deps.clock.now();
      const w = await deps.uow.run((tx) => waitingStage(tx, m.tenantId, p.requestId as string, now));
      if (w === null) return;
      await record(m.tenantId, w, await ask(w, m.tenantId));
    },
  };
}
