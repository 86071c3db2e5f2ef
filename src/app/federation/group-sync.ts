import { AUDIT_ACTIVITIES as A } from '../../domain/audit/activities.js';
import type { Initiator } from '../../domain/audit/entry.js';
import { groupTarget, userTarget } from '../../domain/audit/targets.js';
import type { User } from '../../domain/directory/types.js';
import { groupChanges } from '../../domain/federation/external-claims.js';
import type { Stores } from '../ports.js';
import { attemptEntry, type Attempt } from './attempt.js';

/**
 * Makes the user a member of exactly the mapped groups the issuer's groups claim names (see
 * `groupChanges`); groups outside the issuer's `groupMap` are never touched. Each change is
 * audited in the caller's transaction. A map entry naming a group that no longer exists is skipped.
 */
export async function syncMappedGroups(
  tx: Stores,
  a: Attempt,
  user: User,
  claims: Record<string, unknown>,
  by: Initiator,
): Promise<void> {
  const { issuer } = a;
  if (issuer.groupsClaim === undefined || Object.keys(issuer.groupMap).length === 0) return;
  const current = await tx.groups.groupsOf(issuer.tenantId, user.id);
  const changes = groupChanges(claims[issuer.groupsClaim], issuer.groupMap, current);
  const member = userTarget(user);
  for (const groupId of changes.add) {
    const group = await tx.groups.get(issuer.tenantId, groupId);
    if (group === undefined) continue;
    await tx.groups.addMember(issuer.tenantId, { groupId, memberId: user.id, memberType: 'user' }, a.now);
    await tx.audit.append(attemptEntry(a, by, A.groupAddMember, [member, groupTarget(group)]));
  }
  for (const groupId of changes.remove) {
    const group = await tx.groups.get(issuer.tenantId, groupId);
    if (group === undefined || !(await tx.groups.removeMember(issuer.tenantId, groupId, user.id))) continue;
    await tx.audit.append(attemptEntry(a, by, A.groupRemoveMember, [member, groupTarget(group)]));
  }
}
