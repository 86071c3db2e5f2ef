import type { Kysely } from 'kysely';
import type { DecisionItemStore, NamedDecisionItem } from '../../app/access-reviews/ports.js';
import type {
  ApplyResult,
  DecisionItem,
  Recommendation,
  ReviewDecision,
} from '../../domain/access-reviews/types.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { AccessReviewDecisionRow } from './rows.js';

/** Rows per insert: 19 columns stay far below either dialect's limit of bound values. */
const CHUNK = 500;

const toRow = (d: DecisionItem): AccessReviewDecisionRow => ({
  id: codecs.id.encode(d.id),
  tenant_id: codecs.id.encode(d.tenantId),
  instance_id: codecs.id.encode(d.instanceId),
  principal_id: d.principalId,
  principal_type: d.principalType,
  role_definition_id: d.roleDefinitionId,
  directory_scope_id: d.directoryScopeId,
  schedule_kind: d.scheduleKind,
  schedule_id: d.scheduleId,
  recommendation: d.recommendation,
  last_activation_at: codecs.optionalTime.encode(d.lastActivationAt),
  decision: d.decision,
  justification: d.justification,
  reviewed_by: d.reviewedBy,
  reviewed_at: codecs.optionalTime.encode(d.reviewedAt),
  apply_result: d.applyResult,
  applied_by: d.appliedBy,
  applied_at: codecs.optionalTime.encode(d.appliedAt),
  version: d.version,
});

const fromRow = (r: AccessReviewDecisionRow): DecisionItem => ({
  id: r.id,
  tenantId: r.tenant_id,
  instanceId: r.instance_id,
  principalId: r.principal_id,
  principalType: r.principal_type as DecisionItem['principalType'],
  roleDefinitionId: r.role_definition_id,
  directoryScopeId: r.directory_scope_id,
  scheduleKind: r.schedule_kind as DecisionItem['scheduleKind'],
  scheduleId: r.schedule_id,
  recommendation: r.recommendation as Recommendation,
  lastActivationAt: codecs.optionalTime.decode(r.last_activation_at),
  decision: r.decision as ReviewDecision,
  justification: r.justification,
  reviewedBy: r.reviewed_by,
  reviewedAt: codecs.optionalTime.decode(r.reviewed_at),
  applyResult: r.apply_result as ApplyResult,
  appliedBy: r.applied_by,
  appliedAt: codecs.optionalTime.decode(r.applied_at),
  version: Number(r.version),
});

export function decisionItemStore(db: Kysely<Database>): DecisionItemStore {
  return {
    async insertMany(items) {
      for (let i = 0; i < items.length; i += CHUNK)
        await db
          .insertInto('access_review_decisions')
          .values(items.slice(i, i + CHUNK).map(toRow))
          .execute();
    },
    async list(tenantId, instanceId) {
      const rows = await db
        .selectFrom('access_review_decisions')
        .selectAll()
        .where('instance_id', '=', codecs.id.encode(instanceId))
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },
    async get(tenantId, instanceId, id) {
      const row = await db
        .selectFrom('access_review_decisions')
        .selectAll()
        .where('id', '=', codecs.id.encode(id))
        .where('instance_id', '=', codecs.id.encode(instanceId))
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async named(tenantId, instanceId, ids) {
      const tenant = codecs.id.encode(tenantId);
      let q = db
        .selectFrom('access_review_decisions as d')
        .leftJoin('users as u', (j) =>
          j.onRef('u.id', '=', 'd.principal_id').onRef('u.tenant_id', '=', 'd.tenant_id'),
        )
        .leftJoin('groups as g', (j) =>
          j.onRef('g.id', '=', 'd.principal_id').onRef('g.tenant_id', '=', 'd.tenant_id'),
        )
        .leftJoin('service_principals as sp', (j) =>
          j.onRef('sp.id', '=', 'd.principal_id').onRef('sp.tenant_id', '=', 'd.tenant_id'),
        )
        .leftJoin('role_definitions as rd', (j) =>
          j.onRef('rd.id', '=', 'd.role_definition_id').onRef('rd.tenant_id', '=', 'd.tenant_id'),
        )
        .leftJoin('users as r', (j) =>
          j.onRef('r.id', '=', 'd.reviewed_by').onRef('r.tenant_id', '=', 'd.tenant_id'),
        )
        .selectAll('d')
        .select([
          'u.display_name as user_name',
          'u.user_principal_name as user_upn',
          'g.display_name as group_name',
          'sp.display_name as sp_name',
          'rd.display_name as role_name',
          'r.display_name as reviewer_name',
          'r.user_principal_name as reviewer_upn',
        ])
        .where('d.instance_id', '=', codecs.id.encode(instanceId))
        .where('d.tenant_id', '=', tenant);
      if (ids !== undefined) {
        if (ids.length === 0) return [];
        q = q.where(
          'd.id',
          'in',
          ids.map((id) => codecs.id.encode(id)),
        );
      }
      const rows = await q.orderBy('d.id').execute();
      return rows.map((r): NamedDecisionItem => ({
        ...fromRow(r),
        principalDisplayName: r.user_name ?? r.group_name ?? r.sp_name ?? null,
        principalUserPrincipalName: r.user_upn ?? null,
        roleDisplayName: r.role_name ?? null,
        reviewedByDisplayName: r.reviewer_name ?? null,
        reviewedByUserPrincipalName: r.reviewer_upn ?? null,
      }));
    },
    async decideUndecided(tenantId, instanceId, decision, onlyRecommended, at, justification) {
      let q = db
        .updateTable('access_review_decisions')
        .set((eb) => ({
          decision,
          justification,
          reviewed_by: null,
          reviewed_at: codecs.time.encode(at),
          version: eb('version', '+', 1),
        }))
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('instance_id', '=', codecs.id.encode(instanceId))
        .where('decision', '=', 'NotReviewed');
      if (onlyRecommended !== null) q = q.where('recommendation', '=', onlyRecommended);
      const res = await q.executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    async resetAll(tenantId, instanceId) {
      const res = await db
        .updateTable('access_review_decisions')
        .set((eb) => ({
          decision: 'NotReviewed',
          justification: null,
          reviewed_by: null,
          reviewed_at: null,
          version: eb('version', '+', 1),
        }))
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('instance_id', '=', codecs.id.encode(instanceId))
        .where('decision', '!=', 'NotReviewed')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    async markApprovedApplied(tenantId, instanceId, by, at) {
      const res = await db
        .updateTable('access_review_decisions')
        .set((eb) => ({
          apply_result: 'AppliedSuccessfully',
          applied_by: by,
          applied_at: codecs.time.encode(at),
          version: eb('version', '+', 1),
        }))
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('instance_id', '=', codecs.id.encode(instanceId))
        .where('decision', '=', 'Approve')
        .where('apply_result', '=', 'New')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    async update(item, expectedVersion) {
      const { id, tenant_id, ...values } = toRow(item);
      const res = await db
        .updateTable('access_review_decisions')
        .set(values)
        .where('tenant_id', '=', tenant_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
  };
}
