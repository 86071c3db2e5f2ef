import type { Kysely } from 'kysely';
import { resourceRoleFields, resourceScopeFields } from '../../app/resources/fields.js';
import type { ResourceRoleStore, ResourceScopeStore } from '../../app/resources/ports.js';
import type {
  ResourceRoleDefinition,
  ResourceRolePermissions,
} from '../../domain/resources/resource-role.js';
import type { ResourceScope } from '../../domain/resources/resource-scope.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';

/** Migration 0022: a registered resource. */
export interface ResourceScopeRow {
  tenant_id: string;
  id: string;
  parent_id: string;
  display_name: string;
  type: string;
  created_at: number;
  modified_at: number;
  version: number;
}

/** Migration 0022: a custom resource role. */
export interface ResourceRoleRow {
  id: string;
  tenant_id: string;
  role_name: string;
  description: string;
  permissions: string;
  assignable_scopes: string;
  created_at: number;
  modified_at: number;
  version: number;
}

declare module '../schema.js' {
  interface Database {
    resource_scopes: ResourceScopeRow;
    resource_role_definitions: ResourceRoleRow;
  }
}

const scopeRow = (s: ResourceScope): ResourceScopeRow => ({
  tenant_id: codecs.id.encode(s.tenantId),
  id: s.id,
  parent_id: s.parentId,
  display_name: s.displayName,
  type: s.type,
  created_at: codecs.time.encode(s.createdAt),
  modified_at: codecs.time.encode(s.modifiedAt),
  version: s.version,
});

const scopeOf = (r: ResourceScopeRow): ResourceScope => ({
  id: r.id,
  tenantId: r.tenant_id,
  parentId: r.parent_id,
  displayName: r.display_name,
  type: r.type,
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

export function resourceScopeStore(db: Kysely<Database>): ResourceScopeStore {
  return {
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('resource_scopes').selectAll().where('tenant_id', '=', tenantId),
        q,
        resourceScopeFields,
      );
      return { ...page, items: page.items.map(scopeOf) };
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('resource_scopes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && scopeOf(r);
    },
    async existing(tenantId, ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('resource_scopes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...ids])
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    async hasChildren(tenantId, id) {
      const r = await db
        .selectFrom('resource_scopes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('parent_id', '=', id)
        .limit(1)
        .executeTakeFirst();
      return r !== undefined;
    },
    async insert(s) {
      await uniqueOrConflict(
        db.insertInto('resource_scopes').values(scopeRow(s)).execute(),
        'A resource with this scope path already exists.',
      );
    },
    async update(s, expectedVersion) {
      const { tenant_id, id, created_at: _c, parent_id: _p, ...values } = scopeRow(s);
      const res = await db
        .updateTable('resource_scopes')
        .set(values)
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id, expectedVersion) {
      const res = await db
        .deleteFrom('resource_scopes')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

const roleRow = (r: ResourceRoleDefinition): ResourceRoleRow => ({
  id: codecs.id.encode(r.id),
  tenant_id: codecs.id.encode(r.tenantId ?? ''),
  role_name: r.roleName,
  description: r.description,
  permissions: JSON.stringify(r.permissions),
  assignable_scopes: JSON.stringify(r.assignableScopes),
  created_at: codecs.time.encode(r.createdAt),
  modified_at: codecs.time.encode(r.modifiedAt),
  version: r.version,
});

/** A stored custom role (the holdings index reads them too). */
export const roleOf = (r: ResourceRoleRow): ResourceRoleDefinition => ({
  id: r.id,
  tenantId: r.tenant_id,
  roleName: r.role_name,
  description: r.description,
  roleType: 'CustomRole',
  permissions: JSON.parse(r.permissions) as ResourceRolePermissions,
  assignableScopes: JSON.parse(r.assignable_scopes) as string[],
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

const nameTaken = 'A resource role with this id or name already exists.';

export function resourceRoleStore(db: Kysely<Database>): ResourceRoleStore {
  return {
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('resource_role_definitions').selectAll().where('tenant_id', '=', tenantId),
        q,
        resourceRoleFields,
      );
      return { ...page, items: page.items.map(roleOf) };
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('resource_role_definitions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r && roleOf(r);
    },
    async insert(r) {
      await uniqueOrConflict(
        db.insertInto('resource_role_definitions').values(roleRow(r)).execute(),
        nameTaken,
      );
    },
    async update(r, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = roleRow(r);
      const res = await uniqueOrConflict(
        db
          .updateTable('resource_role_definitions')
          .set(values)
          .where('id', '=', id)
          .where('tenant_id', '=', tenant_id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst(),
        nameTaken,
      );
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('resource_role_definitions')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

/** The resource hierarchy's stores (see `app/resources/ports.ts`). */
export const resourceStores: StoreBinder = (db) => ({
  resourceScopes: resourceScopeStore(db),
  resourceRoles: resourceRoleStore(db),
});
