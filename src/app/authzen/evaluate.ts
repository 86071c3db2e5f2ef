import { isGuid } from '../../domain/shared/ids.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { UnitOfWork } from '../ports.js';
import { EVALUATE_RULE } from '../../domain/authzen/permissions.js';
import { holdFromDatabase, type HoldingsLookup, type HoldQuestion } from './holdings.js';

/** One AuthZEN question: may `subject` take `action` on `resource` now? */
export interface AccessQuestion {
  subject: { type: string; id: string };
  action: { name: string };
  resource: { type: string; id: string; properties?: { directoryScopeId?: string } };
}

/** AuthZEN decision; the context says why, and on `true` which instance holds and until when. */
export interface AccessDecision {
  decision: boolean;
  context: Record<string, string | number | null>;
}

/** The only action Elevate decides: holding a directory role (at a scope) at this moment. */
export const HOLD = 'hold';

const SUBJECT_TYPES = new Set(['user', 'group', 'servicePrincipal', 'identity']);

/**
 * AuthZEN Access Evaluation over live state: the answer is computed from the schedules at the
 * moment of the request (`start <= now < end`), never from a cache or a job, so an activation is
 * effective, and an expiry enforced, to the millisecond.
 */
export function makeAccessEvaluation(deps: {
  uow: UnitOfWork;
  clock: Clock;
  /** The in-memory holdings index (`holdings-index.ts`); without it every answer is read from the database. */
  holdings?: HoldingsLookup | undefined;
}) {
  async function decide(
    tx: Parameters<Parameters<UnitOfWork['run']>[0]>[0],
    caller: Caller,
    q: AccessQuestion,
    now: number,
  ) {
    if (q.action.name !== HOLD) return deny('unsupported_action');
    if (q.resource.type !== 'role') return deny('unsupported_resource_type');
    if (!SUBJECT_TYPES.has(q.subject.type)) return deny('unsupported_subject_type');
    if (!isGuid(q.subject.id) || !isGuid(q.resource.id)) return deny('subject_or_resource_unknown');
    const hold: HoldQuestion = {
      tenantId: caller.tenantId,
      subjectId: q.subject.id.toLowerCase(),
      roleDefinitionId: q.resource.id.toLowerCase(),
      directoryScopeId: q.resource.properties?.directoryScopeId ?? '/',
    };
    // From memory when the holdings index can answer; the database otherwise (same answer).
    const answer = deps.holdings?.hold(hold, now) ?? (await holdFromDatabase(tx, hold, now));
    if (!answer.held) return deny(answer.reason);
    const instance = answer.instance;
    return {
      decision: true,
      context: {
        instanceId: instance.id,
        assignmentType: instance.assignmentType,
        memberType: instance.memberType,
        endDateTime: instance.endDateTime === null ? null : new Date(instance.endDateTime).toISOString(),
        evaluatedAt: new Date(now).toISOString(),
      },
    };
  }

  return {
    /** @throws ForbiddenError when the caller lacks `Elevate.AccessEvaluation` */
    async evaluate(caller: Caller, questions: AccessQuestion[]): Promise<AccessDecision[]> {
      const now = deps.clock.now();
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, EVALUATE_RULE, now);
        const out: AccessDecision[] = [];
        for (const q of questions) out.push(await decide(tx, caller, q, now));
        return out;
      });
    },
  };
}

function deny(reason: string): AccessDecision {
  return { decision: false, context: { reason } };
}
