import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectName } from '../helpers/db.js';
import { auditFixture, draft, insertForgedEntry, type AuditFixture } from './support.js';

const TENANT = '11111111-1111-4111-8111-111111111111';

/**
 * Verification in spans checked by two worker threads, each over its own connection, with
 * tampering exactly at the boundaries between spans: spans of 5 entries end at 5, 10, 15 and 20,
 * so a workers' boundary lies between 10 and 11. Each result must be the one sequential
 * verification gives, message included.
 */
// Each verification starts two worker threads (from the TypeScript sources, through tsx): seconds
// each on a loaded machine, several times per test.
describe(`audit verification in parallel spans on ${dialectName}`, { timeout: 120_000 }, () => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture({ spanSize: 5, batchSize: 2 });
    await f.uow.run((tx) => tx.audit.appendMany(Array.from({ length: 20 }, (_, i) => draft(TENANT, i + 1))));
  });
  afterEach(() => f.close());

  const k = () => f.db.kysely;
  const bothWays = async () => {
    const parallel = await f.log.verifyTenant(TENANT);
    expect(parallel).toEqual(await f.sequentialLog.verifyTenant(TENANT));
    return parallel;
  };

  it('verifies an untouched chain span by span, checking the checkpoint inside a span', async () => {
    await f.log.checkpoint(TENANT); // at 20: verified in spans too
    await f.uow.run((tx) => tx.audit.appendMany(Array.from({ length: 3 }, (_, i) => draft(TENANT, 21 + i))));
    await f.db.kysely
      .updateTable('audit_checkpoints')
      .set({ seq: 12 })
      .where('tenant_id', '=', TENANT)
      .execute();
    // A checkpoint moved to 12 no longer matches the chain there, inside the third span.
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'badCheckpoint', firstBadSeq: 12 });
    await k().deleteFrom('audit_checkpoints').execute();
    expect(await f.log.checkpoint(TENANT)).toMatchObject({ seq: 23 });
    f.spanOutcomes.length = 0;
    expect(await bothWays()).toMatchObject({ ok: true, count: 23, checkpoints: 1 });
    // Five spans of 1..23 (the last one 21..23), every one vouched for by a worker.
    expect(f.spanOutcomes.map((s) => s && [s.fromSeq, s.throughSeq])).toEqual([
      [1, 5],
      [6, 10],
      [11, 15],
      [16, 20],
      [21, 23],
    ]);
  });

  it.each([10, 11])('catches a query column edited at seq %i, naming the column', async (seq) => {
    await k()
      .updateTable('audit_entries')
      .set({ code: 'user.delete' })
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq)
      .execute();
    const result = await bothWays();
    expect(result).toMatchObject({ ok: false, reason: 'altered', firstBadSeq: seq });
    expect(result.ok || result.message).toMatch(/code/);
    // The spans before the edited one were vouched for; the edited one was not.
    expect(f.spanOutcomes.slice(0, seq === 10 ? 1 : 2).every(Boolean)).toBe(true);
    expect(f.spanOutcomes[seq === 10 ? 1 : 2]).toBeUndefined();
  });

  it.each([10, 11])('catches the entry at seq %i deleted', async (seq) => {
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '=', seq).execute();
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'removed', firstBadSeq: seq });
  });

  /** Moves entries at or after `from` by `by` (through negative numbers: the key never collides). */
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

  it('catches an entry deleted at the end of a span and the later ones renumbered', async () => {
    await k().deleteFrom('audit_entries').where('tenant_id', '=', TENANT).where('seq', '=', 10).execute();
    await shift(11, -1);
    await k().updateTable('audit_head').set({ seq: 19 }).where('tenant_id', '=', TENANT).execute();
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'removed', firstBadSeq: 10 });
  });

  it.each([10, 11])('catches an entry inserted at seq %i', async (seq) => {
    const before = await k()
      .selectFrom('audit_entries')
      .select('hash')
      .where('tenant_id', '=', TENANT)
      .where('seq', '=', seq - 1)
      .executeTakeFirstOrThrow();
    await shift(seq, 1);
    await insertForgedEntry(k(), TENANT, draft(TENANT, 99), seq, before.hash);
    await k().updateTable('audit_head').set({ seq: 21 }).where('tenant_id', '=', TENANT).execute();
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'inserted', firstBadSeq: seq });
  });

  it('catches two entries reordered across a span boundary', async () => {
    const rows = await k()
      .selectFrom('audit_entries')
      .select(['seq', 'payload'])
      .where('tenant_id', '=', TENANT)
      .where('seq', 'in', [10, 11])
      .orderBy('seq')
      .execute();
    for (const [seq, payload] of [
      [10, rows[1]!.payload],
      [11, rows[0]!.payload],
    ] as const)
      await k()
        .updateTable('audit_entries')
        .set({ payload })
        .where('tenant_id', '=', TENANT)
        .where('seq', '=', seq)
        .execute();
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'reordered', firstBadSeq: 10 });
  });

  it('catches a checkpoint at a span boundary with a broken signature', async () => {
    await f.log.checkpoint(TENANT); // at 20, the end of the last span
    await k()
      .updateTable('audit_checkpoints')
      .set({ signature: 'A'.repeat(86) })
      .where('tenant_id', '=', TENANT)
      .execute();
    expect(await bothWays()).toMatchObject({ ok: false, reason: 'badCheckpoint', firstBadSeq: 20 });
  });
});
