/**
 * `npm run bench:governance`: the governance targets of issue 14 on the embedded SQLite store
 * (a fresh file, WAL, synchronous=FULL, as `openDatabase` opens it), in this process, no network.
 *
 *   (r) an access review instance over 10,000 eligibilities, created by the scheduler with its
 *       10,000 decision items and their recommendations (half the principals activated the role
 *       within the look-back, half did not): target < 10 s;
 *   (s) a scan of every PIM alert over 100,000 active assignments (10,000 users × 10 roles) plus
 *       those eligibilities: target < 5 s.
 *
 * Template rows are made through the API, then cloned through Kysely (what Elevate itself writes).
 * Prints the figures; nothing is asserted. The database and temp dir are removed at the end.
 *
 *   npm run bench:governance
 *   BENCH_USERS=1000 npm run bench:governance   # a smoke run
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { makeRoleManagementAlerts } from '../src/app/alerts/role-management-alerts.js';
import { createElevate } from '../src/compose.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../src/domain/pim/instance-id.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import { openDatabase } from '../src/store/db.js';
import type { PimScheduleRow, PimSlotRow } from '../src/store/pim/rows.js';
import type { Database, UserRow } from '../src/store/schema.js';
import { createSecretBox } from '../src/store/secret-box.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ROLES = 10; // active assignments per user → USERS × 10 = 100,000
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PUBLIC_URL = 'http://127.0.0.1:8080';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function insertAll<T>(k: Kysely<Database>, table: keyof Database, rows: T[]): Promise<void> {
  await k.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + 500))
        .execute();
  });
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-governance-'));
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  const k = db.kysely;
  const elevate = await createElevate({
    db,
    box: createSecretBox(randomBytes(32)),
    clock: systemClock,
    logger: false,
    publicUrl: PUBLIC_URL,
    accessTokenTtlSeconds: 3600,
    bootstrapAdminUpn: 'admin@contoso.test',
    auditCheckpointIntervalMs: 0,
    expirySweepIntervalMs: 0,
    outboxRelayIntervalMs: 0,
    accessReviewIntervalMs: 0,
    alertScanIntervalMs: 0,
  });
  try {
    const boot = elevate.bootstrapped!;
    const tenantId = boot.tenantId;
    const inject = async (
      method: 'GET' | 'POST',
      url: string,
      headers: Record<string, string>,
      body?: unknown,
    ) => {
      const res = await elevate.app.inject({
        method,
        url,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json<Record<string, unknown>>();
    };
    const tokenRes = await elevate.app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: boot.app.clientId,
        client_secret: boot.app.clientSecret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    const admin = { authorization: `Bearer ${tokenRes.json<{ access_token: string }>().access_token}` };

    // Templates through the API: a user, an eligibility and an assignment of it.
    const tplUser = await inject('POST', '/v1.0/users', admin, {
      accountEnabled: true,
      displayName: 'bench template',
      userPrincipalName: 'bench.template@contoso.test',
    });
    const roles = (
      await k
        .selectFrom('role_definitions')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('is_built_in', '=', 1)
        .where('id', '!=', USER_ADMINISTRATOR)
        .orderBy('id')
        .limit(ROLES)
        .execute()
    ).map((r) => r.id);
    const request = (kind: 'Eligibility' | 'Assignment', role: string) =>
      inject('POST', `/v1.0/roleManagement/directory/role${kind}ScheduleRequests`, admin, {
        action: 'adminAssign',
        principalId: tplUser.id,
        roleDefinitionId: role,
        directoryScopeId: '/',
        justification: 'bench',
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P90D' } },
      });
    await request('Eligibility', USER_ADMINISTRATOR);
    await request('Assignment', roles[0]!);
    const userTpl = await k
      .selectFrom('users')
      .selectAll()
      .where('id', '=', tplUser.id as string)
      .executeTakeFirstOrThrow();
    const tpl = await k
      .selectFrom('pim_schedules')
      .selectAll()
      .where('principal_id', '=', tplUser.id as string)
      .execute();
    const eligTpl = tpl.find((s) => s.kind === 'eligibility')! as PimScheduleRow;
    const assignTpl = tpl.find((s) => s.kind === 'assignment')! as PimScheduleRow;

    // ------------------------------------------------------------------------------- seed
    const now = Date.now();
    const seedStart = performance.now();
    const userIds = Array.from({ length: USERS }, newId);
    await insertAll<UserRow>(
      k,
      'users',
      userIds.map((id, i) => ({
        ...userTpl,
        id,
        display_name: `bench user ${i}`,
        user_principal_name: `bench${i}@contoso.test`,
        upn_lower: `bench${i}@contoso.test`,
      })),
    );
    const schedule = (
      t: PimScheduleRow,
      user: string,
      role: string,
      start: number,
      end: number,
    ): PimScheduleRow => ({
      ...t,
      id: newId(),
      principal_id: user,
      role_definition_id: role,
      start_at: start,
      end_at: end,
      instance_id: (t.kind === 'eligibility' ? eligibilityInstanceId : assignmentInstanceId)(
        role,
        user,
        '/',
        newId,
      ),
      created_at: start,
      modified_at: start,
    });
    const slot = (kind: string, user: string, role: string): PimSlotRow => ({
      tenant_id: tenantId,
      kind,
      principal_id: user,
      role_definition_id: role,
      directory_scope_id: '/',
      version: 1,
    });
    // 10,000 eligibilities for User Administrator.
    await insertAll(
      k,
      'pim_schedules',
      userIds.map((u) => schedule(eligTpl, u, USER_ADMINISTRATOR, now - 60 * DAY, now + 120 * DAY)),
    );
    await insertAll(
      k,
      'pim_slots',
      userIds.map((u) => slot('eligibility', u, USER_ADMINISTRATOR)),
    );
    // Half of them activated it ten days ago (ended activations stay as history).
    await insertAll(
      k,
      'pim_schedules',
      userIds
        .filter((_, i) => i % 2 === 0)
        .map((u) => ({
          ...schedule(assignTpl, u, USER_ADMINISTRATOR, now - 10 * DAY, now - 10 * DAY + HOUR),
          assignment_type: 'Activated',
        })),
    );
    // 100,000 active assignments: every user holds the ten roles.
    for (const role of roles) {
      await insertAll(
        k,
        'pim_schedules',
        userIds.map((u) => schedule(assignTpl, u, role, now - DAY, now + 90 * DAY)),
      );
      await insertAll(
        k,
        'pim_slots',
        userIds
          .map((u) => slot('assignment', u, role))
          .filter((s) => !(s.principal_id === tplUser.id && s.role_definition_id === roles[0])),
      );
    }
    await sql`analyze`.execute(k);
    log(
      `Seeded ${USERS} users, ${USERS} eligibilities, ${USERS / 2} past activations and ${USERS * ROLES} active assignments in ${seconds(performance.now() - seedStart)}`,
    );

    // --------------------------------------------------------------------------- (r) review
    await inject('POST', '/v1.0/identityGovernance/accessReviews/definitions', admin, {
      displayName: 'Bench review',
      scope: {
        '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
        principalScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: '/users',
            queryType: 'MicrosoftGraph',
          },
        ],
        resourceScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: `/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${USER_ADMINISTRATOR}')`,
            queryType: 'MicrosoftGraph',
          },
        ],
      },
      reviewers: [{ query: `/users/${boot.admin.id}`, queryType: 'MicrosoftGraph' }],
      settings: {
        mailNotificationsEnabled: false,
        reminderNotificationsEnabled: false,
        justificationRequiredOnApproval: false,
        defaultDecisionEnabled: true,
        defaultDecision: 'Recommendation',
        instanceDurationInDays: 14,
        autoApplyDecisionsEnabled: true,
        recommendationsEnabled: true,
        recommendationLookBackDuration: 'P30D',
        recurrence: {
          pattern: null,
          range: { type: 'noEnd', startDate: new Date(now).toISOString().slice(0, 10) },
        },
      },
    });
    const reviewStart = performance.now();
    const ran = await elevate.accessReviews.runDue();
    const reviewMs = performance.now() - reviewStart;
    const decisions = await k
      .selectFrom('access_review_decisions')
      .select((eb) => [eb.fn.countAll<number>().as('n'), 'recommendation'])
      .groupBy('recommendation')
      .execute();
    log(
      `(r) review instance: ${ran.created} created with ${decisions.map((d) => `${Number(d.n)} ${d.recommendation}`).join(', ')} in ${seconds(reviewMs)} (target < 10 s)`,
    );

    // ----------------------------------------------------------------------------- (s) scan
    const alerts = makeRoleManagementAlerts({ uow: createUnitOfWork(db), clock: systemClock });
    const scanStart = performance.now();
    await alerts.scanAll();
    const scanMs = performance.now() - scanStart;
    const incidents = await k
      .selectFrom('role_management_alerts')
      .select(['alert_name', 'incident_count'])
      .execute();
    log(
      `(s) alert scan of ${USERS * ROLES} assignments: ${seconds(scanMs)} (target < 5 s); incidents ${incidents.map((a) => `${a.alert_name} ${a.incident_count}`).join(', ')}`,
    );
    const again = performance.now();
    await alerts.scanAll();
    log(`    second scan (nothing changed): ${seconds(performance.now() - again)}`);
  } finally {
    await elevate.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
