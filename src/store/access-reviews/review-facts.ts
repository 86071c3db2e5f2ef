import type { Kysely } from 'kysely';
import type { ReviewFacts, ScheduleInScope } from '../../app/access-reviews/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

/** The reads that snapshot a review instance: one set query each, never a query per schedule. */
export function reviewFacts(db: Kysely<Database>): ReviewFacts {
  return {
    async schedulesInScope(tenantId, scope, at) {
      const eligible = scope.roles.filter((r) => r.eligible).map((r) => r.roleDefinitionId);
      const active = scope.roles.filter((r) => r.active).map((r) => r.roleDefinitionId);
      if (eligible.length === 0 && active.length === 0) return [];
      const rows = await db
        .selectFrom('pim_schedules')
        .select(['id', 'kind', 'principal_id', 'principal_type', 'role_definition_id', 'directory_scope_id'])
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('resource_type', '=', 'directoryRole')
        .where('start_at', '<=', at)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', at)]))
        .where('principal_type', 'in', scope.principalTypes)
        .where((eb) =>
          eb.or([
            ...(eligible.length > 0
              ? [eb.and([eb('kind', '=', 'eligibility'), eb('role_definition_id', 'in', eligible)])]
              : []),
            ...(active.length > 0
              ? [
                  eb.and([
                    eb('kind', '=', 'assignment'),
                    eb('assignment_type', '=', 'Assigned'),
                    eb('role_definition_id', 'in', active),
                  ]),
                ]
              : []),
          ]),
        )
        .orderBy('id')
        .execute();
      return rows.map((r): ScheduleInScope => ({
        scheduleId: r.id,
        scheduleKind: r.kind === 'eligibility' ? 'eligibility' : 'assignment',
        principalId: r.principal_id,
        principalType: r.principal_type as ScheduleInScope['principalType'],
        roleDefinitionId: r.role_definition_id,
        directoryScopeId: r.directory_scope_id,
      }));
    },
    async lastActivations(tenantId, roleIds, at) {
      const out = new Map<string, number>();
      if (roleIds.length === 0) return out;
      const rows = await db
        .selectFrom('pim_schedules')
        .select((eb) => ['principal_id', 'role_definition_id', eb.fn.max('start_at').as('last')])
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('resource_type', '=', 'directoryRole')
        .where('kind', '=', 'assignment')
        .where('assignment_type', '=', 'Activated')
        .where('role_definition_id', 'in', roleIds)
        .where('start_at', '<', at)
        .groupBy(['principal_id', 'role_definition_id'])
        .execute();
      for (const r of rows) out.set(`${r.principal_id}|${r.role_definition_id}`, codecs.time.decode(r.last));
      return out;
    },
  };
}
