/**
 * `npm run bench:permissions`: AuthZEN permission evaluation ("may P perform A on X now?") on a
 * resource tree, against role evaluation ("does P hold R now?") in the same run (issue 13 item 5).
 *
 * Starts Elevate's composition on a fresh SQLite file (no listener), then seeds straight through
 * Kysely: 10,090 resources in a 5-level tree (10 · 3 · 5 · 6 · 10), 100,000 principals with ten
 * resource-role eligibilities each (1,000,000) at random scopes of every level, one active resource
 * role assignment each (100,000, at a random scope) and one active directory-role assignment each
 * (100,000). Then it asks, one question per evaluation as a target system would, through the
 * AuthZEN use case (`makeAccessEvaluation`, the code behind `POST /access/v1/evaluation`), twice:
 * reading the database for every answer, and answering from the holdings index (loaded after the
 * seed; resource-role permissions are answered from it since ADR 0042, like role holdings):
 *
 *   permit  — an action the principal's active role grants, on a leaf below the role's scope;
 *   deny    — the same action on a leaf elsewhere in the tree (every ancestor looked at);
 *   role    — `hold` of the principal's active directory role.
 *
 * Principals are ids in the schedules only (no directory rows): the disabled-account check's two
 * primary-key lookups miss. Prints the figures; docs/benchmarks.md records a run.
 *
 *   npm run bench:permissions
 *   BENCH_PRINCIPALS=10000 npm run bench:permissions   # a smoke run (a tenth of the data)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, type Kysely } from 'kysely';
import { makeAccessEvaluation, type AccessQuestion } from '../src/app/authzen/evaluate.js';
import type { Caller } from '../src/app/authorization/caller.js';
import { createElevate } from '../src/compose.js';
import type { Schedule } from '../src/domain/pim/schedule.js';
import {
  CONTRIBUTOR,
  OWNER,
  READER,
  USER_ACCESS_ADMINISTRATOR,
} from '../src/domain/resources/built-in-resource-roles.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { openDatabase } from '../src/store/db.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import { toRow } from '../src/store/pim/schedule-codecs.js';
import { createSecretBox } from '../src/store/secret-box.js';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PRINCIPALS = Number(process.env.BENCH_PRINCIPALS ?? 100_000);
const ELIGIBILITIES_PER_PRINCIPAL = 10;
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 20_000);
const WARMUP = 2_000;
const FANOUT = [10, 3, 5, 6, 10] as const; // 10,090 resources in five levels
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACTION = 'Microsoft.Compute/virtualMachines/start/action'; // granted by Owner and Contributor
const log = (line: string) => process.stdout.write(`${line}\n`);

/** A small deterministic generator, so two runs ask the same questions of the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s % n;
  };
}

function tree(): { levels: string[][]; parent: Map<string, string> } {
  const levels: string[][] = [];
  const parent = new Map<string, string>();
  let above = ['/'];
  FANOUT.forEach((n, depth) => {
    const level: string[] = [];
    for (const p of above)
      for (let i = 0; i < n; i += 1) {
        const id = `${p === '/' ? '' : p}/${'abcde'[depth]}${i}`;
        level.push(id);
        parent.set(id, p);
      }
    levels.push(level);
    above = level;
  });
  return { levels, parent };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-permissions-'));
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  const k = db.kysely as AnyDb;
  try {
    const elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: false,
      publicUrl: 'http://127.0.0.1:8080',
      accessTokenTtlSeconds: 3600,
      bootstrapAdminUpn: 'admin@contoso.test',
      auditCheckpointIntervalMs: 0,
      expirySweepIntervalMs: 0,
    });
    const boot = elevate.bootstrapped!;
    const tenantId = boot.tenantId;
    const dirRoles = (
      await k
        .selectFrom('role_definitions')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('is_built_in', '=', 1)
        .orderBy('id')
        .limit(10)
        .execute()
    ).map((r: { id: string }) => r.id);

    // ------------------------------------------------------------------------------ seed
    const insertTexts = new Map<string, string>();
    const insertSql = (table: string, batch: Record<string, unknown>[]) => {
      const cols = Object.keys(batch[0]!);
      const key = `${table}/${batch.length}`;
      let text = insertTexts.get(key);
      if (!text) {
        const tuple = `(${cols.map(() => '?').join(', ')})`;
        text = `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values ${Array<string>(batch.length).fill(tuple).join(', ')}`;
        insertTexts.set(key, text);
      }
      return CompiledQuery.raw(
        text,
        batch.flatMap((row) => cols.map((c) => row[c])),
      );
    };
    const insertAll = async (
      table: string,
      rows: Generator<Record<string, unknown>>,
      perStatement: number,
    ) => {
      const started = performance.now();
      let n = 0;
      let done = false;
      while (!done) {
        await k.transaction().execute(async (trx) => {
          for (let inTx = 0; inTx < 100_000 && !done;) {
            const batch: Record<string, unknown>[] = [];
            while (batch.length < perStatement) {
              const r = rows.next();
              if (r.done) {
                done = true;
                break;
              }
              batch.push(r.value);
            }
            if (batch.length > 0) await trx.executeQuery(insertSql(table, batch));
            inTx += batch.length;
            n += batch.length;
          }
        });
      }
      log(
        `  seeded ${String(n).padStart(9)} ${table} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    };

    const now0 = Date.now();
    const { levels, parent } = tree();
    const scopes = levels.flat();
    const leaves = levels[levels.length - 1]!;
    log(
      `Seeding ${scopes.length} resources, ${PRINCIPALS} principals, ${PRINCIPALS * ELIGIBILITIES_PER_PRINCIPAL} eligibilities, ${PRINCIPALS} + ${PRINCIPALS} active assignments...`,
    );
    await insertAll(
      'resource_scopes',
      (function* () {
        for (const id of scopes)
          yield {
            tenant_id: tenantId,
            id,
            parent_id: parent.get(id)!,
            display_name: id.slice(id.lastIndexOf('/') + 1),
            type: 'bench',
            created_at: now0,
            modified_at: now0,
            version: 1,
          };
      })(),
      500,
    );
    const principals = Array.from({ length: PRINCIPALS }, () => newId()).sort();
    const resourceRoles = [OWNER, CONTRIBUTOR, READER, USER_ACCESS_ADMINISTRATOR];
    const pick = rng(13);
    /** Where each principal's active resource role sits (and which), for the questions. */
    const active: { scope: string; role: string }[] = [];
    const schedule = (
      p: string,
      kind: 'eligibility' | 'assignment',
      resourceType: 'resourceRole' | 'directoryRole',
      roleId: string,
      scope: string,
    ): Schedule => {
      const id = newId();
      return {
        id,
        tenantId,
        kind,
        resourceType,
        origin: 'pim',
        principalId: p,
        principalType: 'servicePrincipal',
        roleDefinitionId: roleId,
        directoryScopeId: scope,
        appScopeId: null,
        window:
          kind === 'eligibility'
            ? { start: now0 - DAY, end: now0 + 180 * DAY }
            : { start: now0 - HOUR, end: now0 + 8 * HOUR },
        status: 'Provisioned',
        memberType: 'Direct',
        assignmentType: kind === 'assignment' ? 'Assigned' : null,
        createdUsing: id,
        activatedUsing: null,
        instanceId: id,
        createdAt: now0,
        modifiedAt: now0,
        expiryRecordedAt: null,
        version: 1,
      };
    };
    await insertAll(
      'pim_schedules',
      (function* () {
        for (const p of principals) {
          for (let e = 0; e < ELIGIBILITIES_PER_PRINCIPAL; e += 1) {
            const level = levels[pick(levels.length)]!;
            yield toRow(
              schedule(p, 'eligibility', 'resourceRole', resourceRoles[pick(4)]!, level[pick(level.length)]!),
            ) as never;
          }
          // Active: Owner or Contributor (both grant ACTION) at a scope of level 1-4 (a leaf lies below it).
          const level = levels[pick(levels.length - 1)]!;
          const a = { scope: level[pick(level.length)]!, role: pick(2) === 0 ? OWNER : CONTRIBUTOR };
          active.push(a);
          yield toRow(schedule(p, 'assignment', 'resourceRole', a.role, a.scope)) as never;
          yield toRow(
            schedule(p, 'assignment', 'directoryRole', dirRoles[pick(dirRoles.length)]!, '/'),
          ) as never;
        }
      })(),
      400,
    );
    await k.executeQuery(CompiledQuery.raw('analyze'));

    // --------------------------------------------------------------------------- questions
    const uow = createUnitOfWork(db);
    const fromDatabase = makeAccessEvaluation({ uow, clock: systemClock });
    // The holdings index loaded after the seed (the bench wrote straight to the tables).
    const loadStarted = performance.now();
    await elevate.holdings.reload();
    const loadMs = performance.now() - loadStarted;
    const fromIndex = makeAccessEvaluation({ uow, clock: systemClock, holdings: elevate.holdings });
    const st = elevate.holdings.stats();
    log(
      `Holdings index loaded in ${(loadMs / 1000).toFixed(2)} s: ${st.principals} principals, ${st.schedules} schedules, ${st.resourceScopes} resource scopes, ${st.entries} entries (~${Math.round(st.approxBytes / 1_048_576)} MB)`,
    );
    const caller: Caller = {
      kind: 'app',
      tenantId,
      id: boot.app.servicePrincipalId,
      appId: boot.app.clientId,
      appPermissions: ['Elevate.AccessEvaluation'],
      amr: [],
      authTimeMs: null,
      ipAddress: null,
      userAgent: null,
      correlationId: null,
    };
    const leafBelow = (scope: string) => {
      const under = leaves.filter((l) => l.startsWith(`${scope}/`));
      return under[pick(under.length)]!;
    };
    const dirRoleOf = new Map<string, string>();
    for (const r of await k
      .selectFrom('pim_schedules')
      .select(['principal_id', 'role_definition_id'])
      .where('resource_type', '=', 'directoryRole')
      .where('kind', '=', 'assignment')
      .execute())
      dirRoleOf.set(r.principal_id, r.role_definition_id);
    const questions = (kind: 'permit' | 'deny' | 'role', n: number): AccessQuestion[] => {
      const out: AccessQuestion[] = [];
      for (let i = 0; i < n; i += 1) {
        const at = pick(principals.length);
        const p = principals[at]!;
        const subject = { type: 'servicePrincipal', id: p };
        if (kind === 'role') {
          out.push({ subject, action: { name: 'hold' }, resource: { type: 'role', id: dirRoleOf.get(p)! } });
          continue;
        }
        const top = active[at]!.scope.split('/').slice(0, 2).join('/');
        const elsewhere = leaves.filter((l) => !l.startsWith(`${top}/`));
        const resource =
          kind === 'permit' ? leafBelow(active[at]!.scope) : elsewhere[pick(elsewhere.length)]!;
        out.push({ subject, action: { name: ACTION }, resource: { type: 'resource', id: resource } });
      }
      return out;
    };
    const run = async (kind: 'permit' | 'deny' | 'role', source: 'database' | 'index') => {
      const evaluation = source === 'index' ? fromIndex : fromDatabase;
      const warm = questions(kind, WARMUP);
      for (const q of warm) await evaluation.evaluate(caller, [q]);
      const qs = questions(kind, QUESTIONS);
      const lat = new Float64Array(qs.length);
      let wrong = 0;
      const started = performance.now();
      for (let i = 0; i < qs.length; i += 1) {
        const t = performance.now();
        const [d] = await evaluation.evaluate(caller, [qs[i]!]);
        lat[i] = performance.now() - t;
        if (d!.decision !== (kind !== 'deny')) wrong += 1;
      }
      const elapsed = performance.now() - started;
      lat.sort();
      return {
        kind,
        source,
        perSecond: Math.round((qs.length / elapsed) * 1000),
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        wrong,
      };
    };
    log(`Asking ${QUESTIONS} questions of each kind (after ${WARMUP} warm-up), one evaluation at a time:`);
    const results = [];
    for (const source of ['database', 'index'] as const)
      for (const kind of ['role', 'permit', 'deny'] as const) results.push(await run(kind, source));
    log('');
    log(
      '| Answered from | Question | Evaluations/s | p50 | p99 | vs role from the index (throughput) | wrong answers |',
    );
    log('|---|---|---|---|---|---|---|');
    const role = results.find((r) => r.source === 'index' && r.kind === 'role')!;
    for (const r of results)
      log(
        `| ${r.source} | ${r.kind} | ${r.perSecond} | ${r.p50.toFixed(3)} ms | ${r.p99.toFixed(3)} ms | ${((r.perSecond / role.perSecond) * 100).toFixed(1)} % | ${r.wrong} |`,
      );
    log(
      `\nNode ${process.version}, ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    await elevate.app.close();
    if (results.some((r) => r.wrong > 0)) process.exitCode = 1;
  } finally {
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
