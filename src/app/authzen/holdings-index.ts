import { findBuiltInResourceRole } from '../../domain/resources/built-in-resource-roles.js';
import type { ResourceRoleDefinition } from '../../domain/resources/resource-role.js';
import { isGuid } from '../../domain/shared/ids.js';
import type { Clock } from '../../domain/time/clock.js';
import type {
  Account,
  HoldAnswer,
  HoldingsLookup,
  HoldQuestion,
  ResourcePermissionQuestion,
} from './holdings.js';
import { resourcePermissionFromIndex } from './holdings-permission.js';
import type { PermissionAnswer } from './resource-grant.js';

/**
 * What a principal's holdings are made of, one letter per part, as the change feed names them:
 * assignment schedules (`s`), direct role assignments (`d`), standing group memberships (`m`),
 * the account (`a`: whether it exists and is enabled; an application's permissions). Two more
 * name a tenant's resource catalogue rather than a principal (migration 0031): a registered
 * resource scope (`r`) and a custom resource role's permissions (`p`); their feed rows carry the
 * scope path or the role id where the others carry a principal id.
 */
export type HoldingSource = 's' | 'd' | 'm' | 'a' | 'r' | 'p';
export const HOLDING_SOURCES: readonly HoldingSource[] = ['s', 'd', 'm', 'a', 'r', 'p'];

/** One principal (or catalogue entry, for `r` and `p`) a committed write touched (a row of the change feed). */
export interface HoldingChange {
  tenantId: string;
  /** The principal; for `r` the scope path, for `p` the resource role's id. */
  principalId: string;
  source: HoldingSource;
}

/** Whether a feed row's letter is one this index knows. */
export const isHoldingSource = (s: string | undefined): s is HoldingSource =>
  (HOLDING_SOURCES as readonly (string | undefined)[]).includes(s);

/** An assignment schedule as the index keeps it (a directory role, or a PIM for Groups access). */
export interface HeldSchedule {
  /** The schedule's id (a resource-role grant names it). */
  id: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  resourceType: string;
  start: number;
  end: number | null;
  instanceId: string;
  assignmentType: string | null;
  memberType: string;
}

/** A standing (direct) role assignment. */
export interface DirectHolding {
  roleDefinitionId: string;
  directoryScopeId: string;
  id: string;
}

/** Rows of the database, as the source reads them for some or all principals. */
export interface HoldingsRows {
  schedules: (HeldSchedule & { tenantId: string; principalId: string })[];
  direct: (DirectHolding & { tenantId: string; principalId: string })[];
  memberships: { tenantId: string; principalId: string; groupId: string }[];
  /** Every user and service principal (`appPermissions` null for users). */
  accounts: { tenantId: string; principalId: string; enabled: boolean; appPermissions: string[] | null }[];
  /** Registered resource scopes (the root `/` is implied, never stored). */
  resourceScopes: { tenantId: string; id: string }[];
  /** A tenant's custom resource roles (Azure's built-ins live in code). */
  resourceRoles: ResourceRoleDefinition[];
}

/**
 * Where the index reads from (the store implements it). Assignment schedules are read only if they
 * have not ended before `endedAfter`: older history can never hold again while the clock moves
 * forward, and keeping it would make memory grow with time.
 */
export interface HoldingsSource {
  /**
   * Everything, for a full load, in pages of at most about `pageSize` rows each (keyset pagination
   * by tenant and principal): the index builds its new maps page by page, so no more than a page
   * of rows is ever materialised at once. A page may be larger when one principal alone has more
   * rows than `pageSize` (its rows are never split between pages).
   */
  loadPages(endedAfter: number, pageSize: number): AsyncIterable<HoldingsRows>;
  /** The given parts of the given principals (a part with no rows comes back empty). */
  load(changes: readonly HoldingChange[], endedAfter: number): Promise<HoldingsRows>;
  /**
   * SQLite: the change feed after `afterId` in commit order, and the last id. Undefined on
   * PostgreSQL, where changes arrive by notification and from each transaction itself.
   */
  changesAfter?(
    afterId: number,
    atMost: number,
  ): Promise<{ lastId: number; changes: HoldingChange[] } | { lastId: number; tooMany: true }>;
  /** The feed's last id (SQLite), read before a full load. */
  lastChangeId?(): Promise<number>;
}

/** What the index holds and how big it is (the health endpoint and the start log show it). */
export interface HoldingsStats {
  ready: boolean;
  /** Why it is not ready, when it is not. */
  reason: string | null;
  principals: number;
  schedules: number;
  directAssignments: number;
  memberships: number;
  /** Registered resource scopes and custom resource roles (the catalogue of resource permissions). */
  resourceScopes: number;
  resourceRoles: number;
  /** Users and service principals known (all of them). */
  accounts: number;
  disabled: number;
  entries: number;
  maxEntries: number;
  /** A conservative estimate of the memory the index holds (bytes). */
  approxBytes: number;
  lastFullLoadAt: number | null;
  lastFullLoadMs: number | null;
  fullLoads: number;
  refreshes: number;
}

/** A tenant's resource catalogue: what permission questions on resources read besides holdings. */
export interface Catalogue {
  scopes: Set<string>;
  roles: Map<string, ResourceRoleDefinition>;
}

export interface Holdings {
  schedules: HeldSchedule[];
  direct: DirectHolding[];
  groups: string[];
  /** Undefined for a group (or an id that is no user or service principal). */
  account: Account | undefined;
}

/** Ended schedules kept this long (a clock set back within it still sees them). */
export const ENDED_KEPT_MS = 24 * 3_600_000;
/** Default bound: entries beyond it make the index give up (answers come from the database). */
export const DEFAULT_MAX_HOLDINGS_ENTRIES = 1_000_000;
/** A catch-up touching more principals than this is done as a full load instead. */
const FULL_LOAD_THRESHOLD = 5_000;
/** Default rows per page of a full load (ADR 0054): small enough to stay out of the RSS. */
export const DEFAULT_LOAD_PAGE_SIZE = 2_000;
/**
 * A full load takes in what committed while its pages were read before its maps answer; it does
 * so this many times at most (each round is shorter than the last) before it hands what is still
 * left to the next refresh, so that a steady stream of writes cannot hold a load back forever.
 */
const LOAD_CATCH_UP_ROUNDS = 10;
/** Measured bytes per entry (V8, Node 20: object, strings, arrays, map slot), rounded up. */
const BYTES_PER_ENTRY = 320;

const keyOf = (tenantId: string, principalId: string) => `${tenantId} ${principalId}`;
/** Resolves after the event loop has polled for I/O (timers and requests waiting go first). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/**
 * Most principals hold nothing but their account (100,000 of 100,003 in the bench's data set), so
 * a principal's lists start as these shared empty arrays and get their own only when something is
 * added (`add`): three arrays less per account-only principal.
 */
const NO_SCHEDULES: HeldSchedule[] = Object.freeze([]) as unknown as HeldSchedule[];
const NO_DIRECT: DirectHolding[] = Object.freeze([]) as unknown as DirectHolding[];
const NO_GROUPS: string[] = Object.freeze([]) as unknown as string[];
const empty = (): Holdings => ({
  schedules: NO_SCHEDULES,
  direct: NO_DIRECT,
  groups: NO_GROUPS,
  account: undefined,
});
/** Appends to a principal's list, replacing a shared empty one with its own. */
const add = <T>(list: T[], item: T): T[] => {
  if (Object.isFrozen(list)) return [item];
  list.push(item);
  return list;
};
const NO_PERMISSIONS: readonly string[] = Object.freeze([]);

export interface HoldingsIndex extends HoldingsLookup {
  resourcePermission(q: ResourcePermissionQuestion, now: number): PermissionAnswer | undefined;
  /** Replaces everything with a fresh read (start, periodic full check, after a lost listener). */
  reload(): Promise<void>;
  /**
   * Re-reads the parts these changes name; resolves when the index reflects them, or at once
   * while the index does not answer: every answer is then read from the database, which has them
   * already, and the index answers again only after a full load, which takes them in first.
   */
  changed(changes: readonly HoldingChange[]): Promise<void>;
  /** SQLite: applies the change feed up to its end; resolves as `changed` does. */
  catchUp(): Promise<void>;
  /**
   * Resolves when the first full load ended (loaded, over its bound or failed; never rejects).
   * The server does not wait for it (ADR 0054); tests and benches that need answers from memory do.
   */
  loaded(): Promise<void>;
  /** Stops a full load between two pages and refreshes from then on; resolves when none runs. */
  close(): Promise<void>;
  /**
   * Stops answering (callers fall back to the database) while something that keeps it current is
   * missing, e.g. the notification connection; loads go on but do not make it answer again.
   */
  suspend(reason: string): void;
  /** Ends a suspension and reloads everything; resolves when loaded. */
  resume(): Promise<void>;
  stats(): HoldingsStats;
}

/**
 * The in-memory index of what each principal may hold: assignment schedules with their
 * `[start, end)`, direct role assignments, standing group memberships and disabled accounts. It
 * stores facts, never decisions: every answer compares `start <= now < end` with the clock of the
 * request, so an instance that ended is never allowed, whether or not the sweeper recorded it.
 *
 * Refreshes (full or per principal) run one at a time, in the order they were asked for, so a
 * slower older read never overwrites a newer one. A failed refresh makes the index stop answering
 * until a full load succeeds: the evaluation then reads the database, which is slower but exact.
 */
export function makeHoldingsIndex(deps: {
  source: HoldingsSource;
  clock: Clock;
  maxEntries?: number;
  /** Rows per page of a full load (default `DEFAULT_LOAD_PAGE_SIZE`). */
  pageSize?: number;
  onError?: (err: unknown) => void;
}): HoldingsIndex {
  const maxEntries = deps.maxEntries ?? DEFAULT_MAX_HOLDINGS_ENTRIES;
  const pageSize = deps.pageSize ?? DEFAULT_LOAD_PAGE_SIZE;
  let byPrincipal = new Map<string, Holdings>();
  let catalogues = new Map<string, Catalogue>();
  let ready = false;
  let reason: string | null = 'not loaded yet';
  let suspended: string | null = null;
  let entries = 0;
  let lastChangeId = 0;
  // One copy of each repeated string (role and group ids, scopes, types); rebuilt by full loads.
  let strings = new Map<string, string>();
  // One copy of each distinct account (kind, enabled, permissions); rebuilt by full loads too.
  let accounts = new Map<string, Account>();
  const counters = {
    lastFullLoadAt: null as number | null,
    lastFullLoadMs: null as number | null,
    fullLoads: 0,
    refreshes: 0,
  };

  // The queue: what the next drain must do, and the promise of that drain.
  let wantFull = false;
  let wantCatchUp = false;
  let pending = new Map<string, HoldingChange>();
  let tail: Promise<void> = Promise.resolve();
  let next: Promise<void> | undefined;
  // Stops a full load (and every refresh) at its next await: the server is closing.
  let closed = false;
  let firstLoadEnded!: () => void;
  const firstLoad = new Promise<void>((resolve) => (firstLoadEnded = resolve));

  function schedule(): Promise<void> {
    if (next) return next;
    const run = tail.then(async () => {
      next = undefined;
      await drain();
    });
    next = run;
    tail = run.catch(() => undefined);
    return run;
  }

  async function drain(): Promise<void> {
    const full = wantFull;
    const catchUp = wantCatchUp;
    const changes = pending;
    wantFull = false;
    wantCatchUp = false;
    pending = new Map();
    if (closed) return;
    try {
      if (full || (!ready && reason !== 'over its memory bound')) {
        await loadEverything();
        return;
      }
      if (catchUp && deps.source.changesAfter) {
        const feed = await deps.source.changesAfter(lastChangeId, FULL_LOAD_THRESHOLD);
        if ('tooMany' in feed) {
          // A bulk write: a full load reads everything anyway, so the feed's rows are not read.
          await loadEverything();
          return;
        }
        lastChangeId = feed.lastId;
        for (const c of feed.changes) changes.set(`${keyOf(c.tenantId, c.principalId)} ${c.source}`, c);
      }
      if (changes.size === 0) return;
      if (changes.size > FULL_LOAD_THRESHOLD) {
        await loadEverything();
        return;
      }
      const list = [...changes.values()];
      const rows = await deps.source.load(list, deps.clock.now() - ENDED_KEPT_MS);
      entries += apply(byPrincipal, list, rows, strings, accounts);
      entries += applyCatalogue(catalogues, list, rows);
      counters.refreshes += 1;
      if (entries > maxEntries) overflow();
    } catch (err) {
      ready = false;
      reason = 'a refresh failed; the next full check reloads';
      deps.onError?.(err);
      throw err;
    }
  }

  /**
   * Reads everything into new maps, page by page, then takes in what committed meanwhile, and only
   * then lets the new maps answer (readers see the old maps, or the database, until that moment).
   * What commits while a page is read is never lost: on SQLite it is in the change feed after the
   * id read before the first page; on PostgreSQL it arrives (notification or own commit) as a
   * pending change. Either way it is re-read here, after the pages, before the swap.
   */
  async function loadEverything(): Promise<void> {
    const started = performance.now();
    try {
      let last = deps.source.lastChangeId ? await deps.source.lastChangeId() : 0;
      const endedAfter = deps.clock.now() - ENDED_KEPT_MS;
      const fresh = new Map<string, Holdings>();
      const freshCatalogues = new Map<string, Catalogue>();
      const freshStrings = new Map<string, string>();
      const freshAccounts = new Map<string, Account>();
      let count = 0;
      for await (const page of deps.source.loadPages(endedAfter, pageSize)) {
        if (closed) return;
        count += apply(fresh, [], page, freshStrings, freshAccounts);
        count += applyCatalogue(freshCatalogues, [], page);
        if (count > maxEntries) break;
        // Between pages the server serves requests: SQLite's driver answers synchronously, so
        // without a turn of the event loop the whole load would run as one task.
        await nextTurn();
      }
      if (count > maxEntries) {
        counters.fullLoads += 1;
        entries = count;
        overflow();
        return;
      }
      for (let round = 0; round < LOAD_CATCH_UP_ROUNDS; round += 1) {
        const changes = pending;
        pending = new Map();
        if (deps.source.changesAfter) {
          wantCatchUp = false;
          const feed = await deps.source.changesAfter(last, FULL_LOAD_THRESHOLD);
          if ('tooMany' in feed) {
            // A bulk write during the load: these maps are stale already; read everything again.
            for (const c of changes.values())
              pending.set(`${keyOf(c.tenantId, c.principalId)} ${c.source}`, c);
            return await loadEverything();
          }
          last = feed.lastId;
          for (const c of feed.changes) changes.set(`${keyOf(c.tenantId, c.principalId)} ${c.source}`, c);
        }
        if (closed) return;
        if (changes.size === 0) break;
        const list = [...changes.values()];
        const rows = await deps.source.load(list, endedAfter);
        count += apply(fresh, list, rows, freshStrings, freshAccounts);
        count += applyCatalogue(freshCatalogues, list, rows);
        // Rounds left over (a steady stream of writes): the next drain reads the rest of the feed.
        if (round === LOAD_CATCH_UP_ROUNDS - 1 && deps.source.changesAfter) wantCatchUp = true;
      }
      // Kept along the way for the bound; recounted once, exactly, for the stats.
      count = countEntries(fresh) + countCatalogue(freshCatalogues);
      lastChangeId = last;
      counters.fullLoads += 1;
      counters.lastFullLoadAt = deps.clock.now();
      counters.lastFullLoadMs = Math.round(performance.now() - started);
      if (count > maxEntries) {
        entries = count;
        overflow();
        return;
      }
      byPrincipal = fresh;
      catalogues = freshCatalogues;
      strings = freshStrings;
      accounts = freshAccounts;
      entries = count;
      ready = true;
      reason = null;
    } finally {
      firstLoadEnded();
    }
  }

  /**
   * What `changed` and `catchUp` return: the drain that takes the changes in; or, while the index
   * does not answer, nothing to wait for: answers come from the database, which has the changes,
   * and the index answers again only after a full load, which takes them in before it does.
   */
  function queued(): Promise<void> {
    const run = schedule();
    if (!ready) {
      run.catch(() => undefined);
      return Promise.resolve();
    }
    return run;
  }

  function overflow(): void {
    byPrincipal = new Map();
    catalogues = new Map();
    ready = false;
    reason = 'over its memory bound';
    deps.onError?.(
      new Error(
        `holdings index: ${entries} entries exceed the bound of ${maxEntries}; AuthZEN answers from the database`,
      ),
    );
  }

  return {
    hold(q: HoldQuestion, now: number): HoldAnswer | undefined {
      if (!ready || suspended !== null) return undefined;
      return holdFromIndex(byPrincipal, q, now);
    },
    resourcePermission(q: ResourcePermissionQuestion, now: number): PermissionAnswer | undefined {
      if (!ready || suspended !== null) return undefined;
      return resourcePermissionFromIndex(byPrincipal, catalogues.get(q.tenantId), q, now);
    },
    account(tenantId: string, principalId: string): Account | null | undefined {
      if (!ready || suspended !== null) return undefined;
      return byPrincipal.get(keyOf(tenantId, principalId))?.account ?? null;
    },
    reload() {
      wantFull = true;
      return schedule();
    },
    changed(changes) {
      for (const c of changes) pending.set(`${keyOf(c.tenantId, c.principalId)} ${c.source}`, c);
      return queued();
    },
    catchUp() {
      wantCatchUp = true;
      return queued();
    },
    loaded() {
      return firstLoad;
    },
    async close() {
      closed = true;
      firstLoadEnded();
      await tail;
    },
    suspend(why) {
      suspended = why;
    },
    resume() {
      suspended = null;
      wantFull = true;
      return schedule();
    },
    stats() {
      let schedules = 0;
      let direct = 0;
      let memberships = 0;
      let disabled = 0;
      let accounts = 0;
      for (const h of byPrincipal.values()) {
        schedules += h.schedules.length;
        direct += h.direct.length;
        memberships += h.groups.length;
        if (h.account) accounts += 1;
        if (h.account?.enabled === false) disabled += 1;
      }
      let resourceScopes = 0;
      let resourceRoles = 0;
      for (const c of catalogues.values()) {
        resourceScopes += c.scopes.size;
        resourceRoles += c.roles.size;
      }
      return {
        ready: ready && suspended === null,
        reason: suspended ?? reason,
        principals: byPrincipal.size,
        schedules,
        directAssignments: direct,
        memberships,
        resourceScopes,
        resourceRoles,
        accounts,
        disabled,
        entries,
        maxEntries,
        approxBytes: entries * BYTES_PER_ENTRY,
        ...counters,
      };
    },
  };
}

/**
 * Replaces the named parts of the named principals (all parts of all principals when `parts` is
 * empty, into an empty map). Returns the change in the number of entries.
 */
function apply(
  map: Map<string, Holdings>,
  parts: readonly HoldingChange[],
  rows: HoldingsRows,
  strings: Map<string, string>,
  accounts: Map<string, Account>,
): number {
  const one = (v: string): string => {
    const known = strings.get(v);
    if (known !== undefined) return known;
    strings.set(v, v);
    return v;
  };
  const touched = new Set<string>();
  let before = 0;
  const touch = (k: string) => {
    if (touched.has(k)) return;
    touched.add(k);
    before += sizeOf(map.get(k));
  };
  for (const c of parts) {
    if (c.source === 'r' || c.source === 'p') continue;
    const k = keyOf(c.tenantId, c.principalId);
    touch(k);
    const h = map.get(k);
    if (!h) continue;
    if (c.source === 's') h.schedules = NO_SCHEDULES;
    else if (c.source === 'd') h.direct = NO_DIRECT;
    else if (c.source === 'm') h.groups = NO_GROUPS;
    else h.account = undefined;
  }
  const at = (tenantId: string, principalId: string) => {
    const k = keyOf(tenantId, principalId);
    touch(k);
    let h = map.get(k);
    if (!h) {
      h = empty();
      map.set(k, h);
    }
    return h;
  };
  for (const r of rows.schedules) {
    const h = at(r.tenantId, r.principalId);
    h.schedules = add(h.schedules, {
      id: r.id,
      roleDefinitionId: one(r.roleDefinitionId),
      directoryScopeId: one(r.directoryScopeId),
      resourceType: one(r.resourceType),
      start: r.start,
      end: r.end,
      instanceId: r.instanceId,
      assignmentType: r.assignmentType === null ? null : one(r.assignmentType),
      memberType: one(r.memberType),
    });
  }
  for (const r of rows.direct) {
    const h = at(r.tenantId, r.principalId);
    h.direct = add(h.direct, {
      roleDefinitionId: one(r.roleDefinitionId),
      directoryScopeId: one(r.directoryScopeId),
      id: r.id,
    });
  }
  for (const r of rows.memberships) {
    const h = at(r.tenantId, r.principalId);
    h.groups = add(h.groups, one(r.groupId));
  }
  for (const r of rows.accounts) {
    at(r.tenantId, r.principalId).account = sharedAccount(
      accounts,
      r.appPermissions === null ? 'user' : 'servicePrincipal',
      r.enabled,
      r.appPermissions === null || r.appPermissions.length === 0 ? NO_PERMISSIONS : r.appPermissions.map(one),
    );
  }
  // Principals left with nothing are dropped, so memory follows what is held.
  let after = 0;
  for (const k of touched) {
    const h = map.get(k);
    if (h && !h.account && h.schedules.length === 0 && h.direct.length === 0 && h.groups.length === 0) {
      map.delete(k);
      continue;
    }
    after += sizeOf(h);
  }
  return after - before;
}

/**
 * One frozen `Account` per kind, state and set of permissions, shared by every principal that has
 * them (a few distinct ones among 100,000 accounts): the index hands accounts out read-only.
 */
function sharedAccount(
  accounts: Map<string, Account>,
  kind: Account['kind'],
  enabled: boolean,
  appPermissions: readonly string[],
): Account {
  const key = JSON.stringify([kind, enabled, appPermissions]);
  let a = accounts.get(key);
  if (!a) {
    a = Object.freeze({ kind, enabled, appPermissions: Object.freeze(appPermissions) });
    accounts.set(key, a);
  }
  return a;
}

const sizeOf = (h: Holdings | undefined): number =>
  h === undefined ? 0 : 1 + h.schedules.length + h.direct.length + h.groups.length;

function countEntries(map: Map<string, Holdings>): number {
  let n = 0;
  for (const h of map.values()) n += sizeOf(h);
  return n;
}

/**
 * Replaces the named scopes and roles of the tenants' catalogues (everything when `parts` is
 * empty, into an empty map). Returns the change in the number of entries (one per scope or role).
 */
function applyCatalogue(
  map: Map<string, Catalogue>,
  parts: readonly HoldingChange[],
  rows: HoldingsRows,
): number {
  let delta = 0;
  const of = (tenantId: string) => {
    let c = map.get(tenantId);
    if (!c) {
      c = { scopes: new Set(), roles: new Map() };
      map.set(tenantId, c);
    }
    return c;
  };
  for (const p of parts) {
    const c = map.get(p.tenantId);
    if (!c) continue;
    if (p.source === 'r' && c.scopes.delete(p.principalId)) delta -= 1;
    if (p.source === 'p' && c.roles.delete(p.principalId)) delta -= 1;
  }
  for (const r of rows.resourceScopes) {
    const c = of(r.tenantId);
    if (!c.scopes.has(r.id)) delta += 1;
    c.scopes.add(r.id);
  }
  for (const r of rows.resourceRoles) {
    if (r.tenantId === null) continue;
    const c = of(r.tenantId);
    if (!c.roles.has(r.id)) delta += 1;
    c.roles.set(r.id, r);
  }
  return delta;
}

function countCatalogue(map: Map<string, Catalogue>): number {
  let n = 0;
  for (const c of map.values()) n += c.scopes.size + c.roles.size;
  return n;
}

/** A resource role by (lower-case) id: Azure's built-ins first, then the tenant's custom roles. */
export function catalogueRole(c: Catalogue | undefined, id: string): ResourceRoleDefinition | undefined {
  if (!isGuid(id)) return undefined;
  return findBuiltInResourceRole(id) ?? c?.roles.get(id.toLowerCase());
}

export const holdsAt = (s: HeldSchedule, now: number) => s.start <= now && (s.end === null || now < s.end);

/**
 * The decision, from the index, exactly as `holdFromDatabase` makes it: a disabled subject holds
 * nothing; its groups at `now` are its standing memberships and the groups whose PIM `member`
 * access it holds at `now`; a direct assignment of the role at the scope (to the subject or one of
 * those groups) comes first, else the holding schedule that ends last (a permanent one first).
 */
export function holdFromIndex(map: ReadonlyMap<string, Holdings>, q: HoldQuestion, now: number): HoldAnswer {
  const subject = map.get(keyOf(q.tenantId, q.subjectId));
  if (!subject) return { held: false, reason: 'not_active' };
  if (subject.account?.enabled === false) return { held: false, reason: 'subject_disabled' };
  const holders = holdersAt(map, q.tenantId, q.subjectId, subject, now).map((h) => h.holdings);
  for (const h of holders) {
    for (const d of h.direct) {
      if (d.roleDefinitionId === q.roleDefinitionId && d.directoryScopeId === q.directoryScopeId) {
        return {
          held: true,
          instance: { id: d.id, assignmentType: 'Assigned', memberType: 'Direct', endDateTime: null },
        };
      }
    }
  }
  let best: HeldSchedule | undefined;
  for (const h of holders) {
    for (const s of h.schedules) {
      // Directory roles only: a resource role (ADR 0029) held at the root `/` is not one of them.
      if (s.resourceType !== 'directoryRole') continue;
      if (s.roleDefinitionId !== q.roleDefinitionId || s.directoryScopeId !== q.directoryScopeId) continue;
      if (!holdsAt(s, now)) continue;
      if (!best || endsLater(s, best)) best = s;
    }
  }
  if (!best) return { held: false, reason: 'not_active' };
  return {
    held: true,
    instance: {
      id: best.instanceId,
      assignmentType: best.assignmentType,
      memberType: best.memberType,
      endDateTime: best.end,
    },
  };
}

/**
 * The subject and the groups it is a member of at `now` (as `memberGroupsAt` reads them): its
 * standing memberships and the groups whose PIM `member` access it holds at `now`. Groups that
 * hold nothing are not in the map and are left out (they could grant nothing).
 */
export function holdersAt(
  map: ReadonlyMap<string, Holdings>,
  tenantId: string,
  subjectId: string,
  subject: Holdings,
  now: number,
): { id: string; holdings: Holdings }[] {
  const holders = [{ id: subjectId, holdings: subject }];
  const seen = new Set<string>();
  const addGroup = (groupId: string) => {
    if (seen.has(groupId) || groupId === subjectId) return;
    seen.add(groupId);
    const g = map.get(keyOf(tenantId, groupId));
    if (g) holders.push({ id: groupId, holdings: g });
  };
  for (const g of subject.groups) addGroup(g);
  for (const s of subject.schedules) {
    if (s.resourceType === 'group' && s.roleDefinitionId === 'member' && holdsAt(s, now))
      addGroup(s.directoryScopeId);
  }
  return holders;
}

export const keyOfPrincipal = keyOf;

const endsLater = (a: HeldSchedule, b: HeldSchedule) => b.end !== null && (a.end === null || a.end > b.end);
