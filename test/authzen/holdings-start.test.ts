// The server listens before its holdings index is loaded, and full loads read in pages (ADR 0054):
// answers before the load are the database's (so the same), and a change that commits between two
// pages of a load is in the index the moment its new maps answer. The index reads the real
// database throughout; only the timing of its load is held by the test.
import { afterEach, describe, expect, it } from 'vitest';
import {
  makeHoldingsIndex,
  type HoldingsIndex,
  type HoldingsRows,
  type HoldingsSource,
} from '../../src/app/authzen/holdings-index.js';
import { holdFromDatabase } from '../../src/app/authzen/holdings.js';
import { SYSTEM_INITIATOR } from '../../src/domain/audit/draft.js';
import { roleAssignmentId } from '../../src/domain/roles/assignment-id.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { holdingsCommitHook, holdingsSource } from '../../src/store/authzen/holdings-source.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { addUser, GLOBAL_ADMINISTRATOR, inTx, newId, USER_ADMINISTRATOR } from '../pim/support.js';

/** A gate the test opens: `reached` resolves when the load waits at it. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  return { open, opened, reached, arrived };
}

/**
 * The database source, with its full loads made to wait at the gate before the first page for
 * which `waitBefore` is true (once); the pages it yielded are kept.
 */
function heldSource(
  source: HoldingsSource,
  g: ReturnType<typeof gate>,
  waitBefore: (page: HoldingsRows) => boolean,
) {
  const yielded: HoldingsRows[] = [];
  let waited = false;
  const held: HoldingsSource = {
    ...source,
    async *loadPages(endedAfter, pageSize) {
      for await (const page of source.loadPages(endedAfter, pageSize)) {
        if (!waited && waitBefore(page)) {
          waited = true;
          g.reached();
          await g.opened;
        }
        yielded.push(page);
        yield page;
      }
    },
  };
  return { held, yielded };
}

const question = (subjectId: string, roleId = USER_ADMINISTRATOR) => ({
  subject: { type: 'user', id: subjectId },
  action: { name: 'hold' },
  resource: { type: 'role', id: roleId, properties: { directoryScopeId: '/' } },
});

describe('holdings index: listen first, load in pages (ADR 0054)', () => {
  let s: TestServer | undefined;
  let index: HoldingsIndex | undefined;
  afterEach(async () => {
    await index?.close();
    index = undefined;
    await s?.close();
    s = undefined;
  });

  it('answers AuthZEN (and resolves callers) from the database while the first load is held, and from memory after', async () => {
    const g = gate();
    // Held before its first page: nothing is in memory until the test opens the gate.
    s = await testServer({
      holdingsIndex: { wrapSource: (source) => heldSource(source, g, () => true).held },
      waitForHoldings: false,
    });
    const server = s;
    await g.arrived;

    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(server.holdings.stats()).toMatchObject({ ready: false, fullLoads: 0 });

    // A caller resolved (token, account) and a commit made, neither waiting for the index.
    const pdp = await server.appWith(['Elevate.AccessEvaluation']);
    const holder = await addUser(server, [USER_ADMINISTRATOR]);
    const other = await addUser(server);
    const ask = async (subjectId: string, roleId?: string) => {
      const r = await server.app.inject({
        method: 'POST',
        url: '/access/v1/evaluation',
        headers: { authorization: pdp.authorization },
        payload: question(subjectId, roleId),
      });
      expect(r.statusCode, r.body).toBe(200);
      // The time of the evaluation aside, the answer is the same whoever made it.
      const { decision, context } = r.json<{ decision: boolean; context?: Record<string, unknown> }>();
      const { evaluatedAt: _evaluatedAt, ...rest } = context ?? {};
      return { decision, context: rest };
    };
    const asked = async () => ({
      holder: await ask(holder),
      holderOtherRole: await ask(holder, GLOBAL_ADMINISTRATOR),
      other: await ask(other),
    });

    const before = await asked();
    expect(before.holder.decision).toBe(true);
    expect(before.holderOtherRole).toEqual({ decision: false, context: { reason: 'not_active' } });
    expect(before.other).toEqual({ decision: false, context: { reason: 'not_active' } });
    // Still not loaded: those answers were read from the database.
    expect(server.holdings.stats().ready).toBe(false);

    g.open();
    await server.holdings.loaded();
    expect(server.holdings.stats()).toMatchObject({ ready: true, fullLoads: 1 });
    // The index answers now, and answers the same.
    const now = server.clock.now();
    expect(
      server.holdings.hold(
        {
          tenantId: server.boot.tenantId,
          subjectId: holder,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
        },
        now,
      ),
    ).toMatchObject({ held: true });
    expect(await asked()).toEqual(before);
  });

  it('a change committed between two pages of a full load is in the index when its maps answer', async () => {
    s = await testServer();
    const server = s;
    const tenantId = server.boot.tenantId;
    // More direct assignments than fit one page of 2 rows.
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => addUser(server, [USER_ADMINISTRATOR])));
    const later = await addUser(server);

    const g = gate();
    // Held once every direct assignment was read (before the first page of accounts).
    const { held: source, yielded } = heldSource(holdingsSource(server.db), g, (p) => p.accounts.length > 0);
    index = makeHoldingsIndex({ source, clock: systemClock, pageSize: 2 });
    const idx = index;
    const loading = idx.reload();
    await g.arrived;
    const directPages = yielded.filter((p) => p.direct.length > 0);
    expect(directPages.length).toBeGreaterThan(1);
    const revoked = held[0]!;
    expect(directPages.some((p) => p.direct.some((d) => d.principalId === revoked))).toBe(true);

    // Written with the index's own commit hook (as the server's unit of work does): it returns
    // without waiting for the load, which the index does not answer from yet.
    const uow = createUnitOfWork(server.db, { holdings: holdingsCommitHook(server.db, idx) });
    const write = (work: Parameters<typeof uow.run>[0]) =>
      uow.run(async (tx) => {
        await work(tx);
        tx.events.record({ tenantId, initiatedBy: SYSTEM_INITIATOR }, systemClock.now(), {
          type: 'roles.assignmentCreated',
          audit: [],
        });
      });
    await write(async (tx) => {
      await tx.roleAssignments.deleteForPrincipal(tenantId, revoked);
    });
    await write(async (tx) => {
      await tx.roleAssignments.insert({
        id: roleAssignmentId(USER_ADMINISTRATOR, later, '/', newId),
        tenantId,
        principalId: later,
        principalType: 'user',
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        appScopeId: null,
        createdAt: 0,
        createdBy: null,
      });
    });
    const q = (subjectId: string) => ({
      tenantId,
      subjectId,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    expect(idx.hold(q(revoked), systemClock.now())).toBeUndefined();

    g.open();
    await loading;
    expect(idx.stats()).toMatchObject({ ready: true, fullLoads: 1 });
    // The moment the new maps answer, both changes are in them, and every answer is the database's.
    const now = systemClock.now();
    expect(idx.hold(q(revoked), now)).toEqual({ held: false, reason: 'not_active' });
    expect(idx.hold(q(later), now)).toMatchObject({ held: true });
    for (const id of [...held, later]) {
      const fromDb = await inTx(server, (tx) => holdFromDatabase(tx, q(id), now));
      expect(idx.hold(q(id), now), id).toEqual(fromDb);
    }
    const rows = await server.db.kysely
      .selectFrom('role_assignments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(idx.stats().directAssignments).toBe(Number(rows.n));
  });
});
