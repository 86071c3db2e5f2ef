import { grantingPattern } from '../../domain/resources/action-pattern.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';

/** A permission-level answer: allowed with the instance that grants, or refused with a reason. */
export type PermissionAnswer =
  | { decision: true; context: Record<string, string | number | null> }
  | { decision: false; context: { reason: string } };

export const denyPermission = (reason: string): PermissionAnswer => ({
  decision: false,
  context: { reason },
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A resource-role assignment held now at the resource or above it, as both paths read it. */
export interface HeldResourceRole {
  scheduleId: string;
  instanceId: string;
  principalId: string;
  roleDefinitionId: string;
  scopeId: string;
  assignmentType: string | null;
  end: number | null;
}

/**
 * The grant among `held` (every resource-role assignment the subject or one of its groups holds
 * now at `scopes`, the resource and its ancestors nearest first): the nearest scope first, then the
 * subject's own before a group's, then the one ending last (a permanent one first); the first whose
 * role grants `action` (actions minus notActions, or dataActions minus notDataActions) is named.
 * The database path (`permission.ts`) and the holdings index both decide with this function, so
 * they cannot differ in the rule, only in where the facts come from.
 */
export function resourceGrant(o: {
  held: readonly HeldResourceRole[];
  subjectId: string;
  scopes: readonly string[];
  action: string;
  roleOf: (id: string) => ResourceRoleDefinition | undefined;
  now: number;
}): PermissionAnswer {
  if (o.held.length === 0) return denyPermission('not_active');
  const depth = (s: HeldResourceRole) => o.scopes.indexOf(s.scopeId);
  const own = (s: HeldResourceRole) => Number(s.principalId === o.subjectId);
  const end = (s: HeldResourceRole) => s.end ?? Number.MAX_SAFE_INTEGER;
  // Ties (same scope, holder and end) fall back to the schedule id, so both paths name the same one.
  const ordered = [...o.held].sort(
    (a, b) =>
      depth(a) - depth(b) ||
      own(b) - own(a) ||
      end(b) - end(a) ||
      (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0),
  );
  const resource = o.scopes[0];
  for (const s of ordered) {
    const role = o.roleOf(s.roleDefinitionId);
    if (role === undefined) continue;
    const p = role.permissions;
    const pattern =
      grantingPattern(p.actions, p.notActions, o.action) ??
      grantingPattern(p.dataActions, p.notDataActions, o.action);
    if (pattern === null) continue;
    return {
      decision: true,
      context: {
        instanceId: s.instanceId,
        scheduleId: s.scheduleId,
        roleDefinitionId: role.id,
        roleName: role.roleName,
        scopeId: s.scopeId,
        memberType:
          s.scopeId === resource ? (s.principalId === o.subjectId ? 'Direct' : 'Group') : 'Inherited',
        assignmentType: s.assignmentType,
        grantedBy: pattern,
        endDateTime: iso(s.end),
        evaluatedAt: iso(o.now),
      },
    };
  }
  return denyPermission('not_permitted');
}
