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
  /** Everything, for a full load. */
  loadAll(endedAfter: number): Promise<HoldingsRows>;
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
/** Measured bytes per entry (V8, Node 20: object, strings, arrays, map slot), rounded up. */
const BYTES_PER_ENTRY = 320;

const keyOf = (tenantId: string, principalId: string) => `${tenantId} ${principalId}`;
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
  /** Re-reads the parts these changes name; resolves when the index reflects them. */
  changed(changes: readonly HoldingChange[]): Promise<void>;
  /** SQLite: applies the change feed up to its end; resolves when the index reflects it. */
  catchUp(): Promise<void>;
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
  onError?: (err: unknown) => void;
}): HoldingsIndex {
  const maxEntries = deps.maxEntries ?? DEFAULT_MAX_HOLDINGS_ENTRIES;
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

  async function loadEverything(): Promise<void> {
    const started = performance.now();
    const last = deps.source.lastChangeId ? await deps.source.lastChangeId() : 0;
    const rows = await deps.source.loadAll(deps.clock.now() - ENDED_KEPT_MS);
    const fresh = new Map<string, Holdings>();
    const freshCatalogues = new Map<string, Catalogue>();
    strings = new Map();
    accounts = new Map();
    apply(fresh, [], rows, strings, accounts);
    applyCatalogue(freshCatalogues, [], rows);
    const count = countEntries(fresh) + countCatalogue(freshCatalogues);
    lastChangeId = last;
    counters.fullLoads += 1;
    counters.lastFullLoadAt = deps.clock.now();
    counters.lastFullLoadMs = Math.round(performance.now() - started);
    if (count > maxEntries) {
      byPrincipal = new Map();
      catalogues = new Map();
      entries = count;
      overflow();
      return;
    }
    byPrincipal = fresh;
    catalogues = freshCatalogues;
    entries = count;
    ready = true;
    reason = null;
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
      return schedule();
    },
    catchUp() {
      wantCatchUp = true;
      return schedule();
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
