import { accessDenied, type Attempted } from '../../domain/audit/audit-events.js';
import type { AuditDraft, TargetResource } from '../../domain/audit/entry.js';
import { principalTarget } from '../../domain/audit/targets.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Caller } from '../authorization/caller.js';
import { auditDrafts, recordRefusal } from '../events/event-log.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** A user, group or service principal as an audit target, named as it is now. */
export async function principalTargetOf(
  tx: Stores,
  tenantId: string,
  id: string,
  type?: PrincipalType,
): Promise<TargetResource> {
  const user = type === undefined || type === 'user' ? await tx.users.get(tenantId, id) : undefined;
  if (user) return principalTarget('user', id, user.displayName, user.userPrincipalName);
  const group = type === undefined || type === 'group' ? await tx.groups.get(tenantId, id) : undefined;
  if (group) return principalTarget('group', id, group.displayName);
  const sp =
    type === undefined || type === 'servicePrincipal'
      ? await tx.servicePrincipals.get(tenantId, id)
      : undefined;
  if (sp) return principalTarget('servicePrincipal', id, sp.displayName);
  return principalTarget(type, id);
}

/** What one audited change says, apart from who made it and when. */
export type ChangeDescription = Attempted;

/**
 * The entry for a change the caller makes, ready for `tx.audit.append` in the same transaction:
 * the entry the event log would write for `{ caller }`. Kept for the directory, role and policy
 * use cases until they record events (`tx.events.record`) themselves.
 * @param id the entry's id (from the use case's `newId`)
 * @param now the use case's single clock reading
 */
export async function changeEntry(
  tx: Stores,
  caller: Caller,
  id: string,
  now: number,
  change: ChangeDescription & { result?: 'success' | 'failure'; resultReason?: string },
): Promise<AuditDraft> {
  const [draft] = await auditDrafts(tx, { caller }, now, [change], () => id);
  return draft!;
}

/**
 * Runs a state-changing use case and, when it is refused for lack of privilege, records the
 * attempt (`authorization.denied`, a `failure` entry) with `recordRefusal`, in a transaction of its
 * own (the refused one rolled back and changed nothing), then rethrows. Not-found and validation
 * errors are not recorded: they are answered before anything is attempted.
 */
export function recordDenials(deps: { uow: UnitOfWork }) {
  return async function denied<T>(
    caller: Caller,
    now: number,
    attempt: ChangeDescription,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ForbiddenError)
        await recordRefusal(deps.uow, { caller }, now, accessDenied(attempt, e.message));
      throw e;
    }
  };
}
