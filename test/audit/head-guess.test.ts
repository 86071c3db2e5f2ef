// The unit of work remembers the chain head its last append left (`AuditHeads`): an append whose
// guess is right moves the head in one statement; a wrong guess (another unit of work, process or
// replica appended meanwhile, or the guessing transaction rolled back) writes nothing and falls
// back to reading the head. Either way the chain stays one unbroken, verifiable chain.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/shared/ids.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { dialectName } from '../helpers/db.js';
import { countStatements, type StatementLog } from '../helpers/statements.js';
import { auditFixture, draft, type AuditFixture } from './support.js';

const headStatements = (statements: string[]) => statements.filter((sql) => /audit_head/.test(sql));

describe(`audit head guessed by the unit of work on ${dialectName}`, () => {
  let log: StatementLog;
  let f: AuditFixture;
  beforeAll(() => {
    log = countStatements();
  });
  afterAll(() => log.restore());
  beforeEach(async () => {
    f = await auditFixture();
  });
  afterEach(() => f.close());

  it('moves the head once when the guess is right, and reads it when another unit appended', async () => {
    const tenant = newId();
    const other = createUnitOfWork(f.db);
    await f.seed(tenant, 1); // the head row exists, and `f.uow` knows where it is

    const guessed = await log.during(() => f.uow.run((tx) => tx.audit.append(draft(tenant, 2))));
    expect(headStatements(guessed)).toEqual([
      expect.stringMatching(/^update "audit_head" set "seq" = .* and "hash" = /),
    ]);
    expect(guessed.filter((sql) => /^insert into "audit_(entries|targets)"/.test(sql))).toHaveLength(2);

    // `other` never appended: it reads the head. Then `f.uow`'s guess is stale: a compare-and-set
    // that matches nothing, then the read.
    const fresh = await log.during(() => other.run((tx) => tx.audit.append(draft(tenant, 3))));
    expect(headStatements(fresh)).toHaveLength(2);
    const stale = await log.during(() => f.uow.run((tx) => tx.audit.append(draft(tenant, 4))));
    expect(headStatements(stale)).toHaveLength(3);
    for (let n = 5; n < 11; n += 1)
      await (n % 3 === 0 ? other : f.uow).run((tx) => tx.audit.append(draft(tenant, n)));

    expect(await f.log.verifyTenant(tenant)).toMatchObject({ ok: true, count: 10 });
  });

  it('does not trust a head its rolled-back transaction left', async () => {
    const tenant = newId();
    await f.seed(tenant, 2);
    await expect(
      f.uow.run(async (tx) => {
        await tx.audit.append(draft(tenant, 3));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await log.during(() => f.uow.run((tx) => tx.audit.append(draft(tenant, 4))));
    expect(headStatements(after)).toHaveLength(3);
    const seqs = await f.db.kysely
      .selectFrom('audit_entries')
      .select('seq')
      .where('tenant_id', '=', tenant)
      .orderBy('seq')
      .execute();
    expect(seqs.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(await f.log.verifyTenant(tenant)).toMatchObject({ ok: true, count: 3 });
  });
});
