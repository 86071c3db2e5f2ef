import type { Kysely } from 'kysely';
import type { ReviewInstanceStore } from '../../app/access-reviews/ports.js';
import type { InstanceStatus, ReviewInstance } from '../../domain/access-reviews/types.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import type { Database } from '../schema.js';
import type { AccessReviewInstanceRow } from './rows.js';

const toRow = (i: ReviewInstance): AccessReviewInstanceRow => ({
  id: codecs.id.encode(i.id),
  tenant_id: codecs.id.encode(i.tenantId),
  definition_id: codecs.id.encode(i.definitionId),
  period_start: codecs.time.encode(i.periodStart),
  start_at: codecs.time.encode(i.startAt),
  end_at: codecs.time.encode(i.endAt),
  status: i.status,
  completed_at: codecs.optionalTime.encode(i.completedAt),
  applied_at: codecs.optionalTime.encode(i.appliedAt),
  version: i.version,
});

const fromRow = (r: AccessReviewInstanceRow): ReviewInstance => ({
  id: r.id,
  tenantId: r.tenant_id,
  definitionId: r.definition_id,
  periodStart: codecs.time.decode(r.period_start),
  startAt: codecs.time.decode(r.start_at),
  endAt: codecs.time.decode(r.end_at),
  status: r.status as InstanceStatus,
  completedAt: codecs.optionalTime.decode(r.completed_at),
  appliedAt: codecs.optionalTime.decode(r.applied_at),
  version: Number(r.version),
});

export function reviewInstanceStore(db: Kysely<Database>): ReviewInstanceStore {
  return {
    async insert(i) {
      await uniqueOrConflict(
        db.insertInto('access_review_instances').values(toRow(i)).execute(),
        'The instance of this period exists already.',
      );
    },
    async get(tenantId, id) {
      const row = await db
        .selectFrom('access_review_instances')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('id', '=', codecs.id.encode(id))
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async listByDefinition(tenantId, definitionId) {
      const rows = await db
        .selectFrom('access_review_instances')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('definition_id', '=', codecs.id.encode(definitionId))
        .orderBy('period_start', 'desc')
        .execute();
      return rows.map(fromRow);
    },
    async periodsOf(definitionId) {
      const rows = await db
        .selectFrom('access_review_instances')
        .select('period_start')
        .where('definition_id', '=', codecs.id.encode(definitionId))
        .execute();
      return new Set(rows.map((r) => codecs.time.decode(r.period_start)));
    },
    async endedUnrecorded(tenantId, now) {
      const rows = await db
        .selectFrom('access_review_instances')
        .selectAll()
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('status', '=', 'NotStarted')
        .where('end_at', '<=', codecs.time.encode(now))
        .orderBy('end_at')
        .execute();
      return rows.map(fromRow);
    },
    async update(i, expectedVersion) {
      const { id, tenant_id, ...values } = toRow(i);
      const res = await db
        .updateTable('access_review_instances')
        .set(values)
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
  };
}
