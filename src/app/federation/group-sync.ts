import type { Group, User } from '../../domain/directory/types.js';
import { groupChanges } from '../../domain/federation/external-claims.js';
import { groupMembershipSynced } from '../../domain/federation/federation-events.js';
import type { Stores } from '../ports.js';
import { attemptActor, type Attempt } from './attempt.js';

/**
 * Makes the user a member of exactly the mapped groups the issuer's groups claim names (see
 * `groupChanges`); groups outside the issuer's `groupMap` are never touched. The changes are
 * recorded as one event in the caller's transaction. A map entry naming a group that no longer
 * exists is skipped.
 */
export async function syncMappedGroups(
  tx: Stores,
  a: Attempt,
  user: User,
  claims: Record<string, unknown>,
): Promise<void> {
  const { issuer } = a;
  if (issuer.groupsClaim === undefined || Object.keys(issuer.groupMap).length === 0) return;
  const current = await tx.groups.groupsOf(issuer.tenantId, user.id);
  const changes = groupChanges(claims[issuer.groupsClaim], issuer.groupMap, current);
  const added: Group[] = [];
  const removed: Group[] = [];
  for (const groupId of changes.add) {
    const group = await tx.groups.get(issuer.tenantId, groupId);
    if (group === undefined) continue;
    await tx.groups.addMember(issuer.tenantId, { groupId, memberId: user.id, memberType: 'user' }, a.now);
    added.push(group);
  }
  for (const groupId of changes.remove) {
    const group = await tx.groups.get(issuer.tenantId, groupId);
    if (group === undefined || !(await tx.groups.removeMember(issuer.tenantId, groupId, user.id))) continue;
    removed.push(group);
  }
  if (added.length + removed.length === 0) return;
  tx.events.record(attemptActor(a, user), a.now, groupMembershipSynced(user, issuer.id, added, removed));
}
