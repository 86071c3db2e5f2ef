import { childResourceType, isContainerScope } from '../../domain/resources/child-resources.js';
import { isWithin, parentOf } from '../../domain/resources/scope-path.js';
import type { Clock } from '../../domain/time/clock.js';
import { parseQueryOptions, type QueryOptions } from '../../odata/index.js';
import type { Caller } from '../authorization/caller.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { Stores, UnitOfWork } from '../ports.js';
import { resourceScopeFields } from './fields.js';

/** One child resource as ARM's `eligibleChildResources` lists it. */
export interface ChildResource {
  id: string;
  name: string;
  type: string;
}

const MAX = 999;
const ALL: QueryOptions = { expand: [], orderBy: [], top: MAX, skip: 0, count: false };

/**
 * ARM's `eligibleChildResources` (ADR 0034): the resources directly below a scope (skipping the
 * collection segments of Azure ids, so a subscription's children are its resource groups) at or
 * below which the caller is eligible now, in person or through a group it is a member of: all of
 * them when the eligibility is at the scope or above it, else the one on the way to it. It shows
 * only what the caller's own eligibilities reach, so it needs no read permission, and an unknown
 * scope is simply an empty list (its existence is not revealed).
 */
export function makeEligibleChildResources(deps: { uow: UnitOfWork; clock: Clock }) {
  return (caller: Caller, scope: string): Promise<ChildResource[]> => {
    const now = deps.clock.now();
    return deps.uow.run(async (tx) => {
      const groups = await memberGroupsAt(tx, caller.tenantId, caller.id, now);
      const eligible = await tx.schedules.instances(
        caller.tenantId,
        'eligibility',
        ALL,
        { principalIds: [caller.id, ...groups] },
        now,
        'resourceRole',
      );
      const scopes = new Set(eligible.items.map((i) => i.directoryScopeId));
      const out = new Map<string, ChildResource>();
      const add = async (path: string) => {
        const registered = await tx.resourceScopes.get(caller.tenantId, path);
        if (registered === undefined || out.has(path)) return;
        const name = path.slice(path.lastIndexOf('/') + 1);
        out.set(path, { id: path, name, type: childResourceType(path, registered.type) });
      };
      for (const at of scopes) {
        if (isWithin(scope, at)) {
          for (const child of await childrenOf(tx, caller.tenantId, scope)) await add(child);
        } else if (isWithin(at, scope)) {
          const child = childOnTheWay(scope, at);
          if (child !== null) await add(child);
        }
      }
      return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  };
}

/** The highest resource (not a container) strictly below `scope` on the way to `below`. */
function childOnTheWay(scope: string, below: string): string | null {
  let found: string | null = null;
  for (let p: string | null = below; p !== null && p !== scope; p = parentOf(p)) {
    if (!isContainerScope(p)) found = p;
  }
  return found;
}

/** The registered resources directly below a scope, looking through containers. */
async function childrenOf(tx: Stores, tenantId: string, scope: string): Promise<string[]> {
  const out: string[] = [];
  const queue = [scope];
  while (queue.length > 0 && out.length < MAX) {
    const parent = queue.shift()!;
    const q = parseQueryOptions(
      { $filter: `parentId eq '${parent.replaceAll("'", "''")}'`, $top: String(MAX) },
      { fields: resourceScopeFields },
    );
    for (const s of (await tx.resourceScopes.list(tenantId, q)).items) {
      if (isContainerScope(s.id)) queue.push(s.id);
      else out.push(s.id);
    }
  }
  return out;
}
