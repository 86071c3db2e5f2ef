// kill -9 during a burst of 500 concurrent activations, with group commit on SQLite (ADR 0050):
// every activation answered 201 is there after a restart, with its schedule; the audit chain
// verifies; nothing is half-written; and an activation whose answer the kill cut was either wholly
// committed or not at all (sent again, it is refused as existing or granted anew).
import { afterAll, expect, it } from 'vitest';
import { sqliteOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';
import { random, SEED } from './support/budget.js';
import { missingAcks, type Ack } from './support/burst.js';
import { sharedDatabase, type SharedDatabase } from './support/database.js';
import { bearer, send, type Headers } from './support/http.js';
import { auditVerify, integrityProblems } from './support/integrity.js';
import { cliEnv, deployment, killAll, startReplica } from './support/server-process.js';
import { ASSIGNMENT_REQUESTS, ROLES, selfActivation, Tenant, type App } from './support/tenant.js';

const ACTIVATIONS = 500;
/** Every built-in role of the suite but the two that govern Elevate itself. */
const BURST_ROLES = Object.values(ROLES).filter(
  (r) => r !== ROLES.globalAdministrator && r !== ROLES.privilegedRoleAdministrator,
);
const WORKLOADS = Math.ceil(ACTIVATIONS / BURST_ROLES.length);
/** Setup requests in flight at once. */
const SETUP_CONCURRENCY = 8;

let database: SharedDatabase | undefined;
afterAll(async () => {
  await killAll();
  await database?.drop();
});

/** Runs `task` over `items`, `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Activation {
  app: App;
  headers: Headers;
  role: string;
}

it(
  `every activation answered 201 survives kill -9 during a burst of ${ACTIVATIONS} (sqlite, group commit, seed ${SEED})`,
  { ...skipFor(sqliteOnly), timeout: 300_000 },
  async () => {
    const rnd = random(SEED);
    database = await sharedDatabase();
    const d = await deployment(database, 1, {
      ELEVATE_SQLITE_GROUP_COMMIT_MAX: '32',
      ELEVATE_RATE_LIMIT: 'off',
    });
    let server = await startReplica(d, 0);
    const tenant = new Tenant(d, server.base);
    for (const role of BURST_ROLES) await tenant.activationNeedsJustificationOnly(role);
    const apps: App[] = [];
    await inParallel(
      Array.from({ length: WORKLOADS }, (_, i) => i),
      SETUP_CONCURRENCY,
      async (i) => {
        apps.push(await tenant.createApp(`burst workload ${i}`));
      },
    );
    const activations: Activation[] = [];
    await inParallel(apps, SETUP_CONCURRENCY, async (app) => {
      const headers = bearer(await tenant.tokenOf(app));
      for (const role of BURST_ROLES) await tenant.makeEligible(app.id, role);
      for (const role of BURST_ROLES) activations.push({ app, headers, role });
    });
    const burst = activations.slice(0, ACTIVATIONS);

    // All at once; the kill lands once a random share of them has been answered.
    const killAfter = Math.floor(ACTIVATIONS * (0.2 + rnd() * 0.4));
    const acked: Ack[] = [];
    const unexpected: string[] = [];
    let cut = 0;
    let killed: Promise<void> | undefined;
    const answers = burst.map(async (a) => {
      try {
        const res = await send(server.base, 'POST', ASSIGNMENT_REQUESTS, {
          headers: a.headers,
          json: selfActivation(a.app.id, a.role),
        });
        if (res.status !== 201) {
          unexpected.push(`${res.status} ${res.text.slice(0, 300)}`);
          return;
        }
        acked.push({
          kind: 'request',
          id: (res.json as { id: string }).id,
          status: 'Provisioned',
          schedule: 'assignment',
        });
        if (acked.length >= killAfter) killed ??= server.kill();
      } catch {
        cut += 1;
      }
    });
    await Promise.all(answers);
    await killed;
    const summary = `${acked.length} answered 201, ${cut} cut (kill after ${killAfter})`;
    expect(unexpected, summary).toEqual([]);
    expect(cut, `the kill landed mid-burst: ${summary}`).toBeGreaterThan(0);
    expect(acked.length, summary).toBeGreaterThanOrEqual(killAfter);

    server = await startReplica(d, 0);
    expect(await missingAcks(database.db, acked), `answered 201 but lost (${summary})`).toEqual([]);
    expect(await integrityProblems(database.db), `half-written state (${summary})`).toEqual([]);
    const k = database.db.kysely;
    const orphans = await k
      .selectFrom('pim_schedule_requests as r')
      .leftJoin('pim_schedules as s', 's.id', 'r.target_schedule_id')
      .select(['r.id', 'r.status'])
      .where('r.action', '=', 'selfActivate')
      .where('s.id', 'is', null)
      .execute();
    expect(orphans, 'activation requests without their schedule').toEqual([]);
    const verified = await auditVerify(cliEnv(d));
    expect(verified.ok, verified.output).toBe(true);

    // The ones whose answer was cut were all-or-nothing: sent again, each is granted or exists.
    const answered = new Set(acked.map((a) => (a.kind === 'request' ? a.id : '')));
    const committed = await k
      .selectFrom('pim_schedule_requests')
      .select(['id', 'principal_id', 'role_definition_id'])
      .where('action', '=', 'selfActivate')
      .execute();
    const held = new Set(committed.map((r) => `${r.principal_id} ${r.role_definition_id}`));
    expect(committed.length, summary).toBeGreaterThanOrEqual(acked.length);
    const again = { granted: 0, exists: 0 };
    await inParallel(burst, SETUP_CONCURRENCY, async (a) => {
      const res = await send(server.base, 'POST', ASSIGNMENT_REQUESTS, {
        headers: a.headers,
        json: selfActivation(a.app.id, a.role),
      });
      if (held.has(`${a.app.id} ${a.role}`)) {
        expect(res.code, `${a.app.id} ${a.role}: ${res.text}`).toBe('RoleAssignmentExists');
        again.exists += 1;
      } else {
        expect(res.status, `${a.app.id} ${a.role}: ${res.text}`).toBe(201);
        again.granted += 1;
      }
    });
    expect(again.exists).toBe(committed.length);
    expect(committed.filter((r) => answered.has(r.id))).toHaveLength(acked.length);
    console.info(
      `group commit crash (seed ${SEED}): ${summary}; ${committed.length - acked.length} committed without an answer; ` +
        `sent again: ${again.exists} exist, ${again.granted} granted`,
    );
    expect(await server.stop()).toBe(0);
  },
);
