import type { Kysely } from 'kysely';
import type { AlertFacts } from '../../app/alerts/ports.js';
import type { ActivationFact, AlertPrincipalFact, AlertScheduleFact } from '../../domain/alerts/detectors.js';
import type { PolicyRule } from '../../domain/policy/types.js';
import { GLOBAL_ADMINISTRATOR } from '../../domain/roles/built-in-role-ids.js';
import { codecs } from '../codecs.js';
import { breakGlassStore } from './break-glass-store.js';
import type { Database } from '../schema.js';

const time = (v: number | string | bigint) => codecs.time.decode(v);

/** Ids per `in (…)` list when principals' names are read. */
const CHUNK = 500;

/**
 * The facts alert scans read, a few set queries per tenant (no query per row), each leaving in the
 * database the rows no detector could report (`AlertScanNeeds`): a tenant's schedules can be
 * counted in millions, the candidates rarely. Read: roles; the tenant-scope policies; of the
 * privileged directory roles holding now, the Global Administrators' schedules, the direct
 * assignments, the eligibilities old enough to be redundant and the schedules of users not seen
 * for long enough; how many principals hold any directory role (counted by the database, and only
 * when the Global Administrators exceed their threshold); activation history of privileged roles
 * (activated assignment schedules, which stay as history after they end); the names of the
 * principals all of these name.
 */
export function alertFacts(db: Kysely<Database>): AlertFacts {
  return {
    async snapshot(tenantId, now, since, needs) {
      const tenant = codecs.id.encode(tenantId);
      const roles = await db
        .selectFrom('role_definitions')
        .select(['id', 'template_id', 'display_name', 'is_privileged'])
        .where('tenant_id', '=', tenant)
        .orderBy('id')
        .execute();
      const privileged = roles.filter((r) => codecs.bool.decode(r.is_privileged)).map((r) => r.id);
      const policyRows = await db
        .selectFrom('role_management_policies')
        .select(['role_definition_id', 'rules'])
        .where('tenant_id', '=', tenant)
        .where('scope_id', '=', '/')
        .where('scope_type', '=', 'DirectoryRole')
        .execute();

      /** PIM schedules of privileged directory roles holding now. */
      const holdingPim = () =>
        db
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
          .where('resource_type', '=', 'directoryRole')
          .where('role_definition_id', 'in', privileged)
          .where('start_at', '<=', now)
          .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]));
      // Users not seen since `unseenSince`: the few whose schedules StaleSignInAlert reads.
      const unseen = (unseenSince: number) =>
        db
          .selectFrom('users')
          .leftJoin('sign_in_activity', (j) =>
            j
              .onRef('sign_in_activity.tenant_id', '=', 'users.tenant_id')
              .onRef('sign_in_activity.user_id', '=', 'users.id'),
          )
          .select('users.id')
          .where('users.tenant_id', '=', tenant)
          .where((eb) =>
            eb.or([
              eb('sign_in_activity.last_sign_in_at', '<=', unseenSince),
              eb.and([
                eb('sign_in_activity.last_sign_in_at', 'is', null),
                eb('users.created_at', '<=', unseenSince),
              ]),
            ]),
          );
      const { globalAdminCount, eligibleSince, unseenSince } = needs;
      const pimRows = [];
      if (privileged.length > 0) {
        // One pass over the tenant's rows for the Global Administrators and the old eligibilities.
        if (globalAdminCount !== null || eligibleSince !== null)
          pimRows.push(
            ...(await holdingPim()
              .where((eb) =>
                eb.or([
                  ...(globalAdminCount !== null ? [eb('role_definition_id', '=', GLOBAL_ADMINISTRATOR)] : []),
                  ...(eligibleSince !== null
                    ? [eb.and([eb('kind', '=', 'eligibility'), eb('start_at', '<=', eligibleSince)])]
                    : []),
                ]),
              )
              .execute()),
          );
        if (unseenSince !== null)
          pimRows.push(...(await holdingPim().where('principal_id', 'in', unseen(unseenSince)).execute()));
      }
      const direct =
        privileged.length === 0
          ? []
          : await db
              .selectFrom('role_assignments')
              .select(['id', 'principal_id', 'role_definition_id', 'directory_scope_id', 'created_at'])
              .where('tenant_id', '=', tenant)
              .where('role_definition_id', 'in', privileged)
              .execute();
      const pim = [...new Map(pimRows.map((r) => [r.id, r])).values()];
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

      // Everyone holding a directory role, counted only when the share of Global Administrators
      // can matter (their count is above the threshold).
      let holderCount: number | null = null;
      const admins = new Set(
        schedules.filter((x) => x.roleDefinitionId === GLOBAL_ADMINISTRATOR).map((x) => x.principalId),
      );
      if (globalAdminCount !== null && admins.size > globalAdminCount) {
        const holding = db
          .selectFrom('pim_schedules')
          .select('principal_id')
          .where('tenant_id', '=', tenant)
          .where('resource_type', '=', 'directoryRole')
          .where('start_at', '<=', now)
          .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
          .union(db.selectFrom('role_assignments').select('principal_id').where('tenant_id', '=', tenant));
        const { n } = await db
          .selectFrom(holding.as('h'))
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
          .executeTakeFirstOrThrow();
        holderCount = Number(n);
      }

      const activated = db
        .selectFrom('pim_schedules')
        .where('tenant_id', '=', tenant)
        .where('kind', '=', 'assignment')
        .where('resource_type', '=', 'directoryRole')
        .where('role_definition_id', 'in', privileged.length === 0 ? [''] : privileged)
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

      // The names of the principals named above, read by id.
      // Break-glass accounts and their uses not justified yet (ADR 0033): a few rows.
      const accounts = await breakGlassStore(db).list(tenantId);
      const usage = await breakGlassStore(db).usage(tenantId);
      const breakGlass = {
        accounts: accounts.map((a) => ({
          userId: a.userId,
          createdAt: a.createdAt,
          lastTestedAt: a.lastTestedAt,
        })),
        unjustifiedUses: [...usage.values()].flatMap((u) =>
          u.unjustified.map((x) => ({ id: x.id, userId: x.userId, usedAt: x.usedAt, method: x.method })),
        ),
      };
      const named = [
        ...new Set([
          ...[...schedules, ...activations].map((x) => x.principalId),
          ...breakGlass.accounts.map((a) => a.userId),
        ]),
      ];
      const principals = new Map<string, AlertPrincipalFact>();
      for (let i = 0; i < named.length; i += CHUNK) {
        const ids = named.slice(i, i + CHUNK);
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
          .where('users.id', 'in', ids)
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
            .where('id', 'in', ids)
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
      }
      return {
        now,
        holderCount,
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
        breakGlass,
      };
    },
  };
}
