import type { AuditActivity } from '../../domain/audit/activities.js';
import { auditDraft } from '../../domain/audit/draft.js';
import type { AuditDraft, Initiator, KeyValue, TargetResource } from '../../domain/audit/entry.js';
import { principalTarget } from '../../domain/audit/targets.js';
import type { PrincipalType } from '../../domain/directory/types.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import type { Caller } from '../authorization/caller.js';
import type { Stores, UnitOfWork } from '../ports.js';

/** Who the caller is, as an audit entry names them: read live, in the same transaction. */
export async function initiatorOf(tx: Stores, caller: Caller): Promise<Initiator> {
  if (caller.kind === 'user') {
    const user = await tx.users.get(caller.tenantId, caller.id);
    return {
      user: {
        id: caller.id,
        displayName: user?.displayName ?? null,
        userPrincipalName: user?.userPrincipalName ?? null,
        ipAddress: caller.ipAddress,
      },
      app: null,
    };
  }
  const sp = await tx.servicePrincipals.get(caller.tenantId, caller.id);
  return {
    user: null,
    app: {
      appId: caller.appId ?? sp?.appId ?? null,
      displayName: sp?.displayName ?? null,
      servicePrincipalId: caller.id,
      servicePrincipalName: sp?.displayName ?? null,
      ipAddress: caller.ipAddress,
    },
  };
}

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
export interface ChangeDescription {
  activity: AuditActivity;
  targets: TargetResource[];
  additionalDetails?: KeyValue[];
  justification?: string | null;
  ticket?: string | null;
}

/**
 * The entry for a change the caller makes, ready for `tx.audit.append` in the same transaction.
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
  return auditDraft({
    id,
    tenantId: caller.tenantId,
    now,
    initiatedBy: await initiatorOf(tx, caller),
    context: { userAgent: caller.userAgent, amr: caller.amr, correlationId: caller.correlationId },
    ...change,
  });
}

/**
 * Runs a state-changing use case and, when it is refused for lack of privilege, records the
 * attempt as a `failure` entry in a transaction of its own (the refused one rolled back and
 * changed nothing), then rethrows. Not-found and validation errors are not recorded: they are
 * answered before anything is attempted.
 */
export function recordDenials(deps: { uow: UnitOfWork; newId: () => string }) {
  return async function denied<T>(
    caller: Caller,
    now: number,
    attempt: ChangeDescription,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ForbiddenError) {
        await deps.uow.run(async (tx) =>
          tx.audit.append(
            await changeEntry(tx, caller, deps.newId(), now, {
              ...attempt,
              result: 'failure',
              resultReason: e.message,
            }),
          ),
        );
      }
      throw e;
    }
  };
}
