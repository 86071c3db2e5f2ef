// Batch appends (the sweeper's path) continue the same chain as single appends: one head move per
// tenant run, entries in the order given, multi-row inserts larger than one INSERT's chunk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/shared/ids.js';
import { dialectName } from '../helpers/db.js';
import { auditFixture, draft, type AuditFixture } from './support.js';

describe(`audit appendMany on ${dialectName}`, () => {
  let f: AuditFixture;
  beforeEach(async () => {
    f = await auditFixture();
  });
  afterEach(() => f.close());

  const seqsOf = async (tenantId: string) =>
    (
      await f.db.kysely
        .selectFrom('audit_entries')
        .select(['seq', 'id'])
        .where('tenant_id', '=', tenantId)
        .orderBy('seq')
        .execute()
    ).map((r) => ({ seq: Number(r.seq), id: r.id }));

  it('interleaves with single appends and two tenants into unbroken, verifiable chains', async () => {
    const a = newId();
    const b = newId();
    await f.seed(a, 3);
    // Runs of each tenant, in this order; 1,200 entries for `a` span several multi-row inserts.
    const batch = [
      ...Array.from({ length: 1200 }, (_, i) => draft(a, 10 + i)),
      ...Array.from({ length: 5 }, (_, i) => draft(b, i)),
      draft(a, 5000),
    ];
    const entries = await f.uow.run((tx) => tx.audit.appendMany(batch));
    expect(entries.map((e) => e.id)).toEqual(batch.map((d) => d.id));
    await f.seed(a, 2, 6000);

    const chainA = await seqsOf(a);
    expect(chainA.map((r) => r.seq)).toEqual(Array.from({ length: 3 + 1201 + 2 }, (_, i) => i + 1));
    expect(chainA.slice(3, 1203).map((r) => r.id)).toEqual(batch.slice(0, 1200).map((d) => d.id));
    expect(chainA[1203]!.id).toBe(batch[1205]!.id);
    expect((await seqsOf(b)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await f.log.verifyTenant(a)).toMatchObject({ ok: true, count: 1206 });
    expect(await f.log.verifyTenant(b)).toMatchObject({ ok: true, count: 5 });
    const targets = await f.db.kysely
      .selectFrom('audit_targets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', a)
      .executeTakeFirstOrThrow();
    expect(Number(targets.n)).toBe(1206);
  });

  it('rolls back with its transaction, leaving no entry and no gap', async () => {
    const a = newId();
    await f.seed(a, 2);
    await expect(
      f.uow.run(async (tx) => {
        await tx.audit.appendMany([draft(a, 10), draft(a, 11)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await f.seed(a, 1, 20);
    expect((await seqsOf(a)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await f.log.verifyTenant(a)).toMatchObject({ ok: true, count: 3 });
  });

  it('does nothing for an empty batch', async () => {
    expect(await f.uow.run((tx) => tx.audit.appendMany([]))).toEqual([]);
  });
});
