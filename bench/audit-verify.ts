/**
 * Audit verification throughput (issue 16: ≥ 300,000 entries/s on SQLite, ≥ 200,000 on PostgreSQL).
 *
 *   npx tsx bench/audit-verify.ts [entries=1000000] [--db sqlite|postgres|both] [--runs 3] [--workers N]
 *
 * For each database (default both): seeds one tenant's chain through the real store
 * (`tx.audit.appendMany`, 1,000 entries per transaction) into a temporary SQLite file or a
 * throw-away schema in BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), signs
 * a checkpoint, then times `verifyTenant` as `elevate audit verify` runs it, alternately in sequence
 * on this thread and in parallel spans on `--workers` threads (default: the cores). Prints entries/s of
 * wall clock, of this process's CPU (every thread, workers included) and, on PostgreSQL, of the
 * CPU of the database's server processes, sampled from /proc (so it also counts other sessions on
 * the same database; point BENCH_DATABASE_URL at a database of its own for a clean figure).
 * Asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { makeAuditLog, VERIFY_BATCH_SIZE } from '../src/app/audit/audit-log.js';
import { AUDIT_ACTIVITIES } from '../src/domain/audit/activities.js';
import { auditDraft } from '../src/domain/audit/draft.js';
import type { AuditDraft } from '../src/domain/audit/entry.js';
import { addedProperties, userProperties, userTarget } from '../src/domain/audit/targets.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { auditKeyring } from '../src/store/audit/audit-keyring.js';
import { chainSpanVerifier } from '../src/store/audit/chain-spans.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrator.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SEED_PER_TRANSACTION = 1_000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const entries = Number(process.argv[2]?.startsWith('--') ? 1_000_000 : (process.argv[2] ?? 1_000_000));
const runs = Number(option('--runs', '3'));
const databases = option('--db', 'both');
const workers = Number(option('--workers', String(availableParallelism())));
if (!['sqlite', 'postgres', 'both'].includes(databases))
  throw new Error('--db takes sqlite, postgres or both');

interface Target {
  db: Db;
  label: string;
  /** CPU ms the database server spent since the last call (PostgreSQL; undefined for SQLite). */
  serverCpu?: () => () => number;
  cleanup(): Promise<void>;
}

function openSqlite(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'elevate-bench-'));
  const db = openDatabase(`sqlite:${join(dir, 'audit.db')}`);
  return {
    db,
    label: 'SQLite (file, WAL)',
    cleanup: async () => (await db.close(), rmSync(dir, { recursive: true })),
  };
}

async function openPostgres(): Promise<Target> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const database = new URL(PG_URL).pathname.slice(1);
  const db = openDatabase(PG_URL, { pgSchema: schema });
  return {
    db,
    label: 'PostgreSQL',
    serverCpu: () => backendCpu(database),
    cleanup: async () => {
      await db.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

const BACKEND_TITLE = /^postgres: (?:\S+: )?\S+ (\S+) /;
const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

/** utime + stime (ms) of every PostgreSQL backend serving `database`, by pid, from /proc. */
function backendTimes(database: string): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // A backend names itself `postgres: [<cluster>: ]<user> <database> <client> <state>`.
      if (BACKEND_TITLE.exec(cmdline)?.[1] !== database) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS);
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/**
 * Starts sampling the backends' CPU every 50 ms (the verifier's workers close their connections
 * before the run ends, and an exited backend can no longer be read); the returned function stops
 * and gives the CPU ms they used meanwhile. A backend's last 50 ms before it exits may be missed.
 */
function backendCpu(database: string): () => number {
  const before = backendTimes(database);
  const last = new Map(before);
  const sample = () => {
    for (const [pid, ms] of backendTimes(database)) last.set(pid, ms);
  };
  const timer = setInterval(sample, 50);
  return () => {
    clearInterval(timer);
    sample();
    let total = 0;
    for (const [pid, ms] of last) total += ms - (before.get(pid) ?? 0);
    return total;
  };
}

/** A realistic entry: an app creating a user, with the user's properties as modified properties. */
function draft(tenantId: string, n: number, now: number) {
  const user = {
    id: newId(),
    tenantId,
    displayName: `Bench User ${n}`,
    userPrincipalName: `bench${n}@contoso.test`,
    mail: `bench${n}@contoso.test`,
    givenName: 'Bench',
    surname: `User ${n}`,
    jobTitle: 'Engineer',
    accountEnabled: true,
    passwordHash: null,
    passwordMustChange: true,
    createdAt: now,
    modifiedAt: now,
    version: 1,
  };
  return auditDraft({
    id: newId(),
    tenantId,
    now,
    activity: AUDIT_ACTIVITIES.userCreate,
    initiatedBy: {
      user: null,
      app: {
        appId: '6f1b7c2e-0000-4000-8000-000000000001',
        displayName: 'Provisioning',
        servicePrincipalId: '6f1b7c2e-0000-4000-8000-000000000002',
        servicePrincipalName: 'Provisioning',
        ipAddress: '192.0.2.10',
      },
    },
    context: { userAgent: 'python-requests/2.32', amr: [], correlationId: newId() },
    targets: [userTarget(user, addedProperties(userProperties(user)))],
  });
}

const per = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

async function benchOne(target: Target): Promise<void> {
  const { db, label } = target;
  const tenantId = newId();
  await migrate(db, { clock: systemClock });
  const uow = createUnitOfWork(db);
  const keyring = auditKeyring(db.kysely, createSecretBox(randomBytes(32)));
  const log = makeAuditLog({ uow, clock: systemClock, keyring });
  const spans = chainSpanVerifier(db, { workers, batchSize: VERIFY_BATCH_SIZE });
  const parallelLog = makeAuditLog({ uow, clock: systemClock, keyring, ...(spans ? { spans } : {}) });

  const seedStarted = performance.now();
  for (let n = 0; n < entries; n += SEED_PER_TRANSACTION) {
    const now = systemClock.now();
    const drafts: AuditDraft[] = [];
    for (let i = n; i < Math.min(n + SEED_PER_TRANSACTION, entries); i += 1)
      drafts.push(draft(tenantId, i, now));
    await uow.run((tx) => tx.audit.appendMany(drafts));
  }
  const seedMs = performance.now() - seedStarted;
  const sample = await db.kysely.selectFrom('audit_entries').select('payload').limit(1).executeTakeFirst();
  await log.checkpoint(tenantId);
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  process.stdout.write(
    `${label}: seeded ${entries.toLocaleString('en-US')} entries (${sample?.payload.length ?? 0} bytes of payload each) ` +
      `in ${(seedMs / 1000).toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)}\n`,
  );

  // Wall time depends on what else the machine runs; CPU time does less so.
  // The two ways alternate, so that both see the same changes in the machine's load.
  const ways = [
    { name: 'in sequence', log },
    { name: `${workers} worker threads`, log: parallelLog },
  ];
  for (let i = 0; i < runs * ways.length; i += 1) {
    const way = ways[i % ways.length]!;
    const run = Math.floor(i / ways.length) + 1;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const server = target.serverCpu?.();
    const result = await way.log.verifyTenant(tenantId);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const serverMs = server?.();
    if (!result.ok) throw new Error(`chain does not verify: ${JSON.stringify(result)}`);
    process.stdout.write(
      `  verify ${way.name}, run ${run}: ${result.count.toLocaleString('en-US')} entries in ${ms.toFixed(0)} ms = ` +
        `${per(result.count, ms)} entries/s; ${per(result.count, cpuMs)} per CPU-second of this process` +
        (serverMs === undefined
          ? ''
          : `, ${per(result.count, serverMs)} per CPU-second of the server, ` +
            `${per(result.count, cpuMs + serverMs)} per CPU-second of both`) +
        `; load average ${loadavg()[0]!.toFixed(1)}\n`,
    );
  }
}

async function main() {
  process.stdout.write(
    `Node.js ${process.version}, ${entries.toLocaleString('en-US')} entries, ${runs} runs\n`,
  );
  const targets: (() => Target | Promise<Target>)[] = [];
  if (databases !== 'postgres') targets.push(openSqlite);
  if (databases !== 'sqlite') targets.push(openPostgres);
  for (const open of targets) {
    const target = await open();
    try {
      await benchOne(target);
    } finally {
      await target.cleanup();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
