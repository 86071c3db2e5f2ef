import type { Kysely } from 'kysely';
import type { PolicyStore, RoleManagementPolicy } from '../../app/ports.js';
import { rolePolicyAssignmentFields, rolePolicyFields } from '../../odata/collections.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { listPage } from '../list.js';
import type { Database, RoleManagementPolicyRow } from '../schema.js';

const policyFromRow = (r: RoleManagementPolicyRow): RoleManagementPolicy => ({
  id: r.id,
  tenantId: r.tenant_id,
  scopeId: r.scope_id,
  scopeType: r.scope_type,
  roleDefinitionId: r.role_definition_id,
  displayName: r.display_name,
  description: r.description,
  isOrganizationDefault: codecs.bool.decode(r.is_organization_default),
  rules: codecs.json.decode(r.rules),
  lastModifiedAt: codecs.optionalTime.decode(r.last_modified_at),
  lastModifiedBy: r.last_modified_by === null ? null : codecs.json.decode(r.last_modified_by),
  version: r.version,
});

export function policyStore(db: Kysely<Database>): PolicyStore {
  return {
    async insert(p) {
      const insert = db
        .insertInto('role_management_policies')
        .values({
          id: p.id,
          tenant_id: p.tenantId,
          scope_id: p.scopeId,
          scope_type: p.scopeType,
          role_definition_id: p.roleDefinitionId,
          display_name: p.displayName,
          description: p.description,
          is_organization_default: codecs.bool.encode(p.isOrganizationDefault),
          rules: codecs.json.encode(p.rules),
          last_modified_at: codecs.optionalTime.encode(p.lastModifiedAt),
          last_modified_by: p.lastModifiedBy === null ? null : codecs.json.encode(p.lastModifiedBy),
          version: p.version,
        })
        .execute();
      // Two transactions creating the same policy (onboarding one group at once): one conflict.
      await uniqueOrConflict(insert, 'This role management policy was created at the same time.');
    },
    async forRole(tenantId, scopeType, scopeId, roleDefinitionId) {
      const r = await db
        .selectFrom('role_management_policies')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('scope_type', '=', scopeType)
        .where('scope_id', '=', scopeId)
        .where('role_definition_id', '=', roleDefinitionId)
        .executeTakeFirst();
      return r && policyFromRow(r);
    },
    async get(tenantId, id) {
      const r = await db
        .selectFrom('role_management_policies')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && policyFromRow(r);
    },
    async list(tenantId, q) {
      const qb = db.selectFrom('role_management_policies').selectAll().where('tenant_id', '=', tenantId);
      const page = await listPage(qb, q, rolePolicyFields);
      return { ...page, items: page.items.map(policyFromRow) };
    },
    async listAssignments(tenantId, q) {
      const qb = db.selectFrom('role_management_policies').selectAll().where('tenant_id', '=', tenantId);
      const page = await listPage(qb, q, rolePolicyAssignmentFields);
      return { ...page, items: page.items.map(policyFromRow) };
    },
    async update(p, expectedVersion) {
      const res = await db
        .updateTable('role_management_policies')
        .set({
          rules: codecs.json.encode(p.rules),
          last_modified_at: codecs.optionalTime.encode(p.lastModifiedAt),
          last_modified_by: p.lastModifiedBy === null ? null : codecs.json.encode(p.lastModifiedBy),
          version: expectedVersion + 1,
        })
        .where('tenant_id', '=', p.tenantId)
        .where('id', '=', p.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async deleteForRole(tenantId, roleDefinitionId) {
      const res = await db
        .deleteFrom('role_management_policies')
        .where('tenant_id', '=', tenantId)
        .where('role_definition_id', '=', roleDefinitionId)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
