import { sql, type Kysely } from 'kysely';
import {
  isHoldingSource,
  type HoldingChange,
  type HoldingsIndex,
  type HoldingSource,
  type HoldingsRows,
  type HoldingsSource,
} from '../../app/authzen/holdings-index.js';
import { codecs } from '../codecs.js';
import { roleOf } from '../resources/resource-stores.js';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

/** Principal ids per `in (…)` list: well under SQLite's and PostgreSQL's bound parameters. */
const CHUNK = 500;

/**
 * The holdings index's reads (migration 0024 keeps the change feed): everything for a full load,
 * the named parts of named principals for a refresh, and on SQLite the feed itself.
 */
export function holdingsSource(db: Db): HoldingsSource {
  const k = db.kysely;
  const source: HoldingsSource = {
    async *loadPages(endedAfter, pageSize) {
      const page = (rows: Partial<HoldingsRows>): HoldingsRows => ({ ...noRows(), ...rows });
      // Per tenant: the slot index (tenant, kind, principal, …) reads assignments in principal order.
      const tenants = await k.selectFrom('tenants').select('id').orderBy('id').execute();
      for (const t of tenants) {
        for await (const rows of byPrincipal(pageSize, (w) =>
          schedules(k, endedAfter, undefined, { ...w, tenantId: t.id }),
        ))
          yield page({ schedules: rows });
      }
      for await (const rows of byPrincipal(pageSize, (w) => direct(k, undefined, w)))
        yield page({ direct: rows });
      for await (const rows of byPrincipal(pageSize, (w) => memberships(k, undefined, w)))
        yield page({ memberships: rows });
      // Accounts are keyed by their id alone (the primary key): no principal spans two pages.
      for await (const rows of byPrincipal(pageSize, (w) => users(k, undefined, w), true))
        yield page({ accounts: rows });
      for await (const rows of byPrincipal(pageSize, (w) => servicePrincipals(k, undefined, w), true))
        yield page({ accounts: rows });
      // The catalogues are small (a tenant's registered scopes and custom roles): one page.
      yield page({ resourceScopes: await resourceScopes(k), resourceRoles: await resourceRoles(k) });
    },
    async load(changes, endedAfter) {
      const rows = noRows();
      const groups = new Map<string, { tenantId: string; source: HoldingSource; ids: Set<string> }>();
      for (const c of changes) {
        const key = `${c.tenantId} ${c.source}`;
        let g = groups.get(key);
        if (!g) {
          g = { tenantId: c.tenantId, source: c.source, ids: new Set() };
          groups.set(key, g);
        }
        g.ids.add(c.principalId);
      }
      for (const g of groups.values()) {
        const ids = [...g.ids];
        for (let i = 0; i < ids.length; i += CHUNK) {
          const part = { tenantId: g.tenantId, ids: ids.slice(i, i + CHUNK) };
          if (g.source === 's') rows.schedules.push(...(await schedules(k, endedAfter, part)));
          else if (g.source === 'd') rows.direct.push(...(await direct(k, part)));
          else if (g.source === 'm') rows.memberships.push(...(await memberships(k, part)));
          else if (g.source === 'a') rows.accounts.push(...(await accounts(k, part)));
          else if (g.source === 'r') rows.resourceScopes.push(...(await resourceScopes(k, part)));
          else rows.resourceRoles.push(...(await resourceRoles(k, part)));
        }
      }
      return rows;
    },
  };
  if (db.dialect === 'sqlite') {
    /** Feed rows taken in since the last delete. */
    let taken = 0;
    source.lastChangeId = async () => {
      const r = await k
        .selectFrom('holding_changes')
        .select((eb) => eb.fn.max('id').as('last'))
        .executeTakeFirst();
      return Number(r?.last ?? 0);
    };
    source.changesAfter = async (afterId, atMost) => {
      // Counted first: after a bulk write the rows are not worth reading (a full load follows).
      const head = await k
        .selectFrom('holding_changes')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('last')])
        .where('id', '>', afterId)
        .executeTakeFirst();
      const n = Number(head?.n ?? 0);
      if (n === 0) return { lastId: afterId, changes: [] };
      const last = Number(head?.last ?? afterId);
      // One process serves a SQLite database: what it has taken in is done with. Deleted in
      // batches, not after every commit: each delete is a durable write of its own, and rows at
      // or below the id taken in are never read again (nor after a restart, which loads in full).
      taken += n;
      const done = async () => {
        if (taken < PRUNE_EVERY && n <= atMost) return;
        taken = 0;
        await k.deleteFrom('holding_changes').where('id', '<=', last).execute();
      };
      if (n > atMost) {
        await done();
        return { lastId: last, tooMany: true as const };
      }
      const rows = await k
        .selectFrom('holding_changes')
        .select(['id', 'tenant_id', 'principal_id', 'source'])
        .where('id', '>', afterId)
        .where('id', '<=', last)
        .orderBy('id')
        .execute();
      await done();
      return { lastId: last, changes: rows.flatMap(toChange) };
    };
  }
  return source;
}

/** SQLite: feed rows taken in are deleted once this many have been (one write per batch). */
const PRUNE_EVERY = 1_000;

interface Part {
  tenantId: string;
  ids: string[];
}

/**
 * A window of a full load's keyset pagination on a table's principal column: the principals after
 * `after` in order, at most `limit` rows; or every row of the principal `equals`. `tenantId`
 * narrows it to one tenant (where the table's index starts with the tenant).
 */
interface Window {
  after?: string;
  limit?: number;
  equals?: string;
  tenantId?: string;
}

const noRows = (): HoldingsRows => ({
  schedules: [],
  direct: [],
  memberships: [],
  accounts: [],
  resourceScopes: [],
  resourceRoles: [],
});

/**
 * Keyset pagination by principal: pages of at most `pageSize` rows in principal order, each
 * ending at a principal boundary. The key is not unique per row (a principal has several), so the
 * last principal of a full page is read whole by a second query and the next page starts after it;
 * with `unique` keys (one row per principal) that second read is not needed.
 */
async function* byPrincipal<R extends { principalId: string }>(
  pageSize: number,
  read: (w: Window) => Promise<R[]>,
  unique = false,
): AsyncGenerator<R[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await read({ ...(after === undefined ? {} : { after }), limit: pageSize });
    if (rows.length < pageSize) {
      if (rows.length > 0) yield rows;
      return;
    }
    const last = rows[rows.length - 1]!.principalId;
    if (unique) {
      yield rows;
    } else {
      const whole = rows.filter((r) => r.principalId !== last);
      for (const r of await read({ equals: last })) whole.push(r);
      yield whole;
    }
    after = last;
  }
}

async function schedules(k: Kysely<Database>, endedAfter: number, part?: Part, w?: Window) {
  let q = k
    .selectFrom('pim_schedules')
    .select([
      'id',
      'tenant_id',
      'principal_id',
      'role_definition_id',
      'directory_scope_id',
      'resource_type',
      'start_at',
      'end_at',
      'instance_id',
      'assignment_type',
      'member_type',
    ])
    .where('kind', '=', 'assignment')
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', endedAfter)]));
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('principal_id', 'in', part.ids);
  if (w?.tenantId !== undefined) q = q.where('tenant_id', '=', w.tenantId);
  if (w?.after !== undefined) q = q.where('principal_id', '>', w.after);
  if (w?.equals !== undefined) q = q.where('principal_id', '=', w.equals);
  if (w?.limit !== undefined) q = q.orderBy('principal_id').limit(w.limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    principalId: r.principal_id,
    roleDefinitionId: r.role_definition_id,
    directoryScopeId: r.directory_scope_id,
    resourceType: r.resource_type,
    start: codecs.time.decode(r.start_at),
    end: codecs.optionalTime.decode(r.end_at),
    instanceId: r.instance_id,
    assignmentType: r.assignment_type,
    memberType: r.member_type,
  }));
}

async function direct(k: Kysely<Database>, part?: Part, w?: Window) {
  let q = k
    .selectFrom('role_assignments')
    .select(['id', 'tenant_id', 'principal_id', 'role_definition_id', 'directory_scope_id']);
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('principal_id', 'in', part.ids);
  // Paged on the (principal, role) index, across tenants.
  if (w?.after !== undefined) q = q.where('principal_id', '>', w.after);
  if (w?.equals !== undefined) q = q.where('principal_id', '=', w.equals);
  if (w?.limit !== undefined) q = q.orderBy('principal_id').limit(w.limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    principalId: r.principal_id,
    roleDefinitionId: r.role_definition_id,
    directoryScopeId: r.directory_scope_id,
    id: r.id,
  }));
}

async function memberships(k: Kysely<Database>, part?: Part, w?: Window) {
  let q = k.selectFrom('group_members').select(['tenant_id', 'member_id', 'group_id']);
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('member_id', 'in', part.ids);
  // Paged on the member index, across tenants.
  if (w?.after !== undefined) q = q.where('member_id', '>', w.after);
  if (w?.equals !== undefined) q = q.where('member_id', '=', w.equals);
  if (w?.limit !== undefined) q = q.orderBy('member_id').limit(w.limit);
  const rows = await q.execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, principalId: r.member_id, groupId: r.group_id }));
}

async function accounts(k: Kysely<Database>, part?: Part) {
  return [...(await users(k, part)), ...(await servicePrincipals(k, part))];
}

/** Users (paged on the primary key, across tenants). */
async function users(k: Kysely<Database>, part?: Part, w?: Window): Promise<HoldingsRows['accounts']> {
  let q = k.selectFrom('users').select(['tenant_id', 'id', 'account_enabled']);
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('id', 'in', part.ids);
  if (w?.after !== undefined) q = q.where('id', '>', w.after);
  if (w?.equals !== undefined) q = q.where('id', '=', w.equals);
  if (w?.limit !== undefined) q = q.orderBy('id').limit(w.limit);
  return (await q.execute()).map((r) => ({
    tenantId: r.tenant_id,
    principalId: r.id,
    enabled: codecs.bool.decode(r.account_enabled),
    appPermissions: null,
  }));
}

/** Service principals (paged on the primary key, across tenants). */
async function servicePrincipals(
  k: Kysely<Database>,
  part?: Part,
  w?: Window,
): Promise<HoldingsRows['accounts']> {
  let q = k
    .selectFrom('service_principals')
    .select(['tenant_id', 'id', 'account_enabled', 'app_permissions']);
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('id', 'in', part.ids);
  if (w?.after !== undefined) q = q.where('id', '>', w.after);
  if (w?.equals !== undefined) q = q.where('id', '=', w.equals);
  if (w?.limit !== undefined) q = q.orderBy('id').limit(w.limit);
  return (await q.execute()).map((r) => ({
    tenantId: r.tenant_id,
    principalId: r.id,
    enabled: codecs.bool.decode(r.account_enabled),
    appPermissions: codecs.json.decode<string[]>(r.app_permissions),
  }));
}

/** Registered resource scopes (migration 0022), for `r` the named paths. */
async function resourceScopes(k: Kysely<Database>, part?: Part) {
  let q = k.selectFrom('resource_scopes').select(['tenant_id', 'id']);
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('id', 'in', part.ids);
  const rows = await q.execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}

/** Custom resource roles (migration 0022), for `p` the named ids. */
async function resourceRoles(k: Kysely<Database>, part?: Part) {
  let q = k.selectFrom('resource_role_definitions').selectAll();
  if (part) q = q.where('tenant_id', '=', part.tenantId).where('id', 'in', part.ids);
  return (await q.execute()).map(roleOf);
}

function toChange(r: { tenant_id: string; principal_id: string; source: string }): HoldingChange[] {
  return isHoldingSource(r.source)
    ? [{ tenantId: r.tenant_id, principalId: r.principal_id, source: r.source }]
    : [];
}

/**
 * What the unit of work does around a commit that recorded events, so that the use case returns
 * only once its own replica's index reflects what it wrote. PostgreSQL: read this transaction's
 * rows of the feed before commit, refresh them after. SQLite: catch up with the feed after commit
 * (one writer, so the feed's order is the commit order).
 */
export interface HoldingsCommitHook {
  beforeCommit(trx: Kysely<Database>): Promise<readonly HoldingChange[] | undefined>;
  afterCommit(changes: readonly HoldingChange[] | undefined): Promise<void>;
}

export function holdingsCommitHook(db: Db, index: HoldingsIndex): HoldingsCommitHook {
  if (db.dialect === 'sqlite') {
    return {
      beforeCommit: () => Promise.resolve(undefined),
      // Errors are the index's own (it stops answering and reports them); the commit stands.
      afterCommit: () => index.catchUp().catch(() => undefined),
    };
  }
  return {
    async beforeCommit(trx) {
      const rows = await trx
        .selectFrom('holding_changes')
        .select(['tenant_id', 'principal_id', 'source'])
        .distinct()
        .where('txid', '=', sql<number>`txid_current()`)
        .execute();
      return rows.flatMap(toChange);
    },
    async afterCommit(changes) {
      if (changes && changes.length > 0) await index.changed(changes).catch(() => undefined);
    },
  };
}

/** Deletes PostgreSQL feed rows older than `olderThanMs` by the database's clock (the periodic full check runs it). */
export async function pruneHoldingChanges(db: Db, olderThanMs: number): Promise<void> {
  if (db.dialect !== 'postgres') return;
  await db.kysely
    .deleteFrom('holding_changes')
    .where('at', '<', sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint - ${olderThanMs}`)
    .execute();
}
