import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditForwarder } from '../../src/app/audit-export/forwarder.js';
import { makeAuditLog } from '../../src/app/audit/audit-log.js';
import { makeCheckpointPublisher } from '../../src/app/audit/checkpoint-publisher.js';
import { recordHash } from '../../src/domain/audit/verify.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { witnessSinks } from '../../src/jobs/audit-checkpoints.js';
import { forwardTargets } from '../../src/jobs/audit-forwarder.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { chainReader, exportCursorStore } from '../../src/store/audit/audit-export-store.js';
import { checkpointPublicationStore } from '../../src/store/audit/publication-store.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import type { AuditEntryRow } from '../../src/store/schema.js';
import { migrate } from '../../src/store/migrator.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { elevate } from '../helpers/cli.js';
import { dialectName, TEST_DATABASE_URL } from '../helpers/db.js';
import { draft, T0 } from './support.js';

const TENANT = '44444444-4444-4444-8444-444444444444';

/**
 * A database the CLI can open by URL: a SQLite file, or a fresh PostgreSQL schema reached through
 * `search_path` (as an operator's DATABASE_URL would point at it).
 */
async function cliDatabase(dir: string): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) {
    const url = `sqlite:${join(dir, 'elevate.db')}`;
    const db = openDatabase(url);
    return { url, db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = TEST_DATABASE_URL.includes('?') ? '&' : '?';
  const db = openDatabase(TEST_DATABASE_URL, { pgSchema: schema });
  return {
    url: `${TEST_DATABASE_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    db,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/**
 * Issue 10 item 7, acceptance: someone with write access to the database (and not to the witness
 * or the SIEM) edits, rewrites, re-hashes, truncates and deletes checkpoint rows; an auditor runs
 * `elevate audit verify --checkpoints FILE` with what was published outside the database, and the
 * tampering is reported, naming the first altered entry when the copy holds entry hashes.
 */
describe(`audit verify against published checkpoints (CLI) on ${dialectName}`, () => {
  let dir: string;
  let store: Awaited<ReturnType<typeof cliDatabase>>;
  let clock: ManualClock;
  let log: ReturnType<typeof makeAuditLog>;
  let witness: string;
  let siem: string;
  let publish: () => Promise<void>;
  let forward: () => Promise<void>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elevate-published-'));
    witness = join(dir, 'witness.jsonl');
    siem = join(dir, 'siem.jsonl');
    store = await cliDatabase(dir);
    clock = new ManualClock(T0);
    await migrate(store.db, { clock });
    const uow = createUnitOfWork(store.db);
    const keyring = auditKeyring(store.db.kysely, createSecretBox(randomBytes(32)));
    log = makeAuditLog({ uow, clock, keyring });
    const publication = checkpointPublicationStore(store.db.kysely);
    const cursors = exportCursorStore(store.db.kysely);
    // Production wiring: the witness file through the checkpoint publisher, a SIEM file destination
    // in JSON (entries and checkpoints) through the forwarder.
    const publisher = makeCheckpointPublisher({
      store: publication,
      leases: cursors,
      keyring,
      clock,
      witnesses: witnessSinks({ file: witness }),
      replicaId: 'replica-a',
    });
    const forwarder = makeAuditForwarder({
      chains: chainReader(store.db.kysely),
      cursors,
      clock,
      targets: forwardTargets([{ id: 'siem', type: 'file', path: siem, format: 'json' }]),
      replicaId: 'replica-a',
      checkpoints: { store: publication, keyring },
    });
    forward = async () => {
      for (const r of await forwarder.runOnce()) expect(r.error).toBeUndefined();
    };
    publish = async () => {
      for (const r of await log.checkpointAll()) expect(r.error).toBeUndefined();
      for (const r of await publisher.runOnce()) expect(r.error).toBeUndefined();
      await forward();
    };
    for (let n = 1; n <= 10; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
    await publish(); // checkpoint at 10, published
    for (let n = 11; n <= 15; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
    await publish(); // checkpoint at 15, published
  });
  afterEach(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const k = () => store.db.kysely;
  const verify = (...args: string[]) =>
    elevate(['audit', 'verify', ...args], { DATABASE_URL: store.url, ELEVATE_DATA_DIR: dir });
  const broken = (seq: number, reason: string) => `tenant ${TENANT}: BROKEN at seq ${seq} (${reason})`;
  const hashAt = async (seq: number) =>
    (
      await k()
        .selectFrom('audit_entries')
        .select('hash')
        .where('tenant_id', '=', TENANT)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow()
    ).hash;

  /**
   * What a careful attacker does after changing entry `from` (or, with `edit`, its payload): every
   * hash from there recomputed over the stored rows, the head moved along, so the database alone is
   * consistent again. Stored checkpoints past `from` no longer match and are deleted with it.
   */
  const rehashFrom = async (from: number, edit?: (payload: string) => string) => {
    let prev = from === 1 ? undefined : await hashAt(from - 1);
    const records = await createUnitOfWork(store.db).run((tx) => tx.audit.chain(TENANT, from - 1, 1000));
    for (const r of records) {
      const payload = r.seq === from && edit ? edit(r.payload) : r.payload;
      const prevHash = prev ?? r.prevHash;
      const hash = recordHash(prevHash, { ...r, payload });
      await k()
        .updateTable('audit_entries')
        .set({ payload, prev_hash: prevHash, hash })
        .where('tenant_id', '=', TENANT)
        .where('seq', '=', r.seq)
        .execute();
      prev = hash;
    }
    await k().updateTable('audit_head').set({ hash: prev! }).where('tenant_id', '=', TENANT).execute();
    await k()
      .deleteFrom('audit_checkpoints')
      .where('tenant_id', '=', TENANT)
      .where('seq', '>=', from)
      .execute();
  };

  it('an untouched log verifies against the witness and against the SIEM copy', async () => {
    const byWitness = await verify('--checkpoints', witness);
    expect(byWitness.code, byWitness.stdout + byWitness.stderr).toBe(0);
    expect(byWitness.stdout).toContain('published copy: 2 checkpoints, 0 entries, 1 public keys');
    expect(byWitness.stdout).toContain(
      `tenant ${TENANT}: ok, 15 entries, 2 checkpoints, head ${await hashAt(15)}; published: 2 checkpoints`,
    );
    const bySiem = await verify('--checkpoints', siem);
    expect(bySiem.code, bySiem.stdout).toBe(0);
    expect(bySiem.stdout).toContain('published copy: 2 checkpoints, 15 entries');
    expect(bySiem.stdout).toContain('2 checkpoints and 15 entry hashes match, vouching through seq 15');
  });

  const entry4 = (values: Partial<AuditEntryRow>) =>
    k()
      .updateTable('audit_entries')
      .set(values)
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', 4)
      .execute();
  it.each([
    ['activity_display_name', () => entry4({ activity_display_name: 'Sign-in' })],
    ['initiated_by_upn', () => entry4({ initiated_by_upn: 'mallory@contoso.test' })],
    ['initiated_by_user_id', () => entry4({ initiated_by_user_id: TENANT })],
    [
      'audit_targets',
      () =>
        k()
          .updateTable('audit_targets')
          .set({ display_name: 'someone else' })
          .where('tenant_id', '=', TENANT)
          .where('seq', '=', 4)
          .execute(),
    ],
  ])('catches an edited filterable column (%s)', async (_column, edit) => {
    await edit();
    const r = await verify('--checkpoints', witness);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain(broken(4, 'altered'));
  });

  it('catches entries rewritten and re-hashed after the last stored checkpoint, naming the first one', async () => {
    // The rewrite starts at 12; the attacker deletes the stored checkpoint at 15 that no longer
    // matches, so the database alone ends at a checkpoint (10) that still verifies.
    await rehashFrom(12, (p) => p.replace('user 12', 'user X'));
    expect((await verify()).code).toBe(0);
    // The witness's checkpoint at 15 disagrees: the rewrite lies after 10, the last one that holds.
    const byWitness = await verify('--checkpoints', witness);
    expect(byWitness.code, byWitness.stdout).toBe(1);
    expect(byWitness.stdout).toContain(broken(11, 'badCheckpoint'));
    // The SIEM copy carries each entry's hash too: it names the first altered entry.
    const bySiem = await verify('--checkpoints', siem);
    expect(bySiem.code, bySiem.stdout).toBe(1);
    expect(bySiem.stdout).toContain(broken(12, 'altered'));
  });

  it('names an entry rewritten after the SIEM had it, even once a later checkpoint signed the rewrite', async () => {
    const uow = createUnitOfWork(store.db);
    for (let n = 16; n <= 18; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
    await forward(); // the SIEM has 16..18 within seconds; the next checkpoint is up to a minute away
    await rehashFrom(17, (p) => p.replace('user 17', 'user X'));
    await publish(); // the server signs and publishes a checkpoint at 18 over the rewritten chain
    expect((await verify()).code).toBe(0);
    // The witness holds checkpoints only: the one at 18 vouches for what the database held then.
    expect((await verify('--checkpoints', witness)).code).toBe(0);
    // The SIEM copy holds the entry hashes sent before the rewrite.
    const bySiem = await verify('--checkpoints', siem);
    expect(bySiem.code, bySiem.stdout).toBe(1);
    expect(bySiem.stdout).toContain(broken(17, 'altered'));
  });

  it('catches a rewrite re-hashed from the start with every checkpoint row deleted', async () => {
    await rehashFrom(3, (p) => p.replace('user 3', 'user X'));
    await k().deleteFrom('audit_checkpoints').execute();
    expect((await verify()).code).toBe(0);
    const byWitness = await verify('--checkpoints', witness);
    expect(byWitness.code, byWitness.stdout).toBe(1);
    expect(byWitness.stdout).toContain(
      `${broken(1, 'badCheckpoint')}: entries 1..10 do not match the published checkpoint signed at seq 10`,
    );
    const bySiem = await verify('--checkpoints', siem);
    expect(bySiem.code, bySiem.stdout).toBe(1);
    expect(bySiem.stdout).toContain(broken(3, 'altered'));
  });

  it('catches a truncated tail with the head wound back and the checkpoint rows deleted', async () => {
    const seven = await hashAt(7);
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '>', 7).execute();
    await k()
      .updateTable('audit_head')
      .set({ seq: 7, hash: seven })
      .where('tenant_id', '=', TENANT)
      .execute();
    await k().deleteFrom('audit_checkpoints').execute();
    expect((await verify()).code).toBe(0);
    const r = await verify('--checkpoints', witness);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain(broken(8, 'truncated'));
  });

  it('reports what rests on the database alone: entries after the last published checkpoint', async () => {
    const uow = createUnitOfWork(store.db);
    for (let n = 16; n <= 18; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
    const r = await verify('--checkpoints', witness);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('vouching through seq 15 (entries 16..18 rest on the database alone)');
  });
});
