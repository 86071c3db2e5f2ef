import type { RoleDefinition } from '../domain/roles/built-in-roles.js';
import type {
  Group,
  GroupMember,
  PasswordCredential,
  PrincipalType,
  RoleAssignment,
  ServicePrincipal,
  Tenant,
  User,
} from '../domain/directory/types.js';
import type { PolicyRule } from '../domain/policy/types.js';
import type { QueryOptions as CollectionQuery } from '../odata/index.js';
import type { AuditStore } from './audit/ports.js';
import type { EventLog } from './events/ports.js';
import type { OutboxStore } from './outbox/ports.js';

/** One page of a collection; `hasMore` tells the edge to emit `@odata.nextLink`. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  count?: number;
}

export interface TenantStore {
  insert(t: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | undefined>;
  first(): Promise<Tenant | undefined>;
  /** Every tenant, oldest first (an instance holds one, or a few in tests). */
  all(): Promise<Tenant[]>;
}

export interface UserStore {
  insert(u: User): Promise<void>;
  get(tenantId: string, id: string): Promise<User | undefined>;
  /** The users with these ids in the tenant (ids not found are left out), in no particular order. */
  getMany(tenantId: string, ids: readonly string[]): Promise<User[]>;
  getByUpn(tenantId: string, upn: string): Promise<User | undefined>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<User>>;
  /** Compare-and-set on `version`. @throws ConflictError when the version moved. */
  update(u: User, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface GroupStore {
  insert(g: Group): Promise<void>;
  get(tenantId: string, id: string): Promise<Group | undefined>;
  /** The groups with these ids in the tenant (ids not found are left out), in no particular order. */
  getMany(tenantId: string, ids: readonly string[]): Promise<Group[]>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<Group>>;
  update(g: Group, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  addMember(tenantId: string, m: GroupMember, now: number): Promise<void>;
  removeMember(tenantId: string, groupId: string, memberId: string): Promise<boolean>;
  /**
   * The group's members: standing ones and, when `now` is given, those holding an active PIM for
   * Groups membership at `now` (each member once).
   */
  members(tenantId: string, groupId: string, q: CollectionQuery, now?: number): Promise<Page<GroupMember>>;
  /** The group's owners at `now`: principals holding an active PIM for Groups ownership, each once. */
  owners(tenantId: string, groupId: string, q: CollectionQuery, now: number): Promise<Page<GroupMember>>;
  /**
   * Members of the group and of the groups nested in it, each once (never the group itself), with
   * active PIM members at `now` as in {@link members}.
   */
  transitiveMembers(
    tenantId: string,
    groupId: string,
    q: CollectionQuery,
    now: number,
  ): Promise<Page<GroupMember>>;
  /** Groups the principal is a direct member of at `now`: standing or active PIM membership. */
  memberOf(tenantId: string, memberId: string, q: CollectionQuery, now: number): Promise<Page<Group>>;
  /**
   * Ids of the groups the principal is a member of at `now`, directly or through nested groups,
   * standing or through an active PIM membership; sorted.
   */
  transitiveMemberOf(tenantId: string, memberId: string, now: number): Promise<string[]>;
  /** Ids of the groups the principal is a direct member of. */
  groupsOf(tenantId: string, memberId: string): Promise<string[]>;
}

export interface ServicePrincipalStore {
  insert(sp: ServicePrincipal): Promise<void>;
  get(tenantId: string, id: string): Promise<ServicePrincipal | undefined>;
  /** The service principals with these ids in the tenant (ids not found are left out), in no particular order. */
  getMany(tenantId: string, ids: readonly string[]): Promise<ServicePrincipal[]>;
  getByAppId(appId: string): Promise<ServicePrincipal | undefined>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<ServicePrincipal>>;
  update(sp: ServicePrincipal, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
  addPassword(tenantId: string, c: PasswordCredential, now: number): Promise<void>;
  passwords(servicePrincipalId: string): Promise<PasswordCredential[]>;
  removePassword(tenantId: string, servicePrincipalId: string, keyId: string): Promise<boolean>;
}

export interface StoredRoleDefinition extends RoleDefinition {
  tenantId: string;
  createdAt: number;
  modifiedAt: number;
  rowVersion: number;
}

export interface RoleDefinitionStore {
  insert(r: StoredRoleDefinition): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredRoleDefinition | undefined>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<StoredRoleDefinition>>;
  update(r: StoredRoleDefinition, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface RoleAssignmentStore {
  insert(a: RoleAssignment): Promise<void>;
  get(tenantId: string, id: string): Promise<RoleAssignment | undefined>;
  list(tenantId: string, q: CollectionQuery): Promise<Page<RoleAssignment>>;
  delete(tenantId: string, id: string): Promise<boolean>;
  deleteForPrincipal(tenantId: string, principalId: string): Promise<number>;
  /**
   * Role definition ids held directly by any of the principals: at any directory scope (what
   * protects a privileged account), or at the one given (what authorizes: `/` for tenant-wide).
   */
  roleIdsOf(tenantId: string, principalIds: string[], directoryScopeId?: string): Promise<string[]>;
  countForRole(tenantId: string, roleDefinitionId: string): Promise<number>;
}

export interface RoleManagementPolicy {
  id: string;
  tenantId: string;
  scopeId: string;
  scopeType: string;
  roleDefinitionId: string;
  displayName: string;
  description: string;
  isOrganizationDefault: boolean;
  rules: PolicyRule[];
  lastModifiedAt: number | null;
  lastModifiedBy: { id: string; displayName: string | null } | null;
  version: number;
}

export interface PolicyStore {
  insert(p: RoleManagementPolicy): Promise<void>;
  forRole(
    tenantId: string,
    scopeType: string,
    scopeId: string,
    roleDefinitionId: string,
  ): Promise<RoleManagementPolicy | undefined>;
  /** The policy with this id in the tenant; another tenant's id is simply absent. */
  get(tenantId: string, id: string): Promise<RoleManagementPolicy | undefined>;
  /**
   * Policies matching an OData query over `rolePolicyFields` (the use case guarantees a scope
   * filter, as Graph requires).
   */
  list(tenantId: string, q: CollectionQuery): Promise<Page<RoleManagementPolicy>>;
  /** The same rows seen as policy assignments (`rolePolicyAssignmentFields`: `policyId`, `roleDefinitionId`…). */
  listAssignments(tenantId: string, q: CollectionQuery): Promise<Page<RoleManagementPolicy>>;
  /**
   * Writes rules and last-modified fields; sets `version` to `expectedVersion + 1`.
   * @throws ConflictError when the stored version is no longer `expectedVersion`.
   */
  update(p: RoleManagementPolicy, expectedVersion: number): Promise<void>;
  /** Removes the policies of a (custom) role at every scope; returns how many. */
  deleteForRole(tenantId: string, roleDefinitionId: string): Promise<number>;
}

export interface SystemStateStore {
  get(key: string): Promise<string | undefined>;
  /** Inserts once; false when the key already exists (first writer wins). */
  insertOnce(key: string, value: string, now: number): Promise<boolean>;
}

/** Stores bound to one transaction. */
/**
 * The stores a unit of work hands out, bound to its transaction. These are the kernel's, which
 * every feature reads (tenants, the directory, roles, policies, the audit log, events, outbox); a
 * feature adds its own by augmenting this interface in its `ports.ts` (`declare module`), and its
 * module (`src/modules/`) binds them, so adding a feature edits no central list but the modules.
 */
export interface Stores {
  tenants: TenantStore;
  users: UserStore;
  groups: GroupStore;
  servicePrincipals: ServicePrincipalStore;
  roleDefinitions: RoleDefinitionStore;
  roleAssignments: RoleAssignmentStore;
  policies: PolicyStore;
  systemState: SystemStateStore;
  audit: AuditStore;
  /**
   * What happened in this transaction: recorded by use cases, written as audit entries (and outbox
   * messages) by the unit of work just before commit.
   */
  events: EventLog;
  /** Messages for consumers after commit; written by the unit of work from recorded events. */
  outbox: OutboxStore;
}

/**
 * Runs one use case in one transaction and hands out stores bound to it. No optional `tx`
 * argument exists to forget: everything the work touches commits or rolls back together.
 */
export interface UnitOfWork {
  run<T>(work: (tx: Stores) => Promise<T>): Promise<T>;
  /**
   * Reads outside any transaction: each statement sees what had committed when it ran, and no two
   * share a snapshot, so this is for one-statement checks ("is any channel enabled?") that would
   * otherwise cost a transaction of their own. Writing is refused (`ReadOnlyError`) and recording
   * an event is an error: a change goes through `run`. Never call it inside `run`'s work (like a
   * nested `run`, on SQLite it would wait for the very transaction it is in).
   */
  read<T>(work: (db: Stores) => Promise<T>): Promise<T>;
}

export type { PrincipalType };
