// Group commit on SQLite (ADR 0050): concurrent use cases share one transaction and one COMMIT,
// each in its own savepoint. Checked against a SQLite file and a second, read-only connection to
// it: what that connection sees is what is durable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAuditLog } from '../../src/app/audit/audit-log.js';
import type { Stores, UnitOfWork } from '../../src/app/ports.js';
import { SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import { userCreated } from '../../src/domain/directory/directory-events.js';
import type { User } from '../../src/domain/directory/types.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { makeGroupCommit, type Prepare } from '../../src/store/group-commit.js';
import { FEATURE_STORES } from '../../src/modules/index.js';
import { migrate } from '../../src/store/migrator.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { bindStores, type UnitOfWorkOptions } from '../../src/store/unit-of-work.js';
import { freshDb, postgresOnly, sqliteOnly } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';

const T = '11111111-1111-4111-8111-111111111111';
const T0 = Date.UTC(2026, 0, 1);

const user = (n: number): User => ({
  id: newId(),
  tenantId: T,
  displayName: `user ${n}`,
  userPrincipalName: `user-${n}-${newId().slice(0, 8)}@contoso.test`,
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

/** A use case's work: creates a user and records it (an audit entry and an outbox message). */
async function createUser(tx: Stores, u: User): Promise<string> {
  await tx.users.insert(u);
  tx.events.record({ tenantId: T, initiatedBy: SYSTEM_INITIATOR }, T0, userCreated(u));
  return u.id;
}

class Refused extends Error {}

describe('group commit on SQLite', skipFor(sqliteOnly), () => {
  let dir: string;
  let db: Db;
  /** A second connection to the same file: it sees only what is committed. */
  let reader: BetterSqlite3.Database;
  let batches: number[];

  const durable = (id: string) =>
    reader.prepare('select count(*) as n from users where id = ?').get(id) as { n: number };
  const durableUsers = () => (reader.prepare('select count(*) as n from users').get() as { n: number }).n;

  const uowWith = (
    o: Omit<UnitOfWorkOptions, 'features' | 'groupCommit'> = {},
    maxMembers = 32,
  ): UnitOfWork =>
    createUnitOfWork(db, {
      ...o,
      groupCommit: { maxMembers, observer: { batchCommitted: (n) => batches.push(n) } },
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elevate-group-commit-'));
    const path = join(dir, 'elevate.db');
    db = openDatabase(`sqlite:${path}`);
    await migrate(db, { clock: { now: () => T0 } });
    await createUnitOfWork(db).run((tx) => tx.tenants.insert({ id: T, displayName: 't', createdAt: T0 }));
    reader = new BetterSqlite3(path, { readonly: true });
    batches = [];
  });
  afterEach(async () => {
    reader.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('concurrent use cases share one commit, and each resolves only once its write is durable', async () => {
    const uow = uowWith();
    const seenAtResolve: number[] = [];
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        uow
          .run((tx) => createUser(tx, user(n)))
          .then((id) => {
            // Read synchronously on the other connection at the moment the promise settles.
            seenAtResolve.push(durable(id).n);
            return id;
          }),
      ),
    );
    expect(batches).toEqual([10]);
    expect(seenAtResolve).toEqual(Array.from({ length: 10 }, () => 1));
    expect(new Set(ids).size).toBe(10);
  });

  it('a member runs while earlier members of its batch are neither durable nor answered', async () => {
    const uow = uowWith();
    let firstAnswered = false;
    const one = user(1);
    const first = uow
      .run((tx) => createUser(tx, one))
      .then((id) => {
        firstAnswered = true;
        return id;
      });
    let seenBySecond: { durable: number; answered: boolean } | undefined;
    const second = uow.run(async (tx) => {
      // Same transaction: this member sees the first one's user, the other connection does not.
      const ownView = await tx.users.get(T, one.id);
      seenBySecond = { durable: durableUsers(), answered: firstAnswered };
      expect(ownView?.id).toBe(one.id);
      return createUser(tx, user(2));
    });
    await Promise.all([first, second]);
    expect(seenBySecond).toEqual({ durable: 0, answered: false });
    expect(durableUsers()).toBe(2);
    expect(batches).toEqual([2]);
  });

  it('a use case that arrives while a batch runs joins it', async () => {
    const uow = uowWith();
    let late: Promise<string> | undefined;
    const early = uow.run(async (tx) => {
      const id = await createUser(tx, user(1));
      // A request received while this member runs (a macrotask, like an HTTP request's data).
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          late = uow.run((t) => createUser(t, user(2)));
          resolve();
        }, 5),
      );
      return id;
    });
    await early;
    await late;
    expect(batches).toEqual([2]);
  });

  it('a failing member rolls back alone: the others of its batch commit', async () => {
    const uow = uowWith();
    const doomed = user(3);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, n) =>
        uow.run(async (tx) => {
          if (n !== 3) return createUser(tx, user(n));
          await createUser(tx, doomed);
          throw new Refused('member 3 fails after its writes');
        }),
      ),
    );
    expect(batches).toEqual([5]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(Refused);
    expect(durable(doomed.id).n).toBe(0);
    expect(durableUsers()).toBe(4);
    // Its audit entry and outbox message went with it: one of each per committed user.
    expect((reader.prepare('select count(*) as n from audit_entries').get() as { n: number }).n).toBe(4);
    expect((reader.prepare('select count(*) as n from outbox_messages').get() as { n: number }).n).toBe(4);
  });

  it('a member failing on a constraint of the database rolls back alone, and its error arrives after the commit', async () => {
    const uow = uowWith();
    const taken = user(1);
    const dup = { ...user(2), userPrincipalName: taken.userPrincipalName };
    let durableWhenRefused = -1;
    const results = await Promise.allSettled([
      uow.run((tx) => createUser(tx, taken)),
      uow
        .run((tx) => createUser(tx, dup))
        .catch((e: unknown) => {
          durableWhenRefused = durableUsers();
          throw e;
        }),
      uow.run((tx) => createUser(tx, user(3))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'Request_BadRequest' });
    // The refusal was decided on the first member's uncommitted user: it is answered only once
    // that user is durable (together with the third member's).
    expect(durableWhenRefused).toBe(2);
  });

  it('a batch that cannot commit fails every member, rolls each back in reverse order and leaves nothing', async () => {
    const group = makeGroupCommit(db.kysely, {
      maxMembers: 32,
      observer: { batchCommitted: (n) => batches.push(n) },
    });
    const settled: string[] = [];
    const member =
      (name: string, deferForeignKeys = false): Prepare<string> =>
      async (trx) => {
        // A foreign key checked at COMMIT: the savepoint is released, then the commit is refused.
        if (deferForeignKeys) await sql`pragma defer_foreign_keys = on`.execute(trx);
        const u = deferForeignKeys
          ? { ...user(2), tenantId: '99999999-9999-4999-8999-999999999999' }
          : user(1);
        await bindStores(trx, FEATURE_STORES, 'sqlite').users.insert(u);
        return {
          result: name,
          committed: () => {
            settled.push(`${name} committed`);
            return Promise.resolve();
          },
          rolledBack: () => settled.push(`${name} rolled back`),
        };
      };
    const results = await Promise.allSettled([
      group.run(member('a')),
      group.run(member('b', true)),
      group.run(member('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(settled).toEqual(['c rolled back', 'b rolled back', 'a rolled back']);
    expect(durableUsers()).toBe(0);
    expect(batches).toEqual([]);
    // The next batch commits as usual.
    expect(await group.run(member('d'))).toBe('d');
    expect(settled.at(-1)).toBe('d committed');
    expect(durableUsers()).toBe(1);
  });

  it('commit hooks run per member after the durable commit', async () => {
    const atNudge: number[] = [];
    const uow = uowWith({ messagesCommitted: () => atNudge.push(durableUsers()) });
    await Promise.allSettled([
      uow.run((tx) => createUser(tx, user(1))),
      uow.run((tx) => tx.users.get(T, newId())), // wrote no message: no nudge
      uow.run(async (tx) => {
        await createUser(tx, user(2));
        throw new Refused('rolled back: no nudge');
      }),
      uow.run((tx) => createUser(tx, user(3))),
    ]);
    expect(batches).toEqual([4]);
    expect(atNudge).toEqual([2, 2]);
  });

  it('commits after maxMembers and opens the next batch for those still waiting', async () => {
    const uow = uowWith({}, 4);
    await Promise.all(Array.from({ length: 10 }, (_, n) => uow.run((tx) => createUser(tx, user(n)))));
    expect(batches).toEqual([4, 4, 2]);
    expect(durableUsers()).toBe(10);
  });

  it('the audit chain verifies after mixed batches, with dense sequence numbers', async () => {
    const uow = uowWith({}, 8);
    const rounds = 5;
    for (let round = 0; round < rounds; round += 1) {
      await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) =>
          uow.run(async (tx) => {
            await createUser(tx, user(round * 100 + n));
            if (n % 4 === 1) throw new Refused('every fourth member fails after its audit entry');
          }),
        ),
      );
    }
    expect(batches).toEqual(Array.from({ length: rounds }, () => [8, 4]).flat());
    const log = makeAuditLog({
      uow,
      clock: new ManualClock(T0),
      keyring: auditKeyring(db.kysely, createSecretBox(Buffer.alloc(32, 7))),
    });
    expect(await log.verifyTenant(T)).toMatchObject({ ok: true, count: rounds * 9 });
    const seqs = (
      reader.prepare('select seq from audit_entries order by seq').all() as { seq: number }[]
    ).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: rounds * 9 }, (_, i) => i + 1));
    expect(durableUsers()).toBe(rounds * 9);
  });

  it('maxMembers 1 is one transaction per use case, as without group commit', async () => {
    const uow = uowWith({}, 1);
    await Promise.all(Array.from({ length: 3 }, (_, n) => uow.run((tx) => createUser(tx, user(n)))));
    expect(batches).toEqual([]);
    expect(durableUsers()).toBe(3);
  });
});

describe('group commit on PostgreSQL', skipFor(postgresOnly), () => {
  it('is not used: each use case commits on its own connection, as before', async () => {
    const db = await freshDb();
    try {
      await migrate(db, { clock: { now: () => T0 } });
      const batches: number[] = [];
      const uow = createUnitOfWork(db, {
        groupCommit: { maxMembers: 32, observer: { batchCommitted: (n) => batches.push(n) } },
      });
      await uow.run((tx) => tx.tenants.insert({ id: T, displayName: 't', createdAt: T0 }));
      await Promise.all(Array.from({ length: 5 }, (_, n) => uow.run((tx) => createUser(tx, user(n)))));
      expect(batches).toEqual([]);
      const { n } = await db.kysely
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBe(5);
    } finally {
      await db.drop();
    }
  });
});
