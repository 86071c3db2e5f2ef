// kill -9 during a burst of mixed writes: every write the server acknowledged is there after a
// restart on the same database, the audit chain verifies, and nothing is half-written. Runs on the
// dialect of the run (SQLite under `npm test`, PostgreSQL under `npm run test:pg`); on PostgreSQL
// two replicas share the database and are killed one after the other while writes continue.
import { afterAll, expect, it } from 'vitest';
import { dialectName } from '../helpers/db.js';
import { BUDGET, random, SEED } from './support/budget.js';
import { Burst, missingAcks, seedWorld } from './support/burst.js';
import { sharedDatabase, type SharedDatabase } from './support/database.js';
import { send } from './support/http.js';
import { auditVerify, integrityProblems } from './support/integrity.js';
import { cliEnv, deployment, killAll, startReplica, type ServerProcess } from './support/server-process.js';
import { Tenant } from './support/tenant.js';

let database: SharedDatabase | undefined;
afterAll(async () => {
  await killAll();
  await database?.drop();
});

const replicas = dialectName === 'postgres' ? 2 : 1;

it(
  `every acknowledged write survives kill -9 (${dialectName}, ${replicas} replica(s), seed ${SEED})`,
  async () => {
    const rnd = random(SEED);
    database = await sharedDatabase();
    const d = await deployment(database, replicas);
    let servers: ServerProcess[] = [await startReplica(d, 0)];
    for (let i = 1; i < replicas; i += 1) servers.push(await startReplica(d, i));
    const tenant = new Tenant(d, servers[0]!.base);
    const seeding = Date.now();
    const world = await seedWorld(tenant, BUDGET.workers);
    const seeded = `seed ${Date.now() - seeding} ms`;
    // Writes go to the replicas that are up: a replica leaves the list the moment it is killed.
    let live = servers.map((s) => s.base);
    const burst = new Burst(world, () => live, rnd);
    const summary: string[] = [];
    const timings: string[] = [seeded];

    for (let cycle = 1; cycle <= BUDGET.crashCycles; cycle += 1) {
      const before = burst.acked.length;
      const lostBefore = burst.lost;
      burst.start(BUDGET.burstConcurrency);
      const until = Date.now() + 60_000;
      while (burst.acked.length - before < BUDGET.killAfterAcknowledged && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, rnd() * 150));
      // Kill the replicas one at a time: on PostgreSQL the survivor keeps taking writes meanwhile.
      for (const server of servers) {
        live = live.filter((base) => base !== server.base);
        if (live.length === 0) burst.stopIssuing();
        await server.kill();
        await new Promise((r) => setTimeout(r, 50 + rnd() * 150));
      }
      await burst.stop();
      summary.push(
        `cycle ${cycle}: ${burst.acked.length - before} acknowledged, ${burst.lost - lostBefore} cut`,
      );
      expect(burst.acked.length - before, 'the burst wrote before the kill').toBeGreaterThan(0);

      const restart = Date.now();
      servers = await Promise.all(d.ports.map((_, i) => startReplica(d, i)));
      live = servers.map((s) => s.base);
      timings.push(`restart ${Date.now() - restart} ms`);
      expect(burst.unexpected, `unexpected answers during the burst (seed ${SEED})`).toEqual([]);
      expect(
        await missingAcks(database.db, burst.acked, burst.sentRenames),
        `acknowledged writes lost (seed ${SEED})`,
      ).toEqual([]);
      expect(await integrityProblems(database.db), `half-written state (seed ${SEED})`).toEqual([]);
      const verified = await auditVerify(cliEnv(d));
      expect(verified.ok, verified.output).toBe(true);
      // Tokens issued before the kill still work: the restarted replicas read the same keys.
      for (const server of servers) {
        const res = await send(server.base, 'GET', '/v1.0/users?$top=1', { headers: await tenant.admin() });
        expect(res.status, res.text).toBe(200);
      }
    }
    console.info(`crash (${dialectName}, seed ${SEED}): ${summary.join('; ')} (${timings.join(', ')})`);
    for (const server of servers) expect(await server.stop()).toBe(0);
  },
  BUDGET.testTimeoutMs,
);
