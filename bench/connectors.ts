/**
 * `npm run bench:connectors`: issue 17's target, "1,000 activations with the PostgreSQL connector
 * reach `effective` with p95 under 1 s", measured on this machine.
 *
 * Starts Elevate in this process (a fresh SQLite file, WAL, synchronous=FULL, as `openDatabase`
 * opens it; `BENCH_DATABASE_URL=postgres://…` for a fresh schema in PostgreSQL instead) with its
 * outbox relay and connector reconciler running (drift poll off), and one PostgreSQL connector to
 * the machine's PostgreSQL (`BENCH_TARGET_URL`, default postgres://postgres@127.0.0.1:5432/postgres)
 * mapping a directory role to a fresh target role, logins created by the connector. 1,000 users
 * eligible for the role (made through the API) then self-activate through the use case, as the
 * HTTP route calls it, at `BENCH_RATE` activations a second (default 10; 0 = all at once). For
 * each, the time from approval (the schedule's start in Elevate) to effective (the target
 * confirmed the GRANT) is read from the connector's grant records — what `/metrics` reports —
 * and printed as p50/p95/p99/max, with the load average at start and end. Nothing is asserted.
 * The target role, the logins, the database and the temp dir are removed at the end.
 *
 *   npm run bench:connectors
 *   BENCH_ACTIVATIONS=100 npm run bench:connectors   # a smoke run
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Caller } from '../src/app/authorization/caller.js';
import { makeScheduleRequests } from '../src/app/pim/schedule-requests.js';
import { createElevate } from '../src/compose.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { DEFAULT_API_RATE_LIMITS } from '../src/http/rate-limit.js';
import { createSecretBox } from '../src/store/secret-box.js';

const ACTIVATIONS = Number(process.env.BENCH_ACTIVATIONS ?? 1_000);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const TARGET_URL = process.env.BENCH_TARGET_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = process.env.BENCH_DATABASE_URL;
/** Every activation must be effective within this long after the last one, or the run fails. */
const SETTLE_MS = 120_000;
const PUBLIC_URL = 'http://127.0.0.1:8080';
/** Exchange Administrator: built in, needs no approval by default. */
const ROLE_ID = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const log = (line: string) => process.stdout.write(`${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A fresh database for Elevate: a SQLite file, or a schema of its own in PostgreSQL. */
async function freshDatabase(dir: string): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (DATABASE_URL === undefined) {
    const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
    return { db, drop: () => db.close() };
  }
  const schema = `bench_conn_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const db = openDatabase(DATABASE_URL, { pgSchema: schema, pgPoolSize: 8 });
  return {
    db,
    async drop() {
      await db.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

async function main() {
  const loadStart = loadavg();
  const suffix = randomBytes(4).toString('hex');
  const targetRole = `el_bench_${suffix}`;
  const loginOf = (i: number) => `el_bench_${suffix}_${i}`;
  const target = new pg.Client({ connectionString: TARGET_URL });
  await target.connect();
  await target.query(`create role ${targetRole} nologin`);
  const t = new URL(TARGET_URL);

  const dir = mkdtempSync(join(os.tmpdir(), 'elevate-bench-connectors-'));
  const { db, drop } = await freshDatabase(dir);
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
    accessReviewIntervalMs: 0,
    alertScanIntervalMs: 0,
    notifications: { workerIntervalMs: 0 },
    connectors: { driftIntervalMs: 0 },
    // The seeding makes 2,000 API calls as one admin, more than Graph's per-principal burst (1,000):
    // on a quiet machine it would be refused with 429. The seeding is not what is measured.
    rateLimits: { ...DEFAULT_API_RATE_LIMITS, graph: null },
  });
  try {
    const boot = elevate.bootstrapped!;
    const tenantId = boot.tenantId;
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
    const inject = async (method: 'POST', url: string, body: unknown) => {
      const res = await elevate.app.inject({
        method,
        url,
        headers: { ...admin, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string }>();
    };

    const connector = await inject('POST', '/v1.0/elevate/connectors', {
      displayName: 'Bench target',
      type: 'postgresql',
      settings: {
        host: t.hostname,
        port: Number(t.port || 5432),
        database: t.pathname.slice(1) || 'postgres',
        username: decodeURIComponent(t.username || 'postgres'),
        createLogins: true,
      },
      ...(t.password === '' ? {} : { secret: decodeURIComponent(t.password) }),
    });
    await inject('POST', `/v1.0/elevate/connectors/${connector.id}/mappings`, {
      source: 'directoryRole',
      sourceId: ROLE_ID,
      targetGrant: targetRole,
    });

    const seeding = Date.now();
    const users: string[] = [];
    for (let i = 0; i < ACTIVATIONS; i += 1) {
      const u = await inject('POST', '/v1.0/users', {
        accountEnabled: true,
        displayName: `bench ${i}`,
        userPrincipalName: `${loginOf(i)}@contoso.test`,
      });
      await inject('POST', '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests', {
        action: 'adminAssign',
        principalId: u.id,
        roleDefinitionId: ROLE_ID,
        directoryScopeId: '/',
        justification: 'bench',
        scheduleInfo: { startDateTime: null, expiration: { type: 'noExpiration' } },
      });
      users.push(u.id);
    }
    await elevate.connectors.idle();
    log(`seeded ${ACTIVATIONS} users and eligibilities in ${Date.now() - seeding} ms`);

    // The use case the HTTP route calls, over a unit of work that nudges the outbox relay after
    // each commit, as the composed one does: the reconciler is woken by the `connectors` consumer.
    const requests = makeScheduleRequests({
      uow: createUnitOfWork(db, { messagesCommitted: () => elevate.outbox.nudge() }),
      clock: systemClock,
      newId,
    });
    const caller = (id: string): Caller => ({
      kind: 'user',
      tenantId,
      id,
      appId: null,
      appPermissions: [],
      amr: ['pwd', 'mfa'],
      authTimeMs: Math.floor(Date.now() / 1000) * 1000,
      ipAddress: '127.0.0.1',
      userAgent: 'bench',
      correlationId: null,
    });
    const activate = async (id: string) => {
      const r = await requests.create(caller(id), {
        kind: 'assignment',
        action: 'selfActivate',
        principalId: id,
        roleDefinitionId: ROLE_ID,
        directoryScopeId: '/',
        justification: 'Bench activation',
        ticketInfo: { ticketNumber: 'BENCH-1', ticketSystem: 'bench' },
        scheduleInfo: {
          startDateTime: null,
          expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT1H' },
        },
        isValidationOnly: false,
        customData: null,
      });
      if (r.status !== 'Provisioned') throw new Error(`activation: ${r.status}`);
    };

    const loadBefore = loadavg();
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < users.length; i += 1) {
      if (RATE > 0) {
        const wait = started + (i * 1000) / RATE - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      inFlight.push(activate(users[i]!));
    }
    await Promise.all(inFlight);
    const activated = Date.now();

    const k = db.kysely;
    const deadline = Date.now() + SETTLE_MS;
    let effective = 0;
    for (;;) {
      const row = await k
        .selectFrom('connector_grants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('connector_id', '=', connector.id)
        .where('effective_at', 'is not', null)
        .executeTakeFirstOrThrow();
      effective = Number(row.n);
      if (effective >= ACTIVATIONS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = Date.now();
    // CPU of this process (Elevate, its reconciler and the activations' use case) from the first
    // activation until the last is effective, per activation: less sensitive to the machine's load
    // than the times. The target's own CPU (the PostgreSQL server) is not in it.
    const cpu = process.cpuUsage(cpuBefore);
    const loadEnd = loadavg();
    const rows = await k
      .selectFrom('connector_grants')
      .select(['requested_at', 'approved_at', 'effective_at'])
      .where('connector_id', '=', connector.id)
      .execute();
    const approvedToEffective = rows
      .filter((r) => r.approved_at !== null && r.effective_at !== null)
      .map((r) => Number(r.effective_at) - Number(r.approved_at))
      .sort((a, b) => a - b);
    const requestedToEffective = rows
      .filter((r) => r.requested_at !== null && r.effective_at !== null)
      .map((r) => Number(r.effective_at) - Number(r.requested_at))
      .sort((a, b) => a - b);
    const line = (name: string, xs: number[]) =>
      `${name}: p50 ${percentile(xs, 50)} ms, p95 ${percentile(xs, 95)} ms, p99 ${percentile(xs, 99)} ms, max ${xs.at(-1)} ms (n=${xs.length})`;

    log(`elevate database: ${DATABASE_URL === undefined ? 'sqlite' : 'postgresql'}; target: ${t.host}`);
    log(
      `activations: ${ACTIVATIONS} at ${RATE > 0 ? `${RATE}/s` : 'once (burst)'}, issued in ${activated - started} ms`,
    );
    log(`effective: ${effective}/${ACTIVATIONS}, the last ${done - activated} ms after the last activation`);
    log(line('approved → effective', approvedToEffective));
    log(line('requested → effective', requestedToEffective));
    log(
      `Elevate CPU per activation (activate + reconcile, user + system): ${((cpu.user + cpu.system) / 1000 / ACTIVATIONS).toFixed(2)} ms`,
    );
    log(
      `load average (1/5/15 min): at start ${loadStart}, before the activations ${loadBefore}, at end ${loadEnd}`,
    );
    log(`cpus: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; node ${process.version}`);
    if (effective < ACTIVATIONS) process.exitCode = 1;
  } finally {
    await elevate.app.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
    await target.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename like $1`, [
      `el_bench_${suffix}_%`,
    ]);
    for (let i = 0; i < ACTIVATIONS; i += 1) await target.query(`drop role if exists ${loginOf(i)}`);
    await target.query(`drop role if exists ${targetRole}`);
    await target.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
