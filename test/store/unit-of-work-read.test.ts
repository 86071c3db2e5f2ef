import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import type { DomainEvent } from '../../src/domain/events/domain-event.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { migrate } from '../../src/store/migrator.js';
import { readOnlyPlugin, ReadOnlyError } from '../../src/store/read-only.js';
import { dialectName, freshDb } from '../helpers/db.js';

const T = '22222222-2222-4222-8222-222222222222';

/** `UnitOfWork.read`: one-statement checks outside a transaction, which can never write. */
describe(`unit of work reads outside a transaction on ${dialectName}`, () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  beforeEach(async () => {
    db = await freshDb();
    await migrate(db, { clock: { now: () => 0 } });
  });
  afterEach(() => db.drop());

  it('sees what committed, as a transaction would', async () => {
    const uow = createUnitOfWork(db);
    expect(await uow.read((r) => r.tenants.get(T))).toBeUndefined();
    await uow.run((tx) => tx.tenants.insert({ id: T, displayName: 'Contoso', createdAt: 1 }));
    expect((await uow.read((r) => r.tenants.get(T)))?.displayName).toBe('Contoso');
    expect(await uow.read((r) => r.notificationChannels.anyEnabled(T))).toBe(false);
  });

  it('refuses a write before it reaches the database, and nothing is written', async () => {
    const uow = createUnitOfWork(db);
    await expect(
      uow.read((r) => r.tenants.insert({ id: T, displayName: 'Contoso', createdAt: 1 })),
    ).rejects.toBeInstanceOf(ReadOnlyError);
    expect(await uow.read((r) => r.tenants.get(T))).toBeUndefined();
  });

  it('lets a raw select through and stops a raw write', async () => {
    const reader = db.kysely.withPlugin(readOnlyPlugin);
    expect((await sql<{ n: number }>`select 1 as n`.execute(reader)).rows).toEqual([{ n: 1 }]);
    await expect(
      sql`insert into tenants (id, display_name, created_at) values (${T}, 'x', 1)`.execute(reader),
    ).rejects.toBeInstanceOf(ReadOnlyError);
    await expect(
      sql`with t as (select 1) delete from tenants where id = ${T}`.execute(reader),
    ).rejects.toBeInstanceOf(ReadOnlyError);
    expect((await sql<{ n: number }>`select count(*) as n from tenants`.execute(db.kysely)).rows[0]!.n).toBe(
      0,
    );
  });

  it('refuses a recorded event: a change goes through run, with its audit entry', async () => {
    const uow = createUnitOfWork(db);
    await expect(
      uow.read(async (r) => {
        r.events.record({ tenantId: T, initiatedBy: SYSTEM_INITIATOR }, 1, {} as DomainEvent);
        return 0;
      }),
    ).rejects.toBeInstanceOf(ReadOnlyError);
  });
});
