// Incremental reconciles (ADR 0045) on the PostgreSQL connector, with the machine's PostgreSQL as
// the target: a run woken by an outbox event compares only the users it names, a burst of events
// coalesces into one run for the union of the names, an end is revoked on time by a run that looks
// at the ending user only, and drift elsewhere is still repaired by the full run. What a run reads
// is counted through the real driver (a wrapper that passes every call on) and a plugin on
// Elevate's own database connection, so "reads no other holder" is observed, not assumed.
// Runs on SQLite (`npm test`) and PostgreSQL (`--mode postgres`) as Elevate's own database.
import { randomBytes } from 'node:crypto';
import {
  SelectQueryNode,
  TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TargetSystem, TargetSystemFactory } from '../../src/app/connectors/ports.js';
import { outboundFetch } from '../../src/net/outbound-fetch.js';
import { targetSystems } from '../../src/target-systems/drivers.js';
import {
  activate,
  addConnector,
  addLoginUser,
  audited,
  connectorServer,
  grantsOf,
  revokedGrant,
  until,
  type ConnectorServer,
} from './support.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const suffix = randomBytes(4).toString('hex');
const ROLE = `el_inc_${suffix}`;
const logins: string[] = [];
const newLogin = () => {
  const l = `el_i_${suffix}_${logins.length}`;
  logins.push(l);
  return l;
};
const settings = {
  host: PG.host,
  port: PG.port,
  database: 'postgres',
  username: 'postgres',
  createLogins: true,
};

/** What a reconcile asked of the target, in order: the operation and the logins it named. */
interface TargetCall {
  op: 'list' | 'listFor' | 'grant' | 'revoke' | 'endSessions';
  logins: string[];
}

/** The real drivers, calling out to the test's receivers on the loopback interface. */
const openTarget = targetSystems(outboundFetch({ allowNetworks: ['127.0.0.0/8'] }));

/**
 * The real drivers, each call recorded before it is passed on. `hold()` makes the next scoped
 * listings wait until released: a run stays under way while the test commits more activations.
 */
function recordingTargets() {
  const calls: TargetCall[] = [];
  let gate: Promise<void> | undefined;
  const factory: TargetSystemFactory = (type, s, secret) => {
    const real = openTarget(type, s, secret);
    const wrapped: TargetSystem = {
      ...real,
      async list(targets) {
        calls.push({ op: 'list', logins: [] });
        return real.list(targets);
      },
      async grant(g, call) {
        calls.push({ op: 'grant', logins: [g.login] });
        return real.grant(g, call);
      },
      async revoke(g, call) {
        calls.push({ op: 'revoke', logins: [g.login] });
        return real.revoke(g, call);
      },
    };
    if (real.listFor !== undefined)
      wrapped.listFor = async (targets, names) => {
        calls.push({ op: 'listFor', logins: [...names].sort() });
        await gate;
        return real.listFor!(targets, names);
      };
    return wrapped;
  };
  return {
    factory,
    calls,
    of: (op: TargetCall['op']) => calls.filter((c) => c.op === op).map((c) => c.logins),
    reset: () => void calls.splice(0),
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

/** Counts the rows Elevate's stores read, by the table a select reads from. */
class RowsRead implements KyselyPlugin {
  readonly byTable = new Map<string, number>();
  readonly #tables = new WeakMap<QueryId, string>();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const from = SelectQueryNode.is(args.node) ? args.node.from?.froms[0] : undefined;
    if (from !== undefined && TableNode.is(from)) this.#tables.set(args.queryId, from.table.identifier.name);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const table = this.#tables.get(args.queryId);
    if (table !== undefined)
      this.byTable.set(table, (this.byTable.get(table) ?? 0) + args.result.rows.length);
    return args.result;
  }
  of = (table: string) => this.byTable.get(table) ?? 0;
  reset = () => this.byTable.clear();
}

let admin: pg.Client;
const servers: ConnectorServer[] = [];
const serve = async (o?: Parameters<typeof connectorServer>[0]) => {
  const s = await connectorServer(o);
  servers.push(s);
  return s;
};

const isMember = async (login: string) =>
  (
    await admin.query(
      `select 1 from pg_auth_members am join pg_roles g on g.oid = am.roleid join pg_roles m on m.oid = am.member
        where g.rolname = $1 and m.rolname = $2`,
      [ROLE, login],
    )
  ).rowCount === 1;

/** Activates each user (`minutes` long) and waits until the target has them all. */
async function holding(s: ConnectorServer, count: number, minutes = 60) {
  const made: { id: string; login: string; end: number }[] = [];
  for (let i = 0; i < count; i += 1) {
    const login = newLogin();
    const id = await addLoginUser(s, login);
    const { end } = await activate(s, id, undefined, minutes);
    made.push({ id, login, end });
  }
  for (const u of made) await until(`${u.login} is granted`, () => isMember(u.login));
  return made;
}

/** Waits until every outbox message is delivered and no reconcile is under way. */
async function settled(s: ConnectorServer) {
  await s.outbox.runOnce();
  await s.connectors.idle();
}

beforeAll(async () => {
  admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`create role ${ROLE} nologin`);
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  for (const l of logins) {
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [l]);
    await admin.query(`drop role if exists ${l}`);
  }
  await admin.query(`drop role if exists ${ROLE}`);
  await admin.end();
});

describe('incremental reconcile', () => {
  it('an activation is granted by a run that asks the target about its login only and reads no other holder', async () => {
    const target = recordingTargets();
    const rows = new RowsRead();
    const s = await serve({ targets: target.factory, plugin: rows });
    const { id } = await addConnector(s, { displayName: 'Incremental', type: 'postgresql', settings }, ROLE);
    const others = await holding(s, 12);
    await settled(s);

    target.reset();
    rows.reset();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    await activate(s, user);
    await until('the grant is effective', () => isMember(login));
    await settled(s);

    // The target was asked about the new login only, and granted it only.
    expect(target.of('list')).toEqual([]);
    expect(target.of('listFor').length).toBeGreaterThanOrEqual(1);
    for (const asked of target.of('listFor')) expect(asked).toEqual([login]);
    expect(target.of('grant')).toEqual([[login]]);
    expect(target.of('revoke')).toEqual([]);
    // Elevate's store: no other holder's records or user rows were read (the activation itself
    // reads its user; the reconcile its record once granted).
    expect(rows.of('connector_grants')).toBeLessThanOrEqual(2);
    expect(rows.of('users')).toBeLessThan(others.length);
    const [record] = await grantsOf(s, id);
    expect(record).toMatchObject({ login, state: 'granted' });
    expect(await audited(s, 'Grant access in target system')).toHaveLength(others.length + 1);
    expect(s.connectors.lastResult(id)).toMatchObject({ scope: 'principals' });

    // The same counters see a full run read every holder and list the whole target role.
    target.reset();
    rows.reset();
    await s.connectors.runAll();
    expect(target.of('list')).toHaveLength(1);
    expect(rows.of('connector_grants')).toBeGreaterThanOrEqual(others.length + 1);
    expect(rows.of('users')).toBeGreaterThanOrEqual(others.length + 1);
    expect(target.of('grant')).toEqual([]);
    expect(s.connectors.lastResult(id)).toMatchObject({ scope: 'full', granted: 0, revoked: 0 });
  });

  it('activations committed while a run is under way are reconciled together by the next run', async () => {
    const target = recordingTargets();
    const s = await serve({ targets: target.factory });
    await addConnector(s, { displayName: 'Burst', type: 'postgresql', settings }, ROLE);
    await settled(s);
    target.reset();

    // The first activation's run stops at the target's listing until released.
    const release = target.hold();
    const first = newLogin();
    await activate(s, await addLoginUser(s, first));
    await until('the first run asks the target', async () =>
      target.of('listFor').some((asked) => asked.includes(first)),
    );
    const burst: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const login = newLogin();
      burst.push(login);
      await activate(s, await addLoginUser(s, login));
    }
    // Every event of the burst has reached the reconciler (names queued behind the held run).
    await s.outbox.runOnce();
    release();
    for (const login of [first, ...burst]) await until(`${login} is granted`, () => isMember(login));
    await settled(s);

    // Two runs: the held one, and one for the whole burst (with the first user again when one of
    // its events, e.g. the eligibility's, woke the held run and the activation's came during it).
    const listings = target.of('listFor');
    expect(listings).toHaveLength(2);
    expect(listings[0]).toEqual([first]);
    expect(listings[1]!.filter((l) => l !== first)).toEqual([...burst].sort());
    expect(target.of('list')).toEqual([]);
    expect(target.of('grant').flat().sort()).toEqual([first, ...burst].sort());
  });

  it('an end is revoked within 2 s by a run that looks at the ending user only', async () => {
    const target = recordingTargets();
    const s = await serve({ targets: target.factory });
    const { id } = await addConnector(s, { displayName: 'Ends', type: 'postgresql', settings }, ROLE);
    const staying = await holding(s, 3, 60);
    const [ending] = await holding(s, 1, 5);
    await settled(s);

    // Jump to 1.5 s before the end; a run naming nobody re-arms the timer for it (the full run a
    // plain nudge makes would do it too, and would not show what the timer's run reads).
    s.clock.bringCloser(ending!.end, 1_500);
    // The jump outlives the outbox relay's lease: it takes it again and redelivers from the cursor
    // it last wrote (at least once, ADR 0013), naming the holders again; let that pass first.
    await settled(s);
    s.connectors.nudge(id, []);
    await s.connectors.idle();
    target.reset();
    await until('the end is revoked', async () => !(await isMember(ending!.login)), 10_000);
    expect(s.clock.now() - ending!.end).toBeLessThan(2_000);
    const revoked = await revokedGrant(s, id);
    expect(revoked).toMatchObject({
      login: ending!.login,
      endedDateTime: new Date(ending!.end).toISOString(),
    });
    await s.connectors.idle();

    expect(target.of('revoke')).toEqual([[ending!.login]]);
    expect(target.of('list')).toEqual([]);
    for (const asked of target.of('listFor')) expect(asked).toEqual([ending!.login]);
    for (const u of staying) expect(await isMember(u.login)).toBe(true);
    expect(await audited(s, 'Revoke access in target system')).toHaveLength(1);
  });

  it('drift of a user no event names waits for the full run, which repairs it', async () => {
    const s = await serve();
    await addConnector(s, { displayName: 'Drift', type: 'postgresql', settings }, ROLE);
    const [drifted] = await holding(s, 1);
    await settled(s);

    await admin.query(`revoke ${ROLE} from ${drifted!.login}`);
    const [other] = await holding(s, 1);
    await settled(s);
    // The run for the other user's activation did not look at the drifted one.
    expect(await isMember(other!.login)).toBe(true);
    expect(await isMember(drifted!.login)).toBe(false);
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(0);

    await until('the full run repairs it', async () => {
      await s.connectors.runAll();
      return isMember(drifted!.login);
    });
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(1);
  });
});
