import type { Kysely } from 'kysely';
import type { RoleAssignmentStore, RoleDefinitionStore, StoredRoleDefinition } from '../../app/ports.js';
import type { RoleAssignment } from '../../domain/directory/types.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import { roleDefinitionFields, roleAssignmentFields } from '../../odata/collections.js';
import type { Database, RoleAssignmentRow, RoleDefinitionRow } from '../schema.js';

const defToRow = (r: StoredRoleDefinition): RoleDefinitionRow => ({
  tenant_id: r.tenantId,
  id: r.id,
  display_name: r.displayName,
  description: r.description,
  is_built_in: codecs.bool.encode(r.isBuiltIn),
  is_enabled: codecs.bool.encode(r.isEnabled),
  is_privileged: codecs.bool.encode(r.isPrivileged),
  template_id: r.templateId,
  version_label: r.version,
  resource_scopes: codecs.json.encode(r.resourceScopes),
  role_permissions: codecs.json.encode(r.rolePermissions),
  created_at: codecs.time.encode(r.createdAt),
  modified_at: codecs.time.encode(r.modifiedAt),
  version: r.rowVersion,
});

const defFromRow = (r: RoleDefinitionRow): StoredRoleDefinition => ({
  tenantId: r.tenant_id,
  id: r.id,
  displayName: r.display_name,
  description: r.description ?? '',
  isBuiltIn: codecs.bool.decode(r.is_built_in),
  isEnabled: codecs.bool.decode(r.is_enabled),
  isPrivileged: codecs.bool.decode(r.is_privileged),
  templateId: r.template_id,
  version: r.version_label ?? '1',
  resourceScopes: codecs.json.decode(r.resource_scopes),
  rolePermissions: codecs.json.decode(r.role_permissions),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  rowVersion: r.version,
});

export function roleDefinitionStore(db: Kysely<Database>): RoleDefinitionStore {
  return {
    async insert(r) {
      await uniqueOrConflict(
        db.insertInto('role_definitions').values(defToRow(r)).execute(),
        () =>
          new BadRequestError(
            'Request_BadRequest',
            'A role definition with this id or templateId already exists.',
          ),
      );
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('role_definitions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && defFromRow(r);
    },
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('role_definitions').selectAll().where('tenant_id', '=', tenantId),
        q,
        roleDefinitionFields,
      );
      return { ...page, items: page.items.map(defFromRow) };
    },
    async update(r, expectedVersion) {
      const { tenant_id, id, created_at: _c, ...values } = defToRow(r);
      const res = await db
        .updateTable('role_definitions')
        .set({ ...values, version: expectedVersion + 1 })
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('role_definitions')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('is_built_in', '=', 0)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

const asgToRow = (a: RoleAssignment): RoleAssignmentRow => ({
  id: a.id,
  tenant_id: a.tenantId,
  principal_id: a.principalId,
  principal_type: a.principalType,
  role_definition_id: a.roleDefinitionId,
  directory_scope_id: a.directoryScopeId,
  app_scope_id: a.appScopeId,
  created_at: codecs.time.encode(a.createdAt),
  created_by: a.createdBy,
});

const asgFromRow = (r: RoleAssignmentRow): RoleAssignment => ({
  id: r.id,
  tenantId: r.tenant_id,
  principalId: r.principal_id,
  principalType: r.principal_type,
  roleDefinitionId: r.role_definition_id,
  directoryScopeId: r.directory_scope_id,
  appScopeId: r.app_scope_id,
  createdAt: codecs.time.decode(r.created_at),
  createdBy: r.created_by,
});

export function roleAssignmentStore(db: Kysely<Database>): RoleAssignmentStore {
  return {
    async insert(a) {
      await uniqueOrConflict(
        db.insertInto('role_assignments').values(asgToRow(a)).execute(),
        () => new BadRequestError('RoleAssignmentExists', 'The Role assignment already exists.'),
      );
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('role_assignments')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && asgFromRow(r);
    },
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('role_assignments').selectAll().where('tenant_id', '=', tenantId),
        q,
        roleAssignmentFields,
      );
      return { ...page, items: page.items.map(asgFromRow) };
    },
    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('role_assignments')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
    async deleteForPrincipal(tenantId, principalId) {
      const res = await db
        .deleteFrom('role_assignments')
        .where('tenant_id', '=', tenantId)
        .where('principal_id', '=', principalId)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async roleIdsOf(tenantId, principalIds, directoryScopeId) {
      if (principalIds.length === 0) return [];
      let q = db
        .selectFrom('role_assignments')
        .select('role_definition_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('principal_id', 'in', principalIds);
      if (directoryScopeId !== undefined) q = q.where('directory_scope_id', '=', directoryScopeId);
      const rows = await q.execute();
      return rows.map((r) => r.role_definition_id);
    },
    async countForRole(tenantId, roleDefinitionId) {
      const r = await db
        .selectFrom('role_assignments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('role_definition_id', '=', roleDefinitionId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
