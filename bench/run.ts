/**
 * `npm run bench`: the performance targets of DESIGN.md §6, measured as ratios in one run.
 *
 * Starts Elevate in this process on a fresh SQLite file (WAL, synchronous=FULL, as `openDatabase`
 * opens it) listening on 127.0.0.1:<random>, plus a bare Fastify on another random port; seeds
 * 1,000,000 eligibility schedules and 100,000 active assignments straight through Kysely; then
 *
 *   (a) selfActivate over HTTP (distinct service principals, each activating its own eligibility)
 *       vs bare durable single-row insert transactions on the same database handle;
 *   (b) AuthZEN `POST /access/v1/evaluation` over HTTP vs a bare Fastify route returning constant
 *       JSON, same load generator and concurrency;
 *   (c) 10,000 activations ending in the same second: time from that second until the sweeper has
 *       recorded all of them expired (status, audit entry, claim);
 *   (d) server RSS after seeding.
 *
 * The load generator runs in a child process (bench/loadgen.ts), a closed loop with fixed
 * concurrency over keep-alive sockets. Writes bench/results/latest.json and the figures block of
 * docs/benchmarks.md. Every loop is bounded; the servers, worker and temp dir are closed/removed.
 *
 *   npm run bench                 # the whole run (about 2 minutes on 2 cores)
 *   BENCH_PROFILE=1 npm run bench # also CPU-profiles the server thread during (a) and (b)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { createElevate } from '../src/compose.js';
import { assignmentInstanceId, eligibilityInstanceId } from '../src/domain/pim/instance-id.js';
import { findRule } from '../src/domain/policy/types.js';
import { newId } from '../src/domain/shared/ids.js';
import { hashClientSecret } from '../src/domain/shared/secrets.js';
import { systemClock } from '../src/domain/time/clock.js';
import { openDatabase } from '../src/store/db.js';
import type { PimScheduleRow, PimSlotRow } from '../src/store/pim/rows.js';
import type { ServicePrincipalRow, ServicePrincipalSecretRow } from '../src/store/schema.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const PUBLIC_URL = 'http://127.0.0.1:8080';

// Sizes (DESIGN.md §6 / issue 5 item 7). Small overrides exist only for smoke runs.
const SPS = Number(process.env.BENCH_SPS ?? 100_000); // service principals seeded
const ROLES_PER_SP = 10; // eligibilities per principal → SPS × 10 = 1,000,000
const ACTIVE = SPS; // one active assignment (role 0) per principal → 100,000
const ACTIVATORS = Number(process.env.BENCH_ACTIVATORS ?? 2_000); // principals that get tokens for (a)
const EXPIRING = Number(process.env.BENCH_EXPIRING ?? 10_000);
const CONCURRENCY = 8;
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 10_000);
const WARMUP_MS = 1_500;
const PROFILE = process.env.BENCH_PROFILE === '1';
/** Experiment, not the product: reuse prepared statements (see docs/benchmarks.md, "Proposed fixes"). */
const STMT_CACHE = process.env.BENCH_STMT_CACHE === '1';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
interface LoadResult {
  count: number;
  elapsedMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  sampleBody?: string;
  /** This (server) process's CPU milliseconds per counted request. */
  cpuMsPerRequest?: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarize(latencies: Float64Array, elapsedMs: number, statuses: Record<string, number> = {}) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    elapsedMs,
    perSecond: (sorted.length / elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    statuses,
  };
}

/**
 * Runs the closed-loop load generator in a child process and waits for its result. Also returns
 * this process's CPU time per request (the server's cost, load generator excluded), which other
 * work on the machine disturbs less than wall-clock throughput does.
 */
function load(opts: {
  port: number;
  requests: LoadRequest[];
  cycle: boolean;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(HERE, 'loadgen.ts'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    let cpu = process.cpuUsage();
    let warm = false;
    const warmTimer = setTimeout(() => {
      cpu = process.cpuUsage();
      warm = true;
    }, opts.warmupMs);
    child.once('message', (m: { ok: boolean; error?: string } & Record<string, unknown>) => {
      clearTimeout(warmTimer);
      const used = process.cpuUsage(cpu);
      children.delete(child);
      child.disconnect();
      if (!m.ok) return reject(new Error(m.error));
      const r = summarize(
        m.latencies as Float64Array,
        m.elapsedMs as number,
        m.statuses as Record<string, number>,
      );
      const cpuMsPerRequest = warm && r.count ? (used.user + used.system) / 1000 / r.count : NaN;
      resolve({ ...r, cpuMsPerRequest, ...(m.sampleBody ? { sampleBody: m.sampleBody as string } : {}) });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send({ ...opts, concurrency: CONCURRENCY });
  });
}
const children = new Set<ReturnType<typeof fork>>();

/** Optional CPU profile of this (the server's) thread while `work` runs; returns the top self costs. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<{ result: T; top?: string[] }> {
  if (!PROFILE) return { result: await work() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', `${name}.cpuprofile`), JSON.stringify(profile));
  // Inclusive share per function (a function counted once per sample however deep it recurses),
  // for Elevate's own code and the libraries on the request path; plus the top self-time frames.
  const total = profile.samples?.length ?? 1;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: (typeof profile.nodes)[number]) => {
    const f = n.callFrame;
    const where = f.url ? ` ${f.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'}${where}`;
  };
  const incl = new Map<string, number>();
  const self = new Map<string, number>();
  for (const id of profile.samples ?? []) {
    let n = byId.get(id);
    if (!n) continue;
    self.set(label(n), (self.get(label(n)) ?? 0) + 1);
    const seen = new Set<string>();
    for (; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const key = label(n);
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + 1);
    }
  }
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  const interesting =
    /src\/|jose\/|better-sqlite3|sqlite-driver|default-query-compiler|fastify\/lib\/(reply|handle-request|content-type-parser)|zod\/v4\/core\/parse|\(garbage collector\)|\(idle\)|\(program\)|writev/;
  const top = [
    'inclusive:',
    ...[...incl.entries()]
      .filter(([k]) => interesting.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, v]) => `  ${pct(v)}  ${k}`),
    'self:',
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, v]) => `  ${pct(v)}  ${k}`),
  ];
  return { result, top };
}

async function http(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  form = false,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined
        ? {}
        : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
    },
    body:
      body === undefined
        ? undefined
        : form
          ? new URLSearchParams(body as Record<string, string>).toString()
          : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function main() {
  const benchStarted = performance.now();
  // Other work on the machine skews every figure; the 1/5/15-minute load averages go in the results.
  const loadAtStart = os.loadavg();
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-'));
  const dbPath = join(dir, 'elevate.db');
  const db = openDatabase(`sqlite:${dbPath}`);
  const k = db.kysely as AnyDb;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const child of children) child.kill();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    // ---------------------------------------------------------------------------------- start
    const elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 3600,
      bootstrapAdminUpn: 'admin@contoso.test',
      auditCheckpointIntervalMs: 0,
      expirySweepIntervalMs: 0, // (c) drives runOnce itself
    });
    cleanups.push(() => db.close());
    cleanups.push(() => elevate.app.close());
    const boot = elevate.bootstrapped!;
    const tenantId = boot.tenantId;
    await elevate.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (elevate.app.server.address() as { port: number }).port;

    const bare = Fastify({ logger: false });
    const constant = { decision: true, context: { reason: 'constant' } };
    bare.post('/access/v1/evaluation', async () => constant);
    cleanups.push(() => bare.close());
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const barePort = (bare.server.address() as { port: number }).port;
    log(`Elevate on 127.0.0.1:${port}, bare Fastify on 127.0.0.1:${barePort}, database ${dbPath}`);

    const token = async (clientId: string, secret: string) => {
      const r = await http(
        port,
        'POST',
        `/${tenantId}/oauth2/v2.0/token`,
        {},
        {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: secret,
          scope: `${PUBLIC_URL}/.default`,
        },
        true,
      );
      if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
      return `Bearer ${r.json.access_token as string}`;
    };
    const admin = { authorization: await token(boot.app.clientId, boot.app.clientSecret) };

    // Roles: ten built-in roles whose activation needs only a justification (an app cannot do MFA).
    const roleRows = await k
      .selectFrom('role_definitions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('is_built_in', '=', 1)
      .orderBy('id')
      .limit(ROLES_PER_SP)
      .execute();
    const roles = roleRows.map((r: { id: string }) => r.id);
    const uow = createUnitOfWork(db);
    await uow.run(async (tx) => {
      for (const roleId of roles) {
        const policy = await tx.policies.forRole(tenantId, 'DirectoryRole', '/', roleId);
        if (!policy) throw new Error(`no policy for ${roleId}`);
        const rules = structuredClone(policy.rules);
        findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
        await tx.policies.update({ ...policy, rules }, policy.version);
      }
    });

    // Templates: one service principal, one eligibility and one activation made through the API,
    // so the seeded rows are exactly what Elevate itself writes.
    const tplSp = await http(port, 'POST', '/v1.0/servicePrincipals', admin, {
      displayName: 'bench template',
    });
    if (tplSp.status !== 201) throw new Error(`sp: ${tplSp.status} ${JSON.stringify(tplSp.json)}`);
    const tplPw = await http(port, 'POST', `/v1.0/servicePrincipals/${tplSp.json.id}/addPassword`, admin, {});
    const tplToken = { authorization: await token(tplSp.json.appId, tplPw.json.secretText) };
    const eligible = await http(
      port,
      'POST',
      '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
      admin,
      {
        action: 'adminAssign',
        principalId: tplSp.json.id,
        roleDefinitionId: roles[0],
        directoryScopeId: '/',
        justification: 'bench',
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P180D' } },
      },
    );
    if (eligible.status !== 201)
      throw new Error(`eligible: ${eligible.status} ${JSON.stringify(eligible.json)}`);
    const activation = await http(
      port,
      'POST',
      '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
      tplToken,
      {
        action: 'selfActivate',
        principalId: tplSp.json.id,
        roleDefinitionId: roles[0],
        directoryScopeId: '/',
        justification: 'bench',
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );
    if (activation.status !== 201)
      throw new Error(`activate: ${activation.status} ${JSON.stringify(activation.json)}`);
    const spTpl = (await k
      .selectFrom('service_principals')
      .selectAll()
      .where('id', '=', tplSp.json.id)
      .executeTakeFirstOrThrow()) as ServicePrincipalRow;
    const secretTpl = (await k
      .selectFrom('service_principal_secrets')
      .selectAll()
      .where('service_principal_id', '=', tplSp.json.id)
      .executeTakeFirstOrThrow()) as ServicePrincipalSecretRow;
    const tplSchedules = (await k
      .selectFrom('pim_schedules')
      .selectAll()
      .where('principal_id', '=', tplSp.json.id)
      .execute()) as PimScheduleRow[];
    const eligTpl = tplSchedules.find((s) => s.kind === 'eligibility')!;
    const assignTpl = tplSchedules.find((s) => s.kind === 'assignment')!;

    // ------------------------------------------------------------------------------------ seed
    const now0 = Date.now();
    const secret = randomBytes(30).toString('base64url');
    const secretHash = hashClientSecret(secret);
    const spIds: string[] = [];
    const appIds: string[] = [];
    for (let i = 0; i < SPS; i += 1) {
      spIds.push(newId());
      appIds.push(newId());
    }
    // Principals in id order, so the slot index and the slots' primary key grow mostly at the end
    // (the rows are the same; only the seeding is faster).
    spIds.sort();
    const seedStarted = performance.now();
    // Multi-row INSERT text built once per table and batch size, executed through Kysely with the
    // rows' values as parameters (Kysely's per-batch query compilation cost more than SQLite's work).
    const insertTexts = new Map<string, string>();
    const insertSql = (table: string, batch: object[]) => {
      const cols = Object.keys(batch[0]!);
      const key = `${table}/${cols.join(',')}/${batch.length}`;
      let text = insertTexts.get(key);
      if (!text) {
        const tuple = `(${cols.map(() => '?').join(', ')})`;
        text = `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values ${Array<string>(batch.length).fill(tuple).join(', ')}`;
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
      `Seeding ${SPS * ROLES_PER_SP} eligibilities and ${ACTIVE} active assignments over ${SPS} service principals...`,
    );
    await timed('service principals', () =>
      insertBatched(
        'service_principals',
        function* () {
          for (let i = 0; i < SPS; i += 1) {
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
          for (let i = 0; i < SPS; i += 1) {
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
    let seedIds: string[] = Array.from({ length: SPS * ROLES_PER_SP + ACTIVE }, newId).sort();
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
      await sql<{
        name: string;
        sql: string;
      }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'pim_schedules' and sql is not null`.execute(
        k,
      )
    ).rows;
    for (const index of schedIndexes) await sql.raw(`drop index ${index.name}`).execute(k);
    await timed('eligibility schedules', () =>
      insertBatched(
        'pim_schedules',
        function* () {
          for (let i = 0; i < SPS; i += 1) {
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
          for (let i = 0; i < ACTIVE; i += 1) {
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
          for (let i = 0; i < SPS; i += 1) for (const role of roles) yield slot('eligibility', i, role);
        },
        2000,
      ),
    );
    await timed('assignment slots', () =>
      insertBatched(
        'pim_slots',
        function* () {
          for (let i = 0; i < ACTIVE; i += 1) yield slot('assignment', i, roles[0]!);
        },
        2000,
      ),
    );
    await sql`analyze`.execute(k);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`Seed total: ${seedSeconds.toFixed(1)} s`);

    // The holdings index (ADR 0031): the seed bypassed the use cases, so it is loaded whole, as a
    // start on this database would load it; AuthZEN and caller resolution answer from it.
    const indexStarted = performance.now();
    await elevate.holdings.reload();
    const indexLoadMs = performance.now() - indexStarted;
    const indexStats = elevate.holdings.stats();
    log(
      `holdings index: full load ${indexLoadMs.toFixed(0)} ms, ${indexStats.entries} entries ` +
        `(${indexStats.accounts} accounts, ${indexStats.schedules} schedules), ` +
        `~${(indexStats.approxBytes / 2 ** 20).toFixed(0)} MB estimated, ready ${String(indexStats.ready)}`,
    );

    // Query plans of the read-path queries on the seeded data (they must use pim_schedules_slot_idx).
    const plans: Record<string, string[]> = {};
    const explain = async (name: string, q: { compile(): CompiledQuery }) => {
      const c = q.compile();
      const r = await k.executeQuery(CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]));
      const details = (r.rows as { detail: string }[]).map((row) => row.detail);
      plans[name] = details;
      log(`  plan ${name}: ${details.join(' | ')}`);
    };
    await explain(
      'activeAssignment',
      k
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'assignment')
        .where('principal_id', 'in', [spIds[0]])
        .where('role_definition_id', '=', roles[0])
        .where('directory_scope_id', '=', '/')
        .where('start_at', '<=', now0)
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now0)]))
        .orderBy('end_at', (ob) => ob.desc().nullsFirst())
        .limit(1),
    );
    await explain(
      'eligibilities',
      k
        .selectFrom('pim_schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'eligibility')
        .where('principal_id', 'in', [spIds[0]])
        .where('role_definition_id', '=', roles[1])
        .where('directory_scope_id', '=', '/')
        .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now0)])),
    );
    await explain(
      'claimExpired',
      k
        .updateTable('pim_schedules')
        .set({ status: 'Expired' })
        .where(
          'id',
          'in',
          k
            .selectFrom('pim_schedules')
            .select('id')
            .where('expiry_recorded_at', 'is', null)
            .where('end_at', '<=', now0)
            .orderBy('end_at')
            .limit(500),
        )
        .where('expiry_recorded_at', 'is', null),
    );

    if (STMT_CACHE) cachePreparedStatements();

    // ---------------------------------------------------------------------------------- (d) RSS
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    await sleep(200);
    const rssAfterSeedMb = process.memoryUsage().rss / 2 ** 20;
    log(`(d) RSS after seeding: ${rssAfterSeedMb.toFixed(0)} MB${gc ? ' (after a full GC)' : ''}`);

    // --------------------------------------------------------------------- (a) baseline: inserts
    // Measured in two halves, before and after the selfActivate run, because fsync latency on a
    // shared machine drifts; the ratio uses both halves together.
    await sql`create table bench_inserts (id text primary key, tenant_id text not null, payload text not null, created_at integer not null)`.execute(
      k,
    );
    const insertLat: number[] = [];
    let insertMs = 0;
    let insertCpuMs = 0;
    const payload = JSON.stringify({ ...assignTpl, note: 'one row, one transaction' });
    const insertRun = async (label: string) => {
      const before = insertLat.length;
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const stop = started + RUN_MS / 2;
      for (let n = 0; n < 100_000 && performance.now() < stop; n += 1) {
        const t = performance.now();
        await k.transaction().execute(async (trx) => {
          await trx
            .insertInto('bench_inserts')
            .values({ id: newId(), tenant_id: tenantId, payload, created_at: Date.now() })
            .execute();
        });
        insertLat.push(performance.now() - t);
      }
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu0);
      insertCpuMs += (used.user + used.system) / 1000;
      insertMs += ms;
      const half = summarize(Float64Array.from(insertLat.slice(before)), ms);
      log(
        `(a) baseline ${label}: durable single-row insert transactions: ${half.perSecond.toFixed(0)} tx/s, p50 ${half.p50.toFixed(2)} ms, p99 ${half.p99.toFixed(2)} ms`,
      );
    };
    await insertRun('1/2');

    // ------------------------------------------------------------------ (a) selfActivate over HTTP
    const activators = Math.min(ACTIVATORS, SPS);
    log(`(a) minting ${activators} service-principal tokens...`);
    const tokens: string[] = new Array(activators);
    let nextTok = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextTok < activators) {
          const i = nextTok++;
          tokens[i] = await token(appIds[i]!, secret);
        }
      }),
    );
    const activations: LoadRequest[] = [];
    for (const role of roles.slice(1)) {
      for (let i = 0; i < activators; i += 1) {
        activations.push({
          method: 'POST',
          path: '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
          headers: { authorization: tokens[i]!, 'content-type': 'application/json' },
          body: JSON.stringify({
            action: 'selfActivate',
            principalId: spIds[i],
            roleDefinitionId: role,
            directoryScopeId: '/',
            justification: 'bench: nightly reconciliation',
            scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
          }),
        });
      }
    }
    log(
      `(a) selfActivate over HTTP, concurrency ${CONCURRENCY}, up to ${activations.length} distinct activations...`,
    );
    const auditBeforeA = await count(k, 'audit_entries');
    const { result: selfActivate, top: profileA } = await profiled('selfActivate', () =>
      load({
        port,
        requests: activations,
        cycle: false,
        durationMs: RUN_MS,
        warmupMs: WARMUP_MS,
        maxRequests: activations.length,
      }),
    );
    const auditAfterA = await count(k, 'audit_entries');
    log(
      `    ${selfActivate.perSecond.toFixed(0)} /s, p50 ${selfActivate.p50.toFixed(2)} ms, p99 ${selfActivate.p99.toFixed(2)} ms, statuses ${JSON.stringify(selfActivate.statuses)}, audit +${auditAfterA - auditBeforeA}`,
    );
    if (selfActivate.sampleBody) log(`    first non-2xx body: ${selfActivate.sampleBody}`);
    await insertRun('2/2');
    const inserts: LoadResult = {
      ...summarize(Float64Array.from(insertLat), insertMs),
      cpuMsPerRequest: insertCpuMs / insertLat.length,
    };

    // --------------------------------------------------------------------------------- (b) AuthZEN
    const pdp = await http(port, 'POST', '/v1.0/servicePrincipals', admin, {
      displayName: 'bench pdp',
      appPermissions: ['Elevate.AccessEvaluation'],
    });
    const pdpPw = await http(port, 'POST', `/v1.0/servicePrincipals/${pdp.json.id}/addPassword`, admin, {});
    const pdpAuth = await token(pdp.json.appId, pdpPw.json.secretText);
    const questions: LoadRequest[] = [];
    for (let q = 0; q < 20_000; q += 1) {
      const i = Math.floor(Math.random() * SPS);
      // 80 % ask about a held role (role 0, active), 20 % about an eligible-but-inactive one.
      const role = q % 5 === 4 ? roles[ROLES_PER_SP - 1]! : roles[0]!;
      questions.push({
        method: 'POST',
        path: '/access/v1/evaluation',
        headers: { authorization: pdpAuth, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: { type: 'servicePrincipal', id: spIds[i] },
          action: { name: 'hold' },
          resource: { type: 'role', id: role, properties: { directoryScopeId: '/' } },
        }),
      });
    }
    const bareRequests = questions.slice(0, 1000).map((q) => ({ ...q, headers: { ...q.headers } }));
    log(`(b) bare Fastify constant JSON, concurrency ${CONCURRENCY}, ${RUN_MS / 1000} s...`);
    const bareResult = await load({
      port: barePort,
      requests: bareRequests,
      cycle: true,
      durationMs: RUN_MS,
      warmupMs: WARMUP_MS,
      maxRequests: 2_000_000,
    });
    log(
      `    ${bareResult.perSecond.toFixed(0)} req/s, p50 ${bareResult.p50.toFixed(3)} ms, p99 ${bareResult.p99.toFixed(3)} ms`,
    );
    log(`(b) AuthZEN evaluation over HTTP, concurrency ${CONCURRENCY}, ${RUN_MS / 1000} s...`);
    const { result: authzen, top: profileB } = await profiled('authzen', () =>
      load({
        port,
        requests: questions,
        cycle: true,
        durationMs: RUN_MS,
        warmupMs: WARMUP_MS,
        maxRequests: 2_000_000,
      }),
    );
    log(
      `    ${authzen.perSecond.toFixed(0)} req/s, p50 ${authzen.p50.toFixed(3)} ms, p99 ${authzen.p99.toFixed(3)} ms, statuses ${JSON.stringify(authzen.statuses)}`,
    );
    const decisions = await http(
      port,
      'POST',
      '/access/v1/evaluation',
      { authorization: pdpAuth },
      JSON.parse(questions[0]!.body!),
    );

    // ---------------------------------------------------------------------------------- (c) expiry
    log(`(c) ${EXPIRING} activations ending in the same second...`);
    const endAt = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    const expiringFrom = Math.min(SPS - EXPIRING, Math.max(activators, SPS / 2));
    await k.transaction().execute(async (trx) => {
      const rows: PimScheduleRow[] = [];
      for (let i = expiringFrom; i < expiringFrom + EXPIRING; i += 1) {
        rows.push(schedule(assignTpl, i, roles[1]!, endAt - HOUR, endAt));
      }
      for (let b = 0; b < rows.length; b += 1000)
        await trx
          .insertInto('pim_schedules')
          .values(rows.slice(b, b + 1000))
          .execute();
      const slots = rows.map((r) => ({
        ...slot('assignment', 0, r.role_definition_id),
        principal_id: r.principal_id,
      }));
      for (let b = 0; b < slots.length; b += 2000)
        await trx
          .insertInto('pim_slots')
          .values(slots.slice(b, b + 2000))
          .execute();
    });
    const auditBeforeC = await count(k, 'audit_entries');
    while (Date.now() < endAt) await sleep(Math.max(1, Math.min(50, endAt - Date.now())));
    const sweepStart = performance.now() - (Date.now() - endAt);
    let recorded = 0;
    let runs = 0;
    const expiryCpu0 = process.cpuUsage();
    const { top: profileC } = await profiled('expiry', async () => {
      while (recorded < EXPIRING && runs < 1000 && performance.now() - sweepStart < 60_000) {
        recorded += await elevate.sweeper.runOnce(Date.now());
        runs += 1;
      }
    });
    const expirySeconds = (performance.now() - sweepStart) / 1000;
    const expiryUsed = process.cpuUsage(expiryCpu0);
    const expiryCpuMs = (expiryUsed.user + expiryUsed.system) / 1000;
    const leftOpen = Number(
      (
        await k
          .selectFrom('pim_schedules')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('end_at', '=', endAt)
          .where('expiry_recorded_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const expiredStatus = Number(
      (
        await k
          .selectFrom('pim_schedules')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('end_at', '=', endAt)
          .where('status', '=', 'Expired')
          .executeTakeFirstOrThrow()
      ).n,
    );
    const auditC = (await count(k, 'audit_entries')) - auditBeforeC;
    log(
      `    recorded ${recorded} in ${expirySeconds.toFixed(2)} s over ${runs} runOnce call(s); status Expired ${expiredStatus}, audit +${auditC}, unrecorded ${leftOpen}`,
    );

    const rssEndMb = process.memoryUsage().rss / 2 ** 20;

    // ------------------------------------------------------------------------------------ report
    const cpu = os.cpus();
    const machine = {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      date: new Date().toISOString(),
      loadAverage: `${loadAtStart.map((x) => x.toFixed(1)).join(' / ')} at start, ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')} at end (1/5/15 min)`,
    };
    const ratioA = selfActivate.perSecond / inserts.perSecond;
    const ratioB = authzen.perSecond / bareResult.perSecond;
    const checks = [
      {
        target: '(a) selfActivate ≥ 30 % of bare insert tx/s',
        value: `${(ratioA * 100).toFixed(1)} %`,
        met: ratioA >= 0.3,
        miss: `${((0.3 - ratioA) * 100).toFixed(1)} points short`,
      },
      {
        target: '(a) selfActivate ≥ 1,000 /s',
        value: `${selfActivate.perSecond.toFixed(0)} /s`,
        met: selfActivate.perSecond >= 1000,
        miss: `${(1000 / selfActivate.perSecond).toFixed(2)}× too slow`,
      },
      {
        target: '(a) selfActivate p99 < 25 ms',
        value: `${selfActivate.p99.toFixed(2)} ms`,
        met: selfActivate.p99 < 25,
        miss: `${(selfActivate.p99 - 25).toFixed(1)} ms over`,
      },
      {
        target: '(a) all activations 201',
        value: JSON.stringify(selfActivate.statuses),
        met: Object.keys(selfActivate.statuses).every((s) => s === '201'),
        miss: 'errors',
      },
      {
        target: '(b) AuthZEN ≥ 60 % of bare Fastify req/s',
        value: `${(ratioB * 100).toFixed(1)} %`,
        met: ratioB >= 0.6,
        miss: `${((0.6 - ratioB) * 100).toFixed(1)} points short`,
      },
      {
        target: '(b) AuthZEN p99 < 2 ms',
        value: `${authzen.p99.toFixed(2)} ms`,
        met: authzen.p99 < 2,
        miss: `${(authzen.p99 - 2).toFixed(2)} ms over`,
      },
      {
        target: '(c) 10,000 expiries recorded within 2 s',
        value: `${expirySeconds.toFixed(2)} s`,
        met: expirySeconds <= 2 && recorded >= EXPIRING && leftOpen === 0 && auditC >= EXPIRING,
        miss: `${(expirySeconds - 2).toFixed(2)} s over`,
      },
      {
        target: '(d) RSS < 400 MB after seeding',
        value: `${rssAfterSeedMb.toFixed(0)} MB`,
        met: rssAfterSeedMb < 400,
        miss: `${(rssAfterSeedMb - 400).toFixed(0)} MB over`,
      },
    ];
    const fmt = (r: LoadResult, unit: string, digits = 2) =>
      `${r.perSecond.toFixed(0)} ${unit} | ${r.p50.toFixed(digits)} ms | ${r.p99.toFixed(digits)} ms | ${r.count} | ${(r.cpuMsPerRequest ?? NaN).toFixed(3)} ms`;
    const cpuRatio = (base: LoadResult, subject: LoadResult) =>
      `${(((base.cpuMsPerRequest ?? NaN) / (subject.cpuMsPerRequest ?? NaN)) * 100).toFixed(1)} %`;
    const table = [
      '| Measurement | Throughput | p50 | p99 | Requests | Server CPU per request |',
      '|---|---:|---:|---:|---:|---:|',
      `| (a) bare durable insert tx (same SQLite handle, sequential) | ${fmt(inserts, 'tx/s')} |`,
      `| (a) \`selfActivate\` over HTTP (c=${CONCURRENCY}) | ${fmt(selfActivate, '/s')} |`,
      `| (a) ratio | **${(ratioA * 100).toFixed(1)} %** | | | | ${cpuRatio(inserts, selfActivate)} |`,
      `| (b) bare Fastify constant JSON (c=${CONCURRENCY}) | ${fmt(bareResult, 'req/s', 3)} |`,
      `| (b) AuthZEN \`/access/v1/evaluation\` (c=${CONCURRENCY}) | ${fmt(authzen, 'req/s', 3)} |`,
      `| (b) ratio | **${(ratioB * 100).toFixed(1)} %** | | | | ${cpuRatio(bareResult, authzen)} |`,
      `| (c) ${EXPIRING} expiries in one second → all recorded | ${expirySeconds.toFixed(2)} s | | | ${recorded} | ${(expiryCpuMs / Math.max(1, recorded)).toFixed(3)} ms |`,
      `| (d) RSS after seeding / at end | ${rssAfterSeedMb.toFixed(0)} MB / ${rssEndMb.toFixed(0)} MB | | | | |`,
      `| Seed (${SPS * ROLES_PER_SP} eligibilities + ${ACTIVE} active) | ${seedSeconds.toFixed(1)} s | | | | |`,
      `| (e) holdings index full load (${indexStats.entries} entries, ~${(indexStats.approxBytes / 2 ** 20).toFixed(0)} MB estimated) | ${indexLoadMs.toFixed(0)} ms | | | | |`,
    ].join('\n');
    const targets = [
      '| Target (DESIGN.md §6) | Measured | Met? |',
      '|---|---|---|',
      ...checks.map((c) => `| ${c.target} | ${c.value} | ${c.met ? 'yes' : `**no** (${c.miss})`} |`),
    ].join('\n');
    const totalSeconds = (performance.now() - benchStarted) / 1000;
    log('');
    log(table);
    log('');
    log(targets);
    if (profileA) log(`\nCPU profile of the server thread, during (a):\n${profileA.join('\n')}`);
    if (profileB) log(`\nCPU profile of the server thread, during (b):\n${profileB.join('\n')}`);
    if (profileC) log(`\nCPU profile of the server thread, during (c):\n${profileC.join('\n')}`);
    log(`\nBench wall time ${totalSeconds.toFixed(0)} s.`);

    const results = {
      machine,
      config: {
        stmtCache: STMT_CACHE,
        sps: SPS,
        eligibilities: SPS * ROLES_PER_SP,
        activeAssignments: ACTIVE,
        concurrency: CONCURRENCY,
        runMs: RUN_MS,
        warmupMs: WARMUP_MS,
        profiled: PROFILE,
      },
      seedSeconds,
      a: { inserts, selfActivate, ratio: ratioA, auditEntriesWritten: auditAfterA - auditBeforeA },
      b: { bare: bareResult, authzen, ratio: ratioB, sampleDecision: decisions.json },
      c: {
        expiring: EXPIRING,
        recorded,
        seconds: expirySeconds,
        cpuMs: expiryCpuMs,
        runs,
        auditEntries: auditC,
        expiredStatus,
        unrecorded: leftOpen,
      },
      d: { rssAfterSeedMb, rssEndMb, gcBeforeMeasure: Boolean(gc) },
      checks,
      profile: { a: profileA, b: profileB, c: profileC },
      plans,
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
      totalSeconds,
    };
    mkdirSync(join(HERE, 'results'), { recursive: true });
    writeFileSync(
      join(HERE, 'results', STMT_CACHE ? 'stmt-cache.json' : 'latest.json'),
      JSON.stringify(results, null, 2) + '\n',
    );
    if (SPS === 100_000 && !PROFILE && !STMT_CACHE) writeDoc(machine, table, targets, checks);
    else log('(smoke or profiled run: docs/benchmarks.md left unchanged)');
  } finally {
    await cleanup();
  }
}

/**
 * BENCH_STMT_CACHE=1 only: makes better-sqlite3's `prepare` return a cached statement for SQL text
 * it has seen (Kysely's SQLite driver prepares every query afresh), to measure what a statement
 * cache in src/store/db.ts would save. Not safe for `iterate` on a shared statement; the bench
 * does not stream.
 */
function cachePreparedStatements() {
  const proto = BetterSqlite3.prototype as unknown as { prepare: (this: object, source: string) => unknown };
  const original = proto.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function (source: string) {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    let stmt = cache.get(source);
    if (stmt === undefined) {
      stmt = original.call(this, source);
      if (cache.size < 2000) cache.set(source, stmt);
    }
    return stmt;
  };
  log('(experiment) prepared-statement cache ON');
}

async function count(k: AnyDb, table: string): Promise<number> {
  const r = await k
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const BEGIN = '<!-- bench:begin (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function writeDoc(
  machine: Record<string, string | number>,
  table: string,
  targets: string,
  checks: { target: string; met: boolean }[],
) {
  const path = join(ROOT, 'docs', 'benchmarks.md');
  const missed = checks.filter((c) => !c.met).map((c) => c.target);
  const block = [
    BEGIN,
    `Last run: ${machine.date} — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}. Load average ${machine.loadAverage}.`,
    '',
    table,
    '',
    targets,
    '',
    missed.length === 0 ? 'All targets met in this run.' : `Missed in this run: ${missed.join('; ')}.`,
    END,
  ].join('\n');
  let doc: string;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    doc = `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  }
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  doc =
    a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, doc);
  log(`wrote ${path}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
