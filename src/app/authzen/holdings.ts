import type { Stores } from '../ports.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { PermissionAnswer } from './resource-grant.js';

/**
 * The answer to "does `subject` hold `role` at `scope` at `now`?": the `hold` action of AuthZEN.
 * On `held`, the instance that holds (the direct assignment first, else the PIM instance ending
 * last, a permanent one before any other) and its end.
 */
export type HoldAnswer =
  | { held: false; reason: 'subject_disabled' | 'not_active' }
  | {
      held: true;
      instance: {
        id: string;
        assignmentType: string | null;
        memberType: string;
        endDateTime: number | null;
      };
    };

/** One `hold` question, its ids already validated and lower-cased. */
export interface HoldQuestion {
  tenantId: string;
  subjectId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** One permission question on the resource hierarchy: may `subjectId` perform `action` on `resourceId`? */
export interface ResourcePermissionQuestion {
  tenantId: string;
  /** Lower-cased. */
  subjectId: string;
  action: string;
  /** As asked (checked by the answer: a malformed path is `invalid_resource`). */
  resourceId: string;
}

/**
 * The seam between AuthZEN and what answers `hold` from memory (`HoldingsIndex`). `undefined` means
 * "cannot answer now" (not loaded yet, over its memory bound, or behind a failed refresh): the
 * caller then asks the database (`holdFromDatabase`), which is always right.
 */
export interface HoldingsLookup {
  hold(q: HoldQuestion, now: number): HoldAnswer | undefined;
  /**
   * An RBAC action on a resource scope (the subject already known not to be disabled), as
   * `decideResourceAction` answers it; `undefined` when the index cannot say.
   */
  resourcePermission?(q: ResourcePermissionQuestion, now: number): PermissionAnswer | undefined;
  /**
   * A user's or service principal's account as committed: `null` when no such user or service
   * principal exists, `undefined` when the index cannot say (ask the database).
   */
  account?(tenantId: string, principalId: string): Account | null | undefined;
}

/** What caller resolution reads of an account on every request. */
export interface Account {
  kind: 'user' | 'servicePrincipal';
  enabled: boolean;
  /** An application's permissions (empty for users). */
  appPermissions: readonly string[];
}

/**
 * The reference answer, read from the database in the caller's transaction: a disabled user or
 * service principal holds nothing; otherwise the subject and the groups it is a member of at `now`
 * (standing, or through an active PIM for Groups membership) are searched for a direct assignment
 * of the role at the scope, then for an assignment schedule with `start <= now < end`.
 */
export async function holdFromDatabase(tx: Stores, q: HoldQuestion, now: number): Promise<HoldAnswer> {
  if (await isDisabled(tx, q.tenantId, q.subjectId)) return { held: false, reason: 'subject_disabled' };
  const groups = await memberGroupsAt(tx, q.tenantId, q.subjectId, now);
  const instance = await tx.schedules.activeAssignment(
    q.tenantId,
    [q.subjectId, ...groups],
    q.roleDefinitionId,
    q.directoryScopeId,
    now,
  );
  if (!instance) return { held: false, reason: 'not_active' };
  return {
    held: true,
    instance: {
      id: instance.id,
      assignmentType: instance.assignmentType,
      memberType: instance.memberType,
      endDateTime: instance.endDateTime,
    },
  };
}

/** A user or service principal whose account is disabled now (unknown ids are not "disabled"). */
export async function isDisabled(tx: Stores, tenantId: string, id: string): Promise<boolean> {
  const user = await tx.users.get(tenantId, id);
  if (user) return !user.accountEnabled;
  const sp = await tx.servicePrincipals.get(tenantId, id);
  return sp !== undefined && !sp.accountEnabled;
}
