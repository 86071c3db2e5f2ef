import type { Group, ServicePrincipal, User } from '../../domain/directory/types.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { ExpandItem } from '../../odata/index.js';
import type { StoredRoleDefinition, Stores } from '../ports.js';
import type { Schedule } from '../../domain/pim/schedule.js';

/** An expanded `principal`: a directory object of one of three types. */
export type RelatedPrincipal =
  | { type: 'user'; user: User }
  | { type: 'group'; group: Group }
  | { type: 'servicePrincipal'; servicePrincipal: ServicePrincipal };

/** Objects named by `$expand`, loaded in the read's transaction, by id. */
export interface Related {
  principals: ReadonlyMap<string, RelatedPrincipal>;
  roleDefinitions: ReadonlyMap<string, StoredRoleDefinition>;
  /** Eligibility schedules (`activatedUsing`). */
  eligibilities: ReadonlyMap<string, Schedule>;
  /** Target schedules of requests (`targetSchedule`), of the request's kind. */
  targetSchedules: ReadonlyMap<string, Schedule>;
}

export const NOTHING_RELATED: Related = {
  principals: new Map(),
  roleDefinitions: new Map(),
  eligibilities: new Map(),
  targetSchedules: new Map(),
};

/** The ids a page refers to, per navigation property. */
export interface RelatedIds {
  principalIds: readonly string[];
  roleDefinitionIds: readonly string[];
  eligibilityIds: readonly (string | null)[];
  targetScheduleIds?: readonly (string | null)[];
  /** PIM for Groups: the groups (`$expand=group`), loaded as principals are. */
  groupIds?: readonly string[];
}

const unique = (ids: readonly (string | null)[]): string[] => [
  ...new Set(ids.filter((id): id is string => id !== null)),
];

/**
 * Loads what `$expand` asks for (`principal`, `roleDefinition`, `activatedUsing`, `targetSchedule`),
 * each distinct id once. Missing objects (a deleted principal) are simply absent: the navigation
 * is then rendered as `null`.
 */
export async function loadRelated(
  tx: Stores,
  tenantId: string,
  kind: ScheduleKind,
  expand: readonly ExpandItem[],
  ids: RelatedIds,
): Promise<Related> {
  if (expand.length === 0) return NOTHING_RELATED;
  const wanted = new Set(expand.map((item) => item.name));
  const principals = new Map<string, RelatedPrincipal>();
  const roleDefinitions = new Map<string, StoredRoleDefinition>();
  const eligibilities = new Map<string, Schedule>();
  const targetSchedules = new Map<string, Schedule>();
  if (wanted.has('principal')) {
    for (const id of unique(ids.principalIds)) {
      const principal = await loadRelatedPrincipal(tx, tenantId, id);
      if (principal) principals.set(id, principal);
    }
  }
  if (wanted.has('group')) {
    for (const id of unique(ids.groupIds ?? [])) {
      const group = await tx.groups.get(tenantId, id);
      if (group) principals.set(id, { type: 'group', group });
    }
  }
  if (wanted.has('roleDefinition')) {
    for (const id of unique(ids.roleDefinitionIds)) {
      const role = await tx.roleDefinitions.get(tenantId, id);
      if (role) roleDefinitions.set(id, role);
    }
  }
  if (wanted.has('activatedUsing')) {
    for (const id of unique(ids.eligibilityIds)) {
      const schedule = await tx.schedules.get(tenantId, 'eligibility', id);
      if (schedule) eligibilities.set(id, schedule);
    }
  }
  if (wanted.has('targetSchedule')) {
    for (const id of unique(ids.targetScheduleIds ?? [])) {
      const schedule = await tx.schedules.get(tenantId, kind, id);
      if (schedule) targetSchedules.set(id, schedule);
    }
  }
  return { principals, roleDefinitions, eligibilities, targetSchedules };
}

async function loadRelatedPrincipal(
  tx: Stores,
  tenantId: string,
  id: string,
): Promise<RelatedPrincipal | undefined> {
  const user = await tx.users.get(tenantId, id);
  if (user) return { type: 'user', user };
  const group = await tx.groups.get(tenantId, id);
  if (group) return { type: 'group', group };
  const servicePrincipal = await tx.servicePrincipals.get(tenantId, id);
  if (servicePrincipal) return { type: 'servicePrincipal', servicePrincipal };
  return undefined;
}
