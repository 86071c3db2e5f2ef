import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PublishedCopy } from '../../src/app/audit/audit-log.js';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { recordHash } from '../../src/domain/audit/verify.js';
import { dialectName } from '../helpers/db.js';
import { auditFixture, draft, insertForgedEntry, type AuditFixture } from './support.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const failure = (r: { ok: boolean; firstBadSeq?: number; reason?: string }) =>
  r.ok ? { ok: true } : { reason: r.reason, firstBadSeq: r.firstBadSeq };

/**
 * Every tampering is caught the same way whether the chain is verified in one sequence or in spans
 * checked by worker threads. Spans of 3 entries put boundaries between 3|4, 6|7 and 9|10.
 */
const MODES = [
  ['in sequence', {}],
  ['in parallel spans of 3 entries', { spanSize: 3, batchSize: 2 }],
] as const;

describe.each(MODES)(`audit chain tampering on ${dialectName}, verified %s`, (_mode, fixtureOptions) => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture(fixtureOptions);
    await f.seed(TENANT, 10);
    await f.seed(OTHER, 3);
  });
  afterEach(() => f.close());

  const k = () => f.db.kysely;
  const row = (seq: number) =>
    k()
      .selectFrom('audit_entries')
      .selectAll()
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
  /** The entry at `seq` as verification reads it (stored query columns included). */
  const record = async (seq: number) => (await f.uow.run((tx) => tx.audit.chain(TENANT, seq - 1, 1)))[0]!;
  const insertForged = (d: AuditDraft, seq: number, prevHash: string) =>
    insertForgedEntry(k(), TENANT, d, seq, prevHash);
  const setRow = (seq: number, values: { payload?: string; hash?: string; prev_hash?: string }) =>
    k()
      .updateTable('audit_entries')
      .set(values)
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .execute();
  /** Moves entries at or after `from` by `by` (through negative numbers, so the primary key never collides). */
  const shift = async (from: number, by: number) => {
    await k()
      .updateTable('audit_entries')
      .set({ seq: sql<number>`-seq - ${by}` })
      .where('tenant_id', '=', TENANT)
      .where('seq', '>=', from)
      .execute();
    await k()
      .updateTable('audit_entries')
      .set({ seq: sql<number>`-seq` })
      .where('tenant_id', '=', TENANT)
      .where('seq', '<', 0)
      .execute();
  };

  it('an untouched log verifies, every tenant on its own chain', async () => {
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 10 });
    expect(await f.log.verifyTenant(OTHER)).toMatchObject({ ok: true, count: 3 });
    const head = await f.uow.run((tx) => tx.audit.head(TENANT));
    expect(head).toEqual({ seq: 10, hash: (await row(10)).hash });
    expect(await f.log.tenants()).toEqual([TENANT, OTHER].sort());
  });

  it('catches a field edited in the stored entry', async () => {
    const r = await row(4);
    await setRow(4, { payload: r.payload.replace('user 4', 'user X') });
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'altered', firstBadSeq: 4 });
    expect((await f.log.verifyTenant(OTHER)).ok).toBe(true);
  });

  it('catches an edit whose entry was re-hashed by the editor', async () => {
    const r = await record(4);
    const payload = r.payload.replace('user 4', 'user X');
    await setRow(4, { payload, hash: recordHash(r.prevHash, { ...r, payload }) });
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'altered', firstBadSeq: 4 });
  });

  it('catches a deleted entry', async () => {
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '=', 6).execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'removed', firstBadSeq: 6 });
  });

  it('catches a deleted entry whose successors were renumbered', async () => {
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '=', 6).execute();
    await shift(7, -1);
    await k().updateTable('audit_head').set({ seq: 9 }).where('tenant_id', '=', TENANT).execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'removed', firstBadSeq: 6 });
  });

  it('catches an inserted entry, even one hashed onto its predecessor', async () => {
    const before = await row(4);
    await shift(5, 1);
    await insertForged(draft(TENANT, 99), 5, before.hash);
    await k().updateTable('audit_head').set({ seq: 11 }).where('tenant_id', '=', TENANT).execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'inserted', firstBadSeq: 5 });
  });

  it('catches an entry appended behind the chain head', async () => {
    const last = await row(10);
    await insertForged(draft(TENANT, 11), 11, last.hash);
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'inserted', firstBadSeq: 11 });
  });

  it('catches two entries reordered (payloads swapped)', async () => {
    const [a, b] = [await row(3), await row(4)];
    await setRow(3, { payload: b.payload });
    await setRow(4, { payload: a.payload });
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'reordered', firstBadSeq: 3 });
  });

  it('catches a truncated tail through the last signed checkpoint', async () => {
    expect(await f.log.checkpoint(TENANT)).toMatchObject({ seq: 10 });
    const seven = await row(7);
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '>', 7).execute();
    // A careful attacker also winds the head back; the signed checkpoint still remembers seq 10.
    await k()
      .updateTable('audit_head')
      .set({ seq: 7, hash: seven.hash })
      .where('tenant_id', '=', TENANT)
      .execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'truncated', firstBadSeq: 8 });
  });

  it('catches a truncated tail through the chain head when no checkpoint covers it', async () => {
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '>', 8).execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'truncated', firstBadSeq: 9 });
  });

  it('catches a chain rewritten after a checkpoint, naming the first entry the checkpoint no longer covers', async () => {
    await f.log.checkpoint(TENANT); // at 10
    await f.seed(TENANT, 5, 11);
    await f.log.checkpoint(TENANT); // at 15
    // Rewrite 12..15 consistently, head included: only the checkpoint at 15 can tell.
    const rows = await f.uow.run((tx) => tx.audit.chain(TENANT, 11, 100));
    let prev = (await row(11)).hash;
    for (const r of rows) {
      const payload = r.seq === 12 ? r.payload.replace('user 12', 'user X') : r.payload;
      const hash = recordHash(prev, { ...r, payload });
      await setRow(r.seq, { payload, prev_hash: prev, hash });
      prev = hash;
    }
    await k().updateTable('audit_head').set({ hash: prev }).where('tenant_id', '=', TENANT).execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'badCheckpoint', firstBadSeq: 11 });
  });

  it('catches truncation hidden by deleting the stored checkpoints, given an exported copy', async () => {
    await f.log.checkpoint(TENANT);
    const exported = await f.log.exportCheckpoints();
    const seven = await row(7);
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '>', 7).execute();
    await k()
      .updateTable('audit_head')
      .set({ seq: 7, hash: seven.hash })
      .where('tenant_id', '=', TENANT)
      .execute();
    await k().deleteFrom('audit_checkpoints').execute();
    expect((await f.log.verifyTenant(TENANT)).ok).toBe(true);
    expect(failure(await f.log.verifyTenant(TENANT, exported))).toEqual({
      reason: 'truncated',
      firstBadSeq: 8,
    });
  });

  it('catches a forged checkpoint', async () => {
    await f.log.checkpoint(TENANT);
    await k()
      .updateTable('audit_checkpoints')
      .set({ head_hash: (await row(9)).hash })
      .where('tenant_id', '=', TENANT)
      .execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'badCheckpoint', firstBadSeq: 10 });
  });

  it('refuses to sign a checkpoint over a broken chain', async () => {
    const r = await row(2);
    await setRow(2, { payload: r.payload.replace('user 2', 'user X') });
    await expect(f.log.checkpoint(TENANT)).rejects.toThrow(/broken at seq 2 \(altered\)/);
    expect(await f.uow.run((tx) => tx.audit.checkpoints(TENANT))).toEqual([]);
  });
});

describe(`audit verification in small batches on ${dialectName}`, () => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture({ batchSize: 3, entryHashWindow: 4 });
    await f.seed(TENANT, 10);
  });
  afterEach(() => f.close());

  it('reads the chain across batch boundaries', async () => {
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 10 });
    expect(await f.log.checkpoint(TENANT)).toMatchObject({ seq: 10 });
    await f.seed(TENANT, 4, 11);
    expect(await f.log.checkpoint(TENANT)).toMatchObject({ seq: 14 });
    expect(await f.log.verifyTenant(TENANT)).toMatchObject({ ok: true, count: 14, checkpoints: 2 });
  });

  it.each([
    ['a batch boundary', [6]],
    ['a gap wider than a batch', [5, 6, 7, 8]],
  ])('names the first missing entry across %s', async (_name, gone) => {
    await f.db.kysely
      .deleteFrom('audit_entries')
      .where('tenant_id', '=', TENANT)
      .where('seq', 'in', gone)
      .execute();
    expect(failure(await f.log.verifyTenant(TENANT))).toEqual({ reason: 'removed', firstBadSeq: gone[0] });
  });

  it('checks published entry hashes a window at a time and names the first entry that differs', async () => {
    const original = await f.uow.run((tx) => tx.audit.chain(TENANT, 0, 100));
    const windows: [number, number][] = [];
    const copy: PublishedCopy = {
      checkpoints: [],
      publicKeys: new Map(),
      entryHashes(tenantId, afterSeq, throughSeq) {
        windows.push([afterSeq, throughSeq]);
        return Promise.resolve(
          new Map(
            original
              .filter((r) => tenantId === TENANT && r.seq > afterSeq && r.seq <= throughSeq)
              .map((r) => [r.seq, r.hash]),
          ),
        );
      },
    };
    expect(await f.log.verifyTenant(TENANT, copy)).toMatchObject({
      ok: true,
      published: { entries: 10, throughSeq: 10 },
    });
    // Batches of 3, windows of at least 4 seqs: never the whole copy at once.
    expect(windows).toEqual([
      [0, 4],
      [4, 8],
      [8, 12],
    ]);
    // Entry 8 rewritten and everything after it re-hashed, head included: the database agrees.
    let prev = original[6]!.hash;
    for (const r of original.slice(7)) {
      const payload = r.seq === 8 ? r.payload.replace('user 8', 'user X') : r.payload;
      const hash = recordHash(prev, { ...r, prevHash: prev, payload });
      await f.db.kysely
        .updateTable('audit_entries')
        .set({ payload, prev_hash: prev, hash })
        .where('tenant_id', '=', TENANT)
        .where('seq', '=', r.seq)
        .execute();
      prev = hash;
    }
    await f.db.kysely.updateTable('audit_head').set({ hash: prev }).where('tenant_id', '=', TENANT).execute();
    expect((await f.log.verifyTenant(TENANT)).ok).toBe(true);
    expect(failure(await f.log.verifyTenant(TENANT, copy))).toEqual({ reason: 'altered', firstBadSeq: 8 });
  });
});
