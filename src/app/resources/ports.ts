import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import type { ResourceScope } from '../../domain/resources/resource-scope.js';
import type { QueryOptions as CollectionQuery } from '../../odata/index.js';
import type { Page } from '../ports.js';

/** Registered resources of a tenant (the root `/` is implied, never stored). */
export interface ResourceScopeStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<ResourceScope>>;
  get(tenantId: string, id: string): Promise<ResourceScope | undefined>;
  /** Which of these scope paths are registered (the root is not listed; callers add it). */
  existing(tenantId: string, ids: readonly string[]): Promise<Set<string>>;
  /** Whether any scope has this one as its parent. */
  hasChildren(tenantId: string, id: string): Promise<boolean>;
  /** @throws ConflictError when the path is taken */
  insert(s: ResourceScope): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(s: ResourceScope, expectedVersion: number): Promise<void>;
  /** Compare-and-set on `version`: false when it changed or is gone. */
  delete(tenantId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** Custom resource role definitions of a tenant (built-in ones live in code). */
export interface ResourceRoleStore {
  list(tenantId: string, q: CollectionQuery): Promise<Page<ResourceRoleDefinition>>;
  get(tenantId: string, id: string): Promise<ResourceRoleDefinition | undefined>;
  /** @throws ConflictError when the id or the name is taken */
  insert(r: ResourceRoleDefinition): Promise<void>;
  /** Compare-and-set on `version`. @throws ConflictError */
  update(r: ResourceRoleDefinition, expectedVersion: number): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

declare module '../ports.js' {
  interface Stores {
    /** The resource hierarchy (ADR 0029). */
    resourceScopes: ResourceScopeStore;
    /** Custom resource role definitions (ADR 0029). */
    resourceRoles: ResourceRoleStore;
  }
}
