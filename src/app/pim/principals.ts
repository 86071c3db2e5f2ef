import type { Group, PrincipalType, ServicePrincipal, User } from '../../domain/directory/types.js';
import type { PimSubject } from '../../domain/pim/pim-events.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { Stores } from '../ports.js';

/** A principal as PIM needs to name and check it. */
export interface PrincipalRef {
  id: string;
  type: PrincipalType;
  displayName: string | null;
  userPrincipalName: string | null;
  /** Groups only: whether it may hold roles. */
  isAssignableToRole: boolean;
}

const userRef = (u: User): PrincipalRef => ({
  id: u.id,
  type: 'user',
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
  isAssignableToRole: false,
});

const groupRef = (g: Group): PrincipalRef => ({
  id: g.id,
  type: 'group',
  displayName: g.displayName,
  userPrincipalName: null,
  isAssignableToRole: g.isAssignableToRole,
});

const servicePrincipalRef = (sp: ServicePrincipal): PrincipalRef => ({
  id: sp.id,
  type: 'servicePrincipal',
  displayName: sp.displayName,
  userPrincipalName: null,
  isAssignableToRole: false,
});

/** The user, group or service principal with this id in the tenant, or undefined. */
export async function loadPrincipal(
  tx: Stores,
  tenantId: string,
  id: string,
  /** The principal's type when known (schedules record it): one lookup instead of up to three. */
  type?: PrincipalType,
): Promise<PrincipalRef | undefined> {
  const user = type === undefined || type === 'user' ? await tx.users.get(tenantId, id) : undefined;
  if (user) return userRef(user);
  const group = type === undefined || type === 'group' ? await tx.groups.get(tenantId, id) : undefined;
  if (group) return groupRef(group);
  const sp =
    type === undefined || type === 'servicePrincipal'
      ? await tx.servicePrincipals.get(tenantId, id)
      : undefined;
  return sp && servicePrincipalRef(sp);
}

/**
 * `loadPrincipal` for many principals of one tenant at once, by id: one lookup per table (per
 * few hundred ids) instead of one per principal, tables tried in the same order (users, groups,
 * service principals). A principal of known type is looked up in its table only.
 */
export async function loadPrincipals(
  tx: Stores,
  tenantId: string,
  wanted: readonly { id: string; type?: PrincipalType | undefined }[],
): Promise<Map<string, PrincipalRef>> {
  const found = new Map<string, PrincipalRef>();
  const missing = (type: PrincipalType) => [
    ...new Set(
      wanted.filter((w) => (w.type === undefined || w.type === type) && !found.has(w.id)).map((w) => w.id),
    ),
  ];
  for (const u of await tx.users.getMany(tenantId, missing('user'))) found.set(u.id, userRef(u));
  for (const g of await tx.groups.getMany(tenantId, missing('group'))) found.set(g.id, groupRef(g));
  for (const sp of await tx.servicePrincipals.getMany(tenantId, missing('servicePrincipal')))
    found.set(sp.id, servicePrincipalRef(sp));
  return found;
}

/**
 * The role and principal of a PIM event, named as they are now. `known` skips the lookup when the
 * caller already read them in this transaction.
 */
export async function subjectOf(
  tx: Stores,
  tenantId: string,
  kind: ScheduleKind,
  roleDefinitionId: string,
  principalId: string,
  principalType?: PrincipalType,
  known?: { roleName?: string | null; principal?: PrincipalRef | undefined },
): Promise<PimSubject> {
  const roleName =
    known?.roleName !== undefined
      ? known.roleName
      : ((await tx.roleDefinitions.get(tenantId, roleDefinitionId))?.displayName ?? null);
  const principal = known?.principal ?? (await loadPrincipal(tx, tenantId, principalId, principalType));
  return subject(
    kind,
    { id: roleDefinitionId, displayName: roleName },
    principalId,
    principalType,
    principal,
  );
}

/** The subject of a PIM event from what was read of its role and principal (undefined: gone). */
const subject = (
  kind: ScheduleKind,
  role: PimSubject['role'],
  principalId: string,
  principalType: PrincipalType | undefined,
  principal: PrincipalRef | undefined,
): PimSubject => ({
  kind,
  role: { id: role.id, displayName: role.displayName },
  principal: {
    id: principalId,
    type: principal?.type ?? principalType,
    displayName: principal?.displayName ?? null,
    userPrincipalName: principal?.userPrincipalName ?? null,
  },
});

/** What `subjectsOf` reads for one event: a schedule has all of it. */
export interface SubjectKey {
  tenantId: string;
  kind: ScheduleKind;
  roleDefinitionId: string;
  principalId: string;
  principalType?: PrincipalType;
}

/**
 * `subjectOf` for many events at once (a sweeper batch), in the order given, with the same
 * result: each role read once, each tenant's principals in a few lookups (`loadPrincipals`)
 * instead of one round trip per event.
 */
export async function subjectsOf(tx: Stores, keys: readonly SubjectKey[]): Promise<PimSubject[]> {
  const principals = new Map<string, Map<string, PrincipalRef>>();
  for (const tenantId of new Set(keys.map((k) => k.tenantId))) {
    const wanted = keys
      .filter((k) => k.tenantId === tenantId)
      .map((k) => ({ id: k.principalId, type: k.principalType }));
    principals.set(tenantId, await loadPrincipals(tx, tenantId, wanted));
  }
  const roles = new Map<string, PimSubject['role']>();
  const subjects: PimSubject[] = [];
  for (const k of keys) {
    const roleKey = `${k.tenantId}/${k.roleDefinitionId}`;
    let role = roles.get(roleKey);
    if (role === undefined) {
      const stored = await tx.roleDefinitions.get(k.tenantId, k.roleDefinitionId);
      role = { id: k.roleDefinitionId, displayName: stored?.displayName ?? null };
      roles.set(roleKey, role);
    }
    const principal = principals.get(k.tenantId)?.get(k.principalId);
    subjects.push(subject(k.kind, role, k.principalId, k.principalType, principal));
  }
  return subjects;
}
