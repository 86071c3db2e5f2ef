import { isGuid } from '../../domain/shared/ids.js';
import type { Clock } from '../../domain/time/clock.js';
import { appMayAct, authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { UnitOfWork } from '../ports.js';
import { EVALUATE_RULE } from '../../domain/authzen/permissions.js';
import {
  holdFromDatabase,
  isDisabled,
  type HoldAnswer,
  type HoldingsLookup,
  type HoldQuestion,
} from './holdings.js';
import { decideDirectoryPermission, decideResourceAction, isDirectoryPermission } from './permission.js';

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

/**
 * Holding a directory role (at a scope) at this moment. Any other action name is a permission: an
 * RBAC action on a resource scope, or an Entra directory permission (`./permission.ts`).
 */
export const HOLD = 'hold';

/**
 * `resource.type` of a permission question: on the resource hierarchy (`resource`, `scope`), on the
 * directory as a whole (`directory`), or on one directory object (`user`, `group`: roles held at
 * the administrative units it is a member of count too, ADR 0042).
 */
const RESOURCE_TYPES_OF_PERMISSIONS = new Set(['resource', 'scope', 'directory', 'user', 'group']);
const DIRECTORY_OBJECT_TYPES = new Set(['user', 'group']);

/** Whether a permission question is about the directory (a directory permission or object). */
const isDirectoryQuestion = (q: AccessQuestion) =>
  q.resource.type === 'directory' ||
  DIRECTORY_OBJECT_TYPES.has(q.resource.type) ||
  isDirectoryPermission(q.action.name);

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
  /** The `hold` question `q` asks, or the denial its shape earns. */
  function holdQuestion(caller: Caller, q: AccessQuestion): HoldQuestion | AccessDecision {
    if (q.action.name !== HOLD) return deny('unsupported_action');
    if (q.resource.type !== 'role') return deny('unsupported_resource_type');
    if (!SUBJECT_TYPES.has(q.subject.type)) return deny('unsupported_subject_type');
    if (!isGuid(q.subject.id) || !isGuid(q.resource.id)) return deny('subject_or_resource_unknown');
    return {
      tenantId: caller.tenantId,
      subjectId: q.subject.id.toLowerCase(),
      roleDefinitionId: q.resource.id.toLowerCase(),
      directoryScopeId: q.resource.properties?.directoryScopeId ?? '/',
    };
  }

  async function decide(
    tx: Parameters<Parameters<UnitOfWork['run']>[0]>[0],
    caller: Caller,
    q: AccessQuestion,
    now: number,
    evaluatedAt: string,
  ) {
    if (q.action.name !== HOLD) return decidePermission(tx, caller, q, now);
    const hold = holdQuestion(caller, q);
    if ('decision' in hold) return hold;
    // From memory when the holdings index can answer; the database otherwise (same answer).
    const answer = deps.holdings?.hold(hold, now) ?? (await holdFromDatabase(tx, hold, now));
    return decisionOf(answer, evaluatedAt);
  }

  /**
   * Every answer without the database, or undefined when one needs it: the caller is an
   * application (its permission is in the resolved caller) and the holdings index answers each
   * `hold` question. Anything else takes the transaction below, which answers the same.
   */
  function fromMemory(caller: Caller, questions: AccessQuestion[], now: number, evaluatedAt: string) {
    const index = deps.holdings;
    if (!index || caller.kind !== 'app' || !appMayAct(caller, EVALUATE_RULE)) return undefined;
    const out: AccessDecision[] = [];
    for (const q of questions) {
      if (q.action.name !== HOLD) {
        const answer = permissionFromMemory(index, caller, q, now);
        if (!answer) return undefined;
        out.push(answer);
        continue;
      }
      const hold = holdQuestion(caller, q);
      if ('decision' in hold) {
        out.push(hold);
        continue;
      }
      const answer = index.hold(hold, now);
      if (!answer) return undefined;
      out.push(decisionOf(answer, evaluatedAt));
    }
    return out;
  }

  /**
   * A permission question from memory, with the same checks in the same order as
   * `decidePermission`: an RBAC action on a resource scope is answered by the index; a directory
   * permission (it reads role definitions and administrative units) or an account the index does
   * not know takes the database.
   */
  function permissionFromMemory(
    index: HoldingsLookup,
    caller: Caller,
    q: AccessQuestion,
    now: number,
  ): AccessDecision | undefined {
    if (!RESOURCE_TYPES_OF_PERMISSIONS.has(q.resource.type)) return deny('unsupported_action');
    if (!SUBJECT_TYPES.has(q.subject.type)) return deny('unsupported_subject_type');
    if (!isGuid(q.subject.id)) return deny('subject_or_resource_unknown');
    if (isDirectoryQuestion(q)) return undefined;
    if (!index.resourcePermission || !index.account) return undefined;
    const subjectId = q.subject.id.toLowerCase();
    const account = index.account(caller.tenantId, subjectId);
    if (account === undefined) return undefined;
    if (account?.enabled === false) return deny('subject_disabled');
    return index.resourcePermission(
      { tenantId: caller.tenantId, subjectId, action: q.action.name, resourceId: q.resource.id },
      now,
    );
  }

  /**
   * "May P perform A on X now?": an RBAC action on a registered resource scope (`resource.type`
   * `resource` or `scope`), or a directory permission (`microsoft.directory/…`, or `resource.type`
   * `directory`), resolved from live state (docs/enforcement.md).
   */
  async function decidePermission(
    tx: Parameters<Parameters<UnitOfWork['run']>[0]>[0],
    caller: Caller,
    q: AccessQuestion,
    now: number,
  ): Promise<AccessDecision> {
    if (!RESOURCE_TYPES_OF_PERMISSIONS.has(q.resource.type)) return deny('unsupported_action');
    if (!SUBJECT_TYPES.has(q.subject.type)) return deny('unsupported_subject_type');
    if (!isGuid(q.subject.id)) return deny('subject_or_resource_unknown');
    const subjectId = q.subject.id.toLowerCase();
    const onObject = DIRECTORY_OBJECT_TYPES.has(q.resource.type);
    if (onObject && !isGuid(q.resource.id)) return deny('subject_or_resource_unknown');
    if (await isDisabled(tx, caller.tenantId, subjectId)) return deny('subject_disabled');
    if (isDirectoryQuestion(q)) {
      const objectId = onObject ? q.resource.id.toLowerCase() : undefined;
      return decideDirectoryPermission(tx, caller.tenantId, subjectId, q.action.name, now, objectId);
    }
    return decideResourceAction(tx, caller.tenantId, subjectId, q.action.name, q.resource.id, now);
  }

  return {
    /** @throws ForbiddenError when the caller lacks `Elevate.AccessEvaluation` */
    async evaluate(caller: Caller, questions: AccessQuestion[]): Promise<AccessDecision[]> {
      const now = deps.clock.now();
      // Every answer of one request is evaluated at the same instant; its text is made once.
      const evaluatedAt = new Date(now).toISOString();
      const answered = fromMemory(caller, questions, now, evaluatedAt);
      if (answered) return answered;
      return deps.uow.run(async (tx) => {
        await authorize(tx, caller, EVALUATE_RULE, now);
        const out: AccessDecision[] = [];
        for (const q of questions) out.push(await decide(tx, caller, q, now, evaluatedAt));
        return out;
      });
    },
  };
}

function decisionOf(answer: HoldAnswer, evaluatedAt: string): AccessDecision {
  if (!answer.held) return deny(answer.reason);
  const instance = answer.instance;
  return {
    decision: true,
    context: {
      instanceId: instance.id,
      assignmentType: instance.assignmentType,
      memberType: instance.memberType,
      endDateTime: instance.endDateTime === null ? null : new Date(instance.endDateTime).toISOString(),
      evaluatedAt,
    },
  };
}

function deny(reason: string): AccessDecision {
  return { decision: false, context: { reason } };
}
