// Group commit on SQLite (ADR 0050), measured without HTTP: a closed loop of `c` use cases in flight
// over the server's unit of work on a SQLite file (WAL, synchronous=FULL), each creating a user and
// recording its event (one audit entry, one outbox message), with group commit off (1) and on (32),
// alternated so that both see the same machine. Prints use cases per second, server CPU per use
// case and use cases per COMMIT. `npx tsx bench/group-commit.ts` (GC_BENCH_MS per round, default 3000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_INITIATOR } from '../src/domain/audit/draft.js';
import { userCreated } from '../src/domain/directory/directory-events.js';
import type { User } from '../src/domain/directory/types.js';
import { newId } from '../src/domain/shared/ids.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';
import { openDatabase } from '../src/store/db.js';
import { migrate } from '../src/store/migrator.js';

const T = '11111111-1111-4111-8111-111111111111';
const T0 = Date.UTC(2026, 0, 1);
const ROUND_MS = Number(process.env.GC_BENCH_MS ?? 3_000);
const ROUNDS = 3;

const user = (): User => ({
  id: newId(),
  tenantId: T,
  displayName: 'bench user',
  userPrincipalName: `${newId()}@contoso.test`,
  mail: null,
  givenName: null,
  surname: null,
  jobTitle: null,
  accountEnabled: true,
  passwordHash: null,
  passwordMustChange: false,
  createdAt: T0,
  modifiedAt: T0,
  version: 1,
});

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'elevate-gc-bench-'));
  const db = openDatabase(`sqlite:${join(dir, 'elevate.db')}`);
  try {
    await migrate(db, { clock: { now: () => T0 } });
    await createUnitOfWork(db).run((tx) => tx.tenants.insert({ id: T, displayName: 't', createdAt: T0 }));
    const totals = new Map<string, { ops: number; cpuMs: number; wallMs: number; commits: number }>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const concurrency of [8, 32]) {
        for (const maxMembers of [1, 32]) {
          let commits = 0;
          const uow = createUnitOfWork(db, {
            groupCommit: { maxMembers, observer: { batchCommitted: () => (commits += 1) } },
          });
          let ops = 0;
          const until = Date.now() + ROUND_MS;
          const cpu = process.cpuUsage();
          const started = performance.now();
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              while (Date.now() < until) {
                await uow.run(async (tx) => {
                  const u = user();
                  await tx.users.insert(u);
                  tx.events.record({ tenantId: T, initiatedBy: SYSTEM_INITIATOR }, T0, userCreated(u));
                });
                ops += 1;
              }
            }),
          );
          const wallMs = performance.now() - started;
          const used = process.cpuUsage(cpu);
          const key = `c=${concurrency} group commit ${maxMembers === 1 ? 'off' : `on (${maxMembers})`}`;
          const t = totals.get(key) ?? { ops: 0, cpuMs: 0, wallMs: 0, commits: 0 };
          t.ops += ops;
          t.cpuMs += (used.user + used.system) / 1000;
          t.wallMs += wallMs;
          t.commits += maxMembers === 1 ? ops : commits;
          totals.set(key, t);
        }
      }
    }
    console.log('| use cases in flight, mode | use cases/s | CPU per use case | use cases per COMMIT |');
    console.log('|---|---:|---:|---:|');
    for (const [key, t] of totals)
      console.log(
        `| ${key} | ${((t.ops / t.wallMs) * 1000).toFixed(0)} | ${(t.cpuMs / t.ops).toFixed(3)} ms | ${(t.ops / t.commits).toFixed(2)} |`,
      );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
