import { isGuid } from '../../domain/shared/ids.js';
import type { Clock } from '../../domain/time/clock.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { EVALUATE_RULE } from '../../domain/authzen/permissions.js';
import { memberGroupsAt } from '../directory/member-groups.js';
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

/** `resource.type` of a permission question on the resource hierarchy, and on the directory. */
const RESOURCE_TYPES_OF_PERMISSIONS = new Set(['resource', 'scope', 'directory']);

const SUBJECT_TYPES = new Set(['user', 'group', 'servicePrincipal', 'identity']);

/**
 * AuthZEN Access Evaluation over live state: the answer is computed from the schedules at the
 * moment of the request (`start <= now < end`), never from a cache or a job, so an activation is
 * effective, and an expiry enforced, to the millisecond.
 */
export function makeAccessEvaluation(deps: { uow: UnitOfWork; clock: Clock }) {
  async function decide(
    tx: Parameters<Parameters<UnitOfWork['run']>[0]>[0],
    caller: Caller,
    q: AccessQuestion,
    now: number,
  ) {
    if (q.action.name !== HOLD) return decidePermission(tx, caller, q, now);
    if (q.resource.type !== 'role') return deny('unsupported_resource_type');
    if (!SUBJECT_TYPES.has(q.subject.type)) return deny('unsupported_subject_type');
    if (!isGuid(q.subject.id) || !isGuid(q.resource.id)) return deny('subject_or_resource_unknown');
    const scope = q.resource.properties?.directoryScopeId ?? '/';
    const subjectId = q.subject.id.toLowerCase();
    // Disabled principals hold nothing, here as everywhere in the API.
    if (await isDisabled(tx, caller.tenantId, subjectId)) return deny('subject_disabled');
    const groups = await memberGroupsAt(tx, caller.tenantId, subjectId, now);
    const instance = await tx.schedules.activeAssignment(
      caller.tenantId,
      [subjectId, ...groups],
      q.resource.id.toLowerCase(),
      scope,
      now,
    );
    if (!instance) return deny('not_active');
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
    if (await isDisabled(tx, caller.tenantId, subjectId)) return deny('subject_disabled');
    if (q.resource.type === 'directory' || isDirectoryPermission(q.action.name))
      return decideDirectoryPermission(tx, caller.tenantId, subjectId, q.action.name, now);
    return decideResourceAction(tx, caller.tenantId, subjectId, q.action.name, q.resource.id, now);
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

/** A user or service principal whose account is disabled now (unknown ids are not "disabled"). */
async function isDisabled(tx: Stores, tenantId: string, id: string): Promise<boolean> {
  const user = await tx.users.get(tenantId, id);
  if (user) return !user.accountEnabled;
  const sp = await tx.servicePrincipals.get(tenantId, id);
  return sp !== undefined && !sp.accountEnabled;
}
