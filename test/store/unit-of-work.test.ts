import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/directory/types.js';
import { ConflictError } from '../../src/domain/shared/errors.js';
import { codecs } from '../../src/store/codecs.js';
import { migrate } from '../../src/store/migrator.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { dialectName, freshDb } from '../helpers/db.js';

const T = '11111111-1111-4111-8111-111111111111';
const user = (id: string, createdAt = 0): User => ({
  id,
  tenantId: T,
  displayName: 'Ada',
  userPrincipalName: `${id.slice(0, 8)}@contoso.test`,
  mail: null,
  givenName: null,
  surname: null,
  jobTitle: null,
  accountEnabled: true,
  passwordHash: null,
  passwordMustChange: false,
  createdAt,
  modifiedAt: createdAt,
  version: 1,
});

describe(`unit of work and codecs on ${dialectName}`, () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  beforeEach(async () => {
    db = await freshDb();
    await migrate(db, { clock: { now: () => 0 } });
    await createUnitOfWork(db).run((tx) => tx.tenants.insert({ id: T, displayName: 't', createdAt: 0 }));
  });
  afterEach(() => db.drop());

  it.each([
    ['epoch 0', 0],
    ['year 9999, last millisecond', Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ['year 1 (negative epoch)', Date.UTC(1, 0, 1) - 0],
    ['one millisecond before epoch', -1],
  ])('stores and reads back times at the boundary: %s', async (_name, ms) => {
    const uow = createUnitOfWork(db);
    const id = '22222222-2222-4222-8222-222222222222';
    await uow.run((tx) => tx.users.insert(user(id, ms)));
    const back = await uow.run((tx) => tx.users.get(T, id));
    expect(back?.createdAt).toBe(ms);
    expect(back?.accountEnabled).toBe(true);
  });

  it('codecs reject values that are not epoch-ms integers', () => {
    expect(() => codecs.time.encode(1.5)).toThrow(RangeError);
    expect(() => codecs.time.encode(Number.NaN)).toThrow(RangeError);
    expect(codecs.time.decode('1700000000000')).toBe(1_700_000_000_000);
    expect(codecs.bool.decode(0)).toBe(false);
    expect(codecs.bool.decode(1)).toBe(true);
  });

  it('rolls back every write of a unit of work that throws', async () => {
    const uow = createUnitOfWork(db);
    const a = '33333333-3333-4333-8333-333333333333';
    const b = '44444444-4444-4444-8444-444444444444';
    await expect(
      uow.run(async (tx) => {
        await tx.users.insert(user(a));
        await tx.users.insert(user(b));
        throw new Error('fail after two writes');
      }),
    ).rejects.toThrow('fail after two writes');
    expect(await uow.run((tx) => tx.users.get(T, a))).toBeUndefined();
    expect(await uow.run((tx) => tx.users.get(T, b))).toBeUndefined();
  });

  it('compare-and-set: the second writer with a stale version gets a ConflictError and changes nothing', async () => {
    const uow = createUnitOfWork(db);
    const id = '55555555-5555-4555-8555-555555555555';
    await uow.run((tx) => tx.users.insert(user(id)));
    const stale = (await uow.run((tx) => tx.users.get(T, id)))!;
    await uow.run((tx) => tx.users.update({ ...stale, displayName: 'first' }, stale.version));
    await expect(
      uow.run((tx) => tx.users.update({ ...stale, displayName: 'second' }, stale.version)),
    ).rejects.toBeInstanceOf(ConflictError);
    const now = await uow.run((tx) => tx.users.get(T, id));
    expect(now?.displayName).toBe('first');
    expect(now?.version).toBe(2);
  });

  it('compare-and-set under real concurrency: of 10 concurrent updates from one version, exactly one wins', async () => {
    const uow = createUnitOfWork(db);
    const id = '66666666-6666-4666-8666-666666666666';
    await uow.run((tx) => tx.users.insert(user(id)));
    const base = (await uow.run((tx) => tx.users.get(T, id)))!;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        uow.run((tx) => tx.users.update({ ...base, displayName: `w${i}` }, base.version)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(9);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(ConflictError);
  });

  it('a unique UPN is enforced case-insensitively', async () => {
    const uow = createUnitOfWork(db);
    await uow.run((tx) => tx.users.insert(user('77777777-7777-4777-8777-777777777777')));
    const dup = {
      ...user('88888888-8888-4888-8888-888888888888'),
      userPrincipalName: '77777777@CONTOSO.TEST',
    };
    await expect(uow.run((tx) => tx.users.insert(dup))).rejects.toMatchObject({ code: 'Request_BadRequest' });
  });
});
