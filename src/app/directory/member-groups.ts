import type { Stores } from '../ports.js';

/**
 * The groups a principal is a member of at `now`: its standing memberships, and the groups in
 * which it holds an active PIM for Groups membership (`accessId` `member`, `start <= now < end`,
 * never waiting for the sweeper). Whatever a group holds (its directory roles, its eligibilities)
 * its PIM members hold too, exactly while their membership is active.
 */
export async function memberGroupsAt(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<string[]> {
  const standing = await tx.groups.groupsOf(tenantId, principalId);
  const pim = await tx.schedules.activeGroupIds(tenantId, principalId, 'member', now);
  return [...new Set([...standing, ...pim])];
}

/**
 * The groups a principal is or may become a member of from `now` on: standing memberships, and
 * PIM for Groups memberships it holds or is eligible for (current or future). Checks of "holds or
 * may activate a privileged role" look through these, so a privileged group's eligible members
 * are protected (and asked for MFA) like its members.
 */
export async function memberOrEligibleGroups(
  tx: Stores,
  tenantId: string,
  principalId: string,
  now: number,
): Promise<string[]> {
  const standing = await tx.groups.groupsOf(tenantId, principalId);
  const pim = await tx.schedules.heldOrEligibleGroupIds(tenantId, principalId, now);
  return [...new Set([...standing, ...pim])];
}
