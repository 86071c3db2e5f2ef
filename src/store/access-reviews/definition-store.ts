import type { Kysely } from 'kysely';
import type { ReviewDefinitionStore } from '../../app/access-reviews/ports.js';
import type { ReviewDefinition } from '../../domain/access-reviews/types.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { AccessReviewDefinitionRow } from './rows.js';

type Body = Pick<
  ReviewDefinition,
  | 'descriptionForAdmins'
  | 'descriptionForReviewers'
  | 'scope'
  | 'reviewers'
  | 'fallbackReviewers'
  | 'settings'
>;

const toRow = (d: ReviewDefinition): AccessReviewDefinitionRow => ({
  id: codecs.id.encode(d.id),
  tenant_id: codecs.id.encode(d.tenantId),
  display_name: d.displayName,
  body: codecs.json.encode({
    descriptionForAdmins: d.descriptionForAdmins,
    descriptionForReviewers: d.descriptionForReviewers,
    scope: d.scope,
    reviewers: d.reviewers,
    fallbackReviewers: d.fallbackReviewers,
    settings: d.settings,
  } satisfies Body),
  created_by: codecs.json.encode(d.createdBy),
  created_at: codecs.time.encode(d.createdAt),
  modified_at: codecs.time.encode(d.modifiedAt),
  version: d.version,
});

const fromRow = (r: AccessReviewDefinitionRow): ReviewDefinition => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  ...codecs.json.decode<Body>(r.body),
  createdBy: codecs.json.decode<ReviewDefinition['createdBy']>(r.created_by),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

export function reviewDefinitionStore(db: Kysely<Database>): ReviewDefinitionStore {
  return {
    async insert(d) {
      await db.insertInto('access_review_definitions').values(toRow(d)).execute();
    },
    async get(tenantId, id) {
      const row = await db
        .selectFrom('access_review_definitions')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('id', '=', codecs.id.encode(id))
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async list(tenantId) {
      const rows = await db
        .selectFrom('access_review_definitions')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },
    async update(d, expectedVersion) {
      const { id, tenant_id, ...values } = toRow(d);
      const res = await db
        .updateTable('access_review_definitions')
        .set(values)
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
    async delete(tenantId, id) {
      const tenant = codecs.id.encode(tenantId);
      const def = codecs.id.encode(id);
      const instances = db
        .selectFrom('access_review_instances')
        .select('id')
        .where('tenant_id', '=', tenant)
        .where('definition_id', '=', def);
      await db.deleteFrom('access_review_decisions').where('instance_id', 'in', instances).execute();
      await db
        .deleteFrom('access_review_instances')
        .where('tenant_id', '=', tenant)
        .where('definition_id', '=', def)
        .execute();
      const res = await db
        .deleteFrom('access_review_definitions')
        .where('tenant_id', '=', tenant)
        .where('id', '=', def)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
