import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { RequestView, ScheduleRequestStore } from '../../app/pim/ports.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import type {
  ExpirationType,
  RequestAction,
  RequestStatus,
  ResourceType,
  ScheduleKind,
} from '../../domain/pim/types.js';
import { groupScheduleRequestFields, scheduleRequestFields } from '../../odata/collections.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import { pageOf } from './paging.js';
import type { PimScheduleRequestRow } from './rows.js';
import type { Database } from '../schema.js';

type RequestsBuilder = ExpressionBuilder<
  Database & { pim_schedule_requests: PimScheduleRequestRow },
  'pim_schedule_requests'
>;

/**
 * The approver inbox: pending, its current stage in progress and not timed out at `now`, and the
 * stage names the user (or one of its groups) as a primary approver, or as an escalation approver
 * once the escalation time has passed, or names nobody while the user is a default approver; and
 * the user has not decided that stage yet (a quorum stage waits for others). The caller's own requests are excluded by the view's `notPrincipalId`.
 */
function decidableBy(eb: RequestsBuilder, approver: NonNullable<RequestView['approver']>, now: number) {
  const { userId, groupIds, isDefaultApprover } = approver;
  const step = eb
    .selectFrom('pim_approval_steps as s')
    .select('s.id')
    .whereRef('s.approval_id', '=', 'pim_schedule_requests.id')
    .where('s.status', '=', 'InProgress')
    .where('s.deadline_at', '>', now)
    .where((w) =>
      w.or([
        w.exists(
          w
            .selectFrom('pim_approval_approvers as a')
            .select('a.step_id')
            .whereRef('a.step_id', '=', 's.id')
            // Escalation approvers decide from the escalation on (read at `now`, not the sweeper's).
            .where((x) =>
              x.or([
                x('a.approver_role', '=', 'primary'),
                x.and([x('a.approver_role', '=', 'escalation'), x('s.escalation_at', '<=', now)]),
              ]),
            )
            .where((x) =>
              x.or([
                x.and([x('a.approver_type', '=', 'user'), x('a.approver_id', '=', userId)]),
                ...(groupIds.length > 0
                  ? [x.and([x('a.approver_type', '=', 'group'), x('a.approver_id', 'in', [...groupIds])])]
                  : []),
              ]),
            ),
        ),
        ...(isDefaultApprover ? [w('s.has_default_approvers', '=', 1)] : []),
      ]),
    )
    // Once they decided a stage that waits for more approvals, it is no longer theirs to decide.
    .where((w) =>
      w.not(
        w.exists(
          w
            .selectFrom('pim_approval_decisions as d')
            .select('d.step_id')
            .whereRef('d.step_id', '=', 's.id')
            .where('d.approver_id', '=', userId),
        ),
      ),
    );
  return eb.and([
    eb('pim_schedule_requests.status', '=', 'PendingApproval'),
    eb('pim_schedule_requests.approval_deadline_at', '>', now),
    eb.exists(step),
  ]);
}

const toRow = (r: ScheduleRequest): PimScheduleRequestRow => ({
  id: r.id,
  tenant_id: r.tenantId,
  kind: r.kind,
  action: r.action,
  status: r.status,
  principal_id: r.principalId,
  role_definition_id: r.roleDefinitionId,
  directory_scope_id: r.directoryScopeId,
  app_scope_id: r.appScopeId,
  target_schedule_id: r.targetScheduleId,
  activated_using: r.activatedUsing,
  justification: r.justification,
  ticket_number: r.ticketInfo.ticketNumber,
  ticket_system: r.ticketInfo.ticketSystem,
  schedule_start_at: r.scheduleInfo === null ? null : codecs.time.encode(r.scheduleInfo.startDateTime),
  expiration_type: r.scheduleInfo?.expiration.type ?? null,
  expiration_end_at: codecs.optionalTime.encode(r.scheduleInfo?.expiration.endDateTime ?? null),
  expiration_duration: r.scheduleInfo?.expiration.duration ?? null,
  created_at: codecs.time.encode(r.createdAt),
  completed_at: codecs.optionalTime.encode(r.completedAt),
  created_by_kind: r.createdBy.kind,
  created_by_id: r.createdBy.id,
  created_by_app_id: r.createdBy.appId,
  approval_id: r.approvalId,
  approval_deadline_at: codecs.optionalTime.encode(r.approvalDeadline),
  custom_data: r.customData,
  version: r.version,
  resource_type: r.resourceType,
});

const fromRow = (r: PimScheduleRequestRow): ScheduleRequest => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as ScheduleKind,
  resourceType: r.resource_type as ResourceType,
  action: r.action as RequestAction,
  status: r.status as RequestStatus,
  principalId: r.principal_id,
  roleDefinitionId: r.role_definition_id,
  directoryScopeId: r.directory_scope_id,
  appScopeId: r.app_scope_id,
  targetScheduleId: r.target_schedule_id,
  activatedUsing: r.activated_using,
  justification: r.justification,
  ticketInfo: { ticketNumber: r.ticket_number, ticketSystem: r.ticket_system },
  scheduleInfo:
    r.expiration_type === null || r.schedule_start_at === null
      ? null
      : {
          startDateTime: codecs.time.decode(r.schedule_start_at),
          expiration: {
            type: r.expiration_type as ExpirationType,
            endDateTime: codecs.optionalTime.decode(r.expiration_end_at),
            duration: r.expiration_duration,
          },
        },
  createdAt: codecs.time.decode(r.created_at),
  completedAt: codecs.optionalTime.decode(r.completed_at),
  createdBy: {
    kind: r.created_by_kind === 'app' ? 'app' : 'user',
    id: r.created_by_id,
    appId: r.created_by_app_id,
  },
  approvalId: r.approval_id,
  approvalDeadline: codecs.optionalTime.decode(r.approval_deadline_at),
  customData: r.custom_data,
  isValidationOnly: false,
  version: r.version,
});

/** Schedule requests of both kinds over `pim_schedule_requests`. */
export function scheduleRequestStore(db: Kysely<Database>): ScheduleRequestStore {
  return {
    async insert(r) {
      await uniqueOrConflict(
        db.insertInto('pim_schedule_requests').values(toRow(r)).execute(),
        'A schedule request with this id already exists.',
      );
    },

    async get(tenantId, kind, id, resourceType) {
      let qb = db
        .selectFrom('pim_schedule_requests')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind);
      if (resourceType !== undefined) qb = qb.where('resource_type', '=', resourceType);
      const r = await qb.executeTakeFirst();
      return r && fromRow(r);
    },

    async list(tenantId, kind, q, view, now, resourceType = 'directoryRole') {
      let inner = db
        .selectFrom('pim_schedule_requests')
        .selectAll()
        .select(
          sql<string>`case when status = 'Granted' and schedule_start_at <= ${now} then 'Provisioned' when status = 'PendingApproval' and approval_deadline_at <= ${now} then 'Denied' else status end`.as(
            'status_at',
          ),
        )
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('resource_type', '=', resourceType);
      const { principalId, orCreatedBy, status, roleDefinitionIds, notPrincipalId, approver } = view;
      if (principalId !== undefined) {
        inner = orCreatedBy
          ? inner.where((eb) =>
              eb.or([eb('principal_id', '=', principalId), eb('created_by_id', '=', principalId)]),
            )
          : inner.where('principal_id', '=', principalId);
      }
      if (status !== undefined) inner = inner.where('status', '=', status);
      if (roleDefinitionIds !== undefined) {
        if (roleDefinitionIds.length === 0)
          return { items: [], hasMore: false, ...(q.count ? { count: 0 } : {}) };
        inner = inner.where('role_definition_id', 'in', [...roleDefinitionIds]);
      }
      if (notPrincipalId !== undefined) inner = inner.where('principal_id', '<>', notPrincipalId);
      if (approver !== undefined) inner = inner.where((eb) => decidableBy(eb, approver, now));
      const fields = resourceType === 'group' ? groupScheduleRequestFields : scheduleRequestFields;
      const page = await pageOf(db.selectFrom(inner.as('r')).selectAll(), q, fields, 'id');
      return { ...page, items: page.items.map(fromRow) };
    },

    async setStatus(r, expectedVersion) {
      const res = await db
        .updateTable('pim_schedule_requests')
        .set({
          status: r.status,
          completed_at: codecs.optionalTime.encode(r.completedAt),
          version: expectedVersion + 1,
        })
        .where('id', '=', r.id)
        .where('tenant_id', '=', r.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async update(r, expectedVersion) {
      const row = toRow(r);
      const res = await db
        .updateTable('pim_schedule_requests')
        .set({
          status: r.status,
          completed_at: row.completed_at,
          schedule_start_at: row.schedule_start_at,
          expiration_type: row.expiration_type,
          expiration_end_at: row.expiration_end_at,
          expiration_duration: row.expiration_duration,
          approval_deadline_at: row.approval_deadline_at,
          version: expectedVersion + 1,
        })
        .where('id', '=', r.id)
        .where('tenant_id', '=', r.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async pendingApproval(key, now) {
      const r = await db
        .selectFrom('pim_schedule_requests')
        .selectAll()
        .where('tenant_id', '=', key.tenantId)
        .where('kind', '=', key.kind)
        .where('principal_id', '=', key.principalId)
        .where('role_definition_id', '=', key.roleDefinitionId)
        .where('directory_scope_id', '=', key.directoryScopeId)
        .where('status', '=', 'PendingApproval')
        .where('approval_deadline_at', '>', now)
        .executeTakeFirst();
      return r && fromRow(r);
    },

    async claimTimedOutApprovals(now, limit) {
      const due = await db
        .selectFrom('pim_schedule_requests')
        .selectAll()
        .where('status', '=', 'PendingApproval')
        .where('approval_deadline_at', '<=', now)
        .orderBy('approval_deadline_at')
        .limit(limit)
        .execute();
      const claimed: ScheduleRequest[] = [];
      for (const row of due) {
        // Compare-and-set on the status: a concurrent sweeper (or a decision) that got there first
        // leaves zero rows here, and the request is skipped.
        const res = await db
          .updateTable('pim_schedule_requests')
          .set({ status: 'Denied', completed_at: row.approval_deadline_at, version: sql`version + 1` })
          .where('id', '=', row.id)
          .where('status', '=', 'PendingApproval')
          .where('approval_deadline_at', '<=', now)
          .executeTakeFirst();
        if (res.numUpdatedRows === 1n) claimed.push(fromRow(row));
      }
      return claimed;
    },
  };
}
