/**
 * The benches' data set (DESIGN.md §6): service principals with a client secret each, ten
 * eligibility schedules per principal and one active assignment each (100,000 principals: 1,000,000
 * eligibilities and 100,000 active), written straight through Kysely in 100,000-row transactions
 * from rows Elevate itself wrote through its API (the templates), so the seeded rows are exactly
 * what Elevate writes. `npm run bench` seeds its in-process server's database with it;
 * `npm run bench:start` seeds the data folder that `npm start` then opens.
 */
import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { assignmentInstanceId, eligibilityInstanceId } from '../src/domain/pim/instance-id.js';
import { findRule } from '../src/domain/policy/types.js';
import { newId } from '../src/domain/shared/ids.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import type { Db } from '../src/store/db.js';
import { hashClientSecret } from '../src/domain/shared/secrets.js';
import type { PimScheduleRow, PimSlotRow } from '../src/store/pim/rows.js';
import type { ServicePrincipalRow, ServicePrincipalSecretRow } from '../src/store/schema.js';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A JSON call to the running server: status and parsed body. */
export type ApiCall = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
) => Promise<{ status: number; json: any }>;

/**
 * The first `n` built-in roles of the tenant (by id), their activation policy set to need only a
 * justification (an application cannot do MFA), then `extra` more as they are.
 */
export async function benchRoles(
  db: Db,
  tenantId: string,
  n: number,
  o: { extra?: number } = {},
): Promise<string[]> {
  const all = (
    await db.kysely
      .selectFrom('role_definitions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('is_built_in', '=', 1)
      .orderBy('id')
      .limit(n + (o.extra ?? 0))
      .execute()
  ).map((r) => r.id);
  // `extra` more roles after them are returned as they are, their policies untouched.
  const roles = all.slice(0, n);
  await createUnitOfWork(db).run(async (tx) => {
    for (const roleId of roles) {
      const policy = await tx.policies.forRole(tenantId, 'DirectoryRole', '/', roleId);
      if (!policy) throw new Error(`no policy for ${roleId}`);
      const rules = structuredClone(policy.rules);
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      await tx.policies.update({ ...policy, rules }, policy.version);
    }
  });
  return all;
}

/** Rows Elevate wrote through its API, cloned by the seed. */
export interface SeedTemplates {
  sp: ServicePrincipalRow;
  secret: ServicePrincipalSecretRow;
  eligibility: PimScheduleRow;
  assignment: PimScheduleRow;
}

/**
 * One service principal with a password, one eligibility for `roleId` (`adminAssign`, P180D) and
 * its activation (`selfActivate`, PT1H), made through the API of the server at `api`; their rows
 * are read back from the database.
 */
export async function createTemplates(
  k: AnyDb,
  api: ApiCall,
  token: (clientId: string, secret: string) => Promise<string>,
  admin: Record<string, string>,
  roleId: string,
): Promise<SeedTemplates> {
  const ok = <R extends { status: number; json: unknown }>(what: string, r: R): R => {
    if (r.status !== 201) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
    return r;
  };
  const sp = ok('sp', await api('POST', '/v1.0/servicePrincipals', admin, { displayName: 'bench template' }));
  const pw = await api('POST', `/v1.0/servicePrincipals/${sp.json.id}/addPassword`, admin, {});
  const spToken = { authorization: await token(sp.json.appId, pw.json.secretText) };
  const request = (duration: string) => ({
    principalId: sp.json.id,
    roleDefinitionId: roleId,
    directoryScopeId: '/',
    justification: 'bench',
    scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration } },
  });
  ok(
    'eligible',
    await api('POST', '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests', admin, {
      action: 'adminAssign',
      ...request('P180D'),
    }),
  );
  ok(
    'activate',
    await api('POST', '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests', spToken, {
      action: 'selfActivate',
      ...request('PT1H'),
    }),
  );
  const schedules = (await k
    .selectFrom('pim_schedules')
    .selectAll()
    .where('principal_id', '=', sp.json.id)
    .execute()) as PimScheduleRow[];
  return {
    sp: (await k
      .selectFrom('service_principals')
      .selectAll()
      .where('id', '=', sp.json.id)
      .executeTakeFirstOrThrow()) as ServicePrincipalRow,
    secret: (await k
      .selectFrom('service_principal_secrets')
      .selectAll()
      .where('service_principal_id', '=', sp.json.id)
      .executeTakeFirstOrThrow()) as ServicePrincipalSecretRow,
    eligibility: schedules.find((s) => s.kind === 'eligibility')!,
    assignment: schedules.find((s) => s.kind === 'assignment')!,
  };
}

/** What the seed made, for the measurements that follow it. */
export interface Seeded {
  /** The seeded principals' ids (sorted) and their applications' client ids, index for index. */
  spIds: string[];
  appIds: string[];
  /** The client secret every seeded principal has. */
  secret: string;
  /** A schedule row like `tpl` for principal `i`, `role`, `[start, end)`. */
  schedule: (tpl: PimScheduleRow, i: number, role: string, start: number, end: number) => PimScheduleRow;
  /** The slot row of principal `i`'s `kind` schedules of `role` at `/`. */
  slot: (kind: string, i: number, role: string) => PimSlotRow;
  /** The seed's "now": eligibilities started a day before it, activations an hour before it. */
  now: number;
  seconds: number;
}

/**
 * Seeds `sps` service principals, each eligible for every role of `roles` (P180D) and holding the
 * first of them (an activation ending 8–9 hours from now), then runs `analyze`. For the load the
 * secondary indexes of `pim_schedules` are dropped and rebuilt from their own DDL afterwards.
 * `beforeSeed` runs after the principals' ids are generated, just before the first write.
 */
export async function seedPim(
  k: AnyDb,
  o: {
    dialect: 'sqlite' | 'postgres';
    tenantId: string;
    roles: string[];
    templates: SeedTemplates;
    sps: number;
    log: (line: string) => void;
    beforeSeed?: () => Promise<unknown>;
  },
): Promise<Seeded> {
  const { tenantId, roles, log } = o;
  const { sp: spTpl, secret: secretTpl, eligibility: eligTpl, assignment: assignTpl } = o.templates;
  const now0 = Date.now();
  const secret = randomBytes(30).toString('base64url');
  const secretHash = hashClientSecret(secret);
  const spIds: string[] = [];
  const appIds: string[] = [];
  for (let i = 0; i < o.sps; i += 1) {
    spIds.push(newId());
    appIds.push(newId());
  }
  // Principals in id order, so the slot index and the slots' primary key grow mostly at the end
  // (the rows are the same; only the seeding is faster).
  spIds.sort();
  await o.beforeSeed?.();
  const seedStarted = performance.now();
  // Multi-row INSERT text built once per table and batch size, executed through Kysely with the
  // rows' values as parameters (Kysely's per-batch query compilation cost more than SQLite's work).
  const insertTexts = new Map<string, string>();
  const insertSql = (table: string, batch: object[]) => {
    const cols = Object.keys(batch[0]!);
    const key = `${table}/${cols.join(',')}/${batch.length}`;
    let text = insertTexts.get(key);
    if (!text) {
      // SQLite numbers `?` itself; PostgreSQL wants `$1…$n`.
      let p = 0;
      const param = () => (o.dialect === 'sqlite' ? '?' : `$${++p}`);
      const tuples = Array.from({ length: batch.length }, () => `(${cols.map(param).join(', ')})`);
      text = `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`;
      insertTexts.set(key, text);
    }
    const params: unknown[] = [];
    for (const row of batch) for (const c of cols) params.push((row as Record<string, unknown>)[c]);
    return CompiledQuery.raw(text, params);
  };
  /** Inserts the generated rows `perStatement` at a time, 100,000 rows per transaction. */
  const insertBatched = async (table: string, rows: () => Generator<object>, perStatement: number) => {
    const it = rows();
    let n = 0;
    let done = false;
    while (!done) {
      await k.transaction().execute(async (trx) => {
        for (let inTx = 0; inTx < 100_000 && !done;) {
          const batch: object[] = [];
          while (batch.length < perStatement) {
            const r = it.next();
            if (r.done) {
              done = true;
              break;
            }
            batch.push(r.value);
          }
          if (batch.length) await trx.executeQuery(insertSql(table, batch));
          inTx += batch.length;
          n += batch.length;
        }
      });
    }
    return n;
  };
  const timed = async (label: string, f: () => Promise<number>) => {
    const t = performance.now();
    const n = await f();
    log(`  seeded ${String(n).padStart(9)} ${label} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  log(
    `Seeding ${o.sps * roles.length} eligibilities and ${o.sps} active assignments over ${o.sps} service principals...`,
  );
  await timed('service principals', () =>
    insertBatched(
      'service_principals',
      function* () {
        for (let i = 0; i < o.sps; i += 1) {
          yield {
            ...spTpl,
            id: spIds[i],
            app_id: appIds[i],
            display_name: `bench sp ${i}`,
            created_at: now0,
            modified_at: now0,
          };
        }
      },
      1000,
    ),
  );
  await timed('client secrets', () =>
    insertBatched(
      'service_principal_secrets',
      function* () {
        for (let i = 0; i < o.sps; i += 1) {
          yield {
            ...secretTpl,
            key_id: newId(),
            service_principal_id: spIds[i],
            secret_hash: secretHash,
            created_at: now0,
            start_at: now0 - DAY,
          };
        }
      },
      1000,
    ),
  );
  // Schedule ids are random v4 ids like Elevate's, generated up front and handed out in sorted order
  // so the primary-key index grows at its end during the load (the stored rows are no different).
  let seedIds: string[] = Array.from({ length: o.sps * roles.length + o.sps }, newId).sort();
  let seedIdNext = 0;
  const schedule = (
    tpl: PimScheduleRow,
    i: number,
    role: string,
    start: number,
    end: number,
  ): PimScheduleRow => {
    const id = seedIdNext < seedIds.length ? seedIds[seedIdNext++]! : newId();
    const instanceOf = tpl.kind === 'eligibility' ? eligibilityInstanceId : assignmentInstanceId;
    return {
      ...tpl,
      id,
      principal_id: spIds[i]!,
      role_definition_id: role,
      start_at: start,
      end_at: end,
      instance_id: instanceOf(role, spIds[i]!, '/', newId),
      created_at: start,
      modified_at: start,
    };
  };
  const slot = (kind: string, i: number, role: string): PimSlotRow => ({
    tenant_id: tenantId,
    kind,
    principal_id: spIds[i]!,
    role_definition_id: role,
    directory_scope_id: '/',
    version: 1,
  });
  // Bulk load: pim_schedules' secondary indexes are dropped for the load and rebuilt from their
  // own DDL afterwards (sorted index builds instead of 1.1M random-key B-tree inserts).
  const schedIndexes = (
    o.dialect === 'sqlite'
      ? await sql<{
          name: string;
          sql: string;
        }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'pim_schedules' and sql is not null`.execute(
          k,
        )
      : // Plain indexes only: those behind a primary key or unique constraint stay.
        await sql<{ name: string; sql: string }>`
          select i.indexname as name, i.indexdef as sql from pg_indexes i
          where i.schemaname = current_schema() and i.tablename = 'pim_schedules'
            and not exists (select 1 from pg_constraint c
                            where c.conname = i.indexname and c.connamespace = current_schema()::regnamespace)`.execute(
          k,
        )
  ).rows;
  for (const index of schedIndexes) await sql.raw(`drop index ${index.name}`).execute(k);
  await timed('eligibility schedules', () =>
    insertBatched(
      'pim_schedules',
      function* () {
        for (let i = 0; i < o.sps; i += 1) {
          for (const role of roles) yield schedule(eligTpl, i, role, now0 - DAY, now0 + 180 * DAY);
        }
      },
      1000,
    ),
  );
  await timed('active assignments', () =>
    insertBatched(
      'pim_schedules',
      function* () {
        for (let i = 0; i < o.sps; i += 1) {
          yield schedule(assignTpl, i, roles[0]!, now0 - HOUR, now0 + 8 * HOUR + (i % 3600) * 1000);
        }
      },
      1000,
    ),
  );
  seedIds = [];
  const rebuild = performance.now();
  for (const index of schedIndexes) await sql.raw(index.sql).execute(k);
  log(
    `  rebuilt ${schedIndexes.length} pim_schedules indexes in ${((performance.now() - rebuild) / 1000).toFixed(1)} s`,
  );
  await timed('eligibility slots', () =>
    insertBatched(
      'pim_slots',
      function* () {
        for (let i = 0; i < o.sps; i += 1) for (const role of roles) yield slot('eligibility', i, role);
      },
      2000,
    ),
  );
  await timed('assignment slots', () =>
    insertBatched(
      'pim_slots',
      function* () {
        for (let i = 0; i < o.sps; i += 1) yield slot('assignment', i, roles[0]!);
      },
      2000,
    ),
  );
  await sql`analyze`.execute(k);
  const seconds = (performance.now() - seedStarted) / 1000;
  log(`Seed total: ${seconds.toFixed(1)} s`);
  return { spIds, appIds, secret, schedule, slot, now: now0, seconds };
}
