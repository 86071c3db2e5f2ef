import type { Kysely } from 'kysely';
import type { AlertFacts } from '../../app/alerts/ports.js';
import type { ActivationFact, AlertPrincipalFact, AlertScheduleFact } from '../../domain/alerts/detectors.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

const time = (v: number | string | bigint) => codecs.time.decode(v);

/**
 * The facts alert scans read, a few set queries per tenant (no query per row): roles, the
 * tenant-scope policies, every schedule holding now (PIM and direct), principals' names, and
 * activation history (activated assignment schedules, which stay as history after they end).
 */
export function alertFacts(db: Kysely<Database>): AlertFacts {
  return {
    async snapshot(tenantId, now, since) {
      const tenant = codecs.id.encode(tenantId);
      const roles = await db
        .selectFrom('role_definitions')
        .select(['id', 'template_id', 'display_name', 'is_privileged'])
        .where('tenant_id', '=', tenant)
        .orderBy('id')
        .execute();
      const policyRows = await db
        .selectFrom('role_management_policies')
        .select(['role_definition_id', 'rules'])
        .where('tenant_id', '=', tenant)
        .where('scope_id', '=', '/')
        .where('scope_type', '=', 'DirectoryRole')
        .execute();
      const pim = await db
        .selectFrom('pim_schedules')
        .select([
          'id',
          'kind',
          'principal_id',
          'role_definition_id',
          'directory_scope_id',
          'assignment_type',
          'start_at',
          'created_at',
        ])
        .where('tenant_id', '=', tenant)
        .where('start_at', '<=', now)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
        .execute();
      const direct = await db
        .selectFrom('role_assignments')
        .select(['id', 'principal_id', 'role_definition_id', 'directory_scope_id', 'created_at'])
        .where('tenant_id', '=', tenant)
        .execute();
      const schedules: AlertScheduleFact[] = [
        ...pim.map((r) => ({
          id: r.id,
          kind: r.kind === 'eligibility' ? ('eligibility' as const) : ('assignment' as const),
          origin: 'pim' as const,
          principalId: r.principal_id,
          roleDefinitionId: r.role_definition_id,
          directoryScopeId: r.directory_scope_id,
          assignmentType: r.assignment_type,
          start: time(r.start_at),
          createdAt: time(r.created_at),
        })),
        ...direct.map((r) => ({
          id: r.id,
          kind: 'assignment' as const,
          origin: 'direct' as const,
          principalId: r.principal_id,
          roleDefinitionId: r.role_definition_id,
          directoryScopeId: r.directory_scope_id,
          assignmentType: 'Assigned',
          start: time(r.created_at),
          createdAt: time(r.created_at),
        })),
      ];
      const activated = db
        .selectFrom('pim_schedules')
        .where('tenant_id', '=', tenant)
        .where('kind', '=', 'assignment')
        .where('assignment_type', '=', 'Activated')
        .where('start_at', '<=', now);
      const recent = await activated
        .select(['principal_id', 'role_definition_id', 'start_at'])
        .where('start_at', '>=', since)
        .execute();
      const latest = await activated
        .select(['principal_id', 'role_definition_id', (eb) => eb.fn.max('start_at').as('start_at')])
        .groupBy(['principal_id', 'role_definition_id'])
        .execute();
      // The last activation of each principal and role, when it is older than the recent ones read.
      const older = latest.filter((r) => time(r.start_at) < since);
      const activations: ActivationFact[] = [...recent, ...older].map((r) => ({
        principalId: r.principal_id,
        roleDefinitionId: r.role_definition_id,
        at: time(r.start_at),
      }));
      const principals = new Map<string, AlertPrincipalFact>();
      const users = await db
        .selectFrom('users')
        .leftJoin('sign_in_activity', (j) =>
          j
            .onRef('sign_in_activity.tenant_id', '=', 'users.tenant_id')
            .onRef('sign_in_activity.user_id', '=', 'users.id'),
        )
        .select([
          'users.id',
          'users.display_name',
          'users.user_principal_name',
          'users.created_at',
          'sign_in_activity.last_sign_in_at',
        ])
        .where('users.tenant_id', '=', tenant)
        .execute();
      for (const u of users)
        principals.set(u.id, {
          type: 'user',
          displayName: u.display_name,
          userPrincipalName: u.user_principal_name,
          createdAt: time(u.created_at),
          lastSignInAt: u.last_sign_in_at === null ? null : time(u.last_sign_in_at),
        });
      for (const [table, type] of [
        ['groups', 'group'],
        ['service_principals', 'servicePrincipal'],
      ] as const) {
        const rows = await db
          .selectFrom(table)
          .select(['id', 'display_name'])
          .where('tenant_id', '=', tenant)
          .execute();
        for (const r of rows)
          principals.set(r.id, {
            type,
            displayName: r.display_name,
            userPrincipalName: null,
            createdAt: null,
            lastSignInAt: null,
          });
      }
      return {
        now,
        roles: roles.map((r) => ({
          id: r.id,
          templateId: r.template_id,
          displayName: r.display_name,
          isPrivileged: codecs.bool.decode(r.is_privileged),
        })),
        principals,
        schedules,
        policies: new Map(
          policyRows.map((p) => [p.role_definition_id, codecs.json.decode<PolicyRule[]>(p.rules)]),
        ),
        activations,
      };
    },
  };
}
