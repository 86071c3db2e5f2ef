/**
 * Audit verification throughput (DESIGN.md §6: ≥ 200,000 entries/s).
 *
 *   npx tsx bench/audit-verify.ts [entries=200000]
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/audit-verify.ts
 *
 * Seeds one tenant's chain through the real store (`tx.audit.append`, 200 entries per
 * transaction) into a temporary SQLite file or a throw-away PostgreSQL schema, signs a checkpoint,
 * then times `verifyTenant`: reading rows in batches of 10,000 ordered by seq, hashing, checking
 * the checkpoint and the head. Prints entries/s; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { makeAuditLog } from '../src/app/audit/audit-log.js';
import { AUDIT_ACTIVITIES } from '../src/domain/audit/activities.js';
import { auditDraft } from '../src/domain/audit/draft.js';
import { addedProperties, userProperties, userTarget } from '../src/domain/audit/targets.js';
import { newId } from '../src/domain/shared/ids.js';
import { systemClock } from '../src/domain/time/clock.js';
import { auditKeyring } from '../src/store/audit/audit-keyring.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrator.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { createUnitOfWork } from '../src/modules/unit-of-work.js';

const entries = Number(process.argv[2] ?? 200_000);
const tenantId = newId();

async function open(): Promise<{ db: Db; cleanup: () => Promise<void>; label: string }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-bench-'));
    const db = openDatabase(`sqlite:${join(dir, 'audit.db')}`);
    return {
      db,
      label: 'SQLite (file, WAL)',
      cleanup: async () => (await db.close(), rmSync(dir, { recursive: true })),
    };
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const db = openDatabase(url, { pgSchema: schema });
  return {
    db,
    label: 'PostgreSQL',
    cleanup: async () => {
      await db.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

/** A realistic entry: an app creating a user, with the user's properties as modified properties. */
function draft(n: number, now: number) {
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

async function main() {
  const { db, cleanup, label } = await open();
  try {
    await migrate(db, { clock: systemClock });
    const uow = createUnitOfWork(db);
    const log = makeAuditLog({
      uow,
      clock: systemClock,
      keyring: auditKeyring(db.kysely, createSecretBox(randomBytes(32))),
    });

    let started = performance.now();
    for (let n = 0; n < entries; n += 200) {
      const now = systemClock.now();
      await uow.run(async (tx) => {
        for (let i = n; i < Math.min(n + 200, entries); i += 1) await tx.audit.append(draft(i, now));
      });
    }
    const seedMs = performance.now() - started;
    const sample = await db.kysely.selectFrom('audit_entries').select('payload').limit(1).executeTakeFirst();
    await log.checkpoint(tenantId);
    process.stdout.write(
      `${label}: seeded ${entries} entries (${sample?.payload.length ?? 0} bytes each) in ${(seedMs / 1000).toFixed(1)} s ` +
        `(${Math.round((entries / seedMs) * 1000)} appends/s)\n`,
    );

    // Wall time depends on what else the machine runs; this process's CPU time does less so.
    for (let run = 1; run <= 3; run += 1) {
      started = performance.now();
      const cpu = process.cpuUsage();
      const result = await log.verifyTenant(tenantId);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      if (!result.ok) throw new Error(`chain does not verify: ${JSON.stringify(result)}`);
      process.stdout.write(
        `verify run ${run}: ${result.count} entries in ${ms.toFixed(0)} ms = ` +
          `${Math.round((result.count / ms) * 1000)} entries/s ` +
          `(${Math.round((result.count / cpuMs) * 1000)} entries per CPU-second of this process)\n`,
      );
    }
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
