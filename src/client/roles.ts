import { ClientError, EXIT } from './exit-codes.js';
import type { Graph } from './graph.js';
import { query } from './graph.js';
import { closest } from './suggest.js';

export const DIRECTORY = '/v1.0/roleManagement/directory';

/** A role as the CLI names it. */
export interface RoleRef {
  id: string;
  displayName: string;
}

/** An eligibility or assignment instance, with its role expanded. */
export interface Instance {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
  memberType: string;
  assignmentType?: string;
  roleDefinition?: { id: string; displayName: string } | null;
}

/**
 * The caller's own instances of one kind: `filterByCurrentUser(on='principal')` for a person, the
 * `principalId eq` filter for an application (the function answers people only).
 */
export function myInstances(graph: Graph, kind: 'eligibility' | 'assignment'): Promise<Instance[]> {
  const set = kind === 'eligibility' ? 'roleEligibilityScheduleInstances' : 'roleAssignmentScheduleInstances';
  const what = kind === 'eligibility' ? 'list eligible roles' : 'list active roles';
  if (graph.kind === 'user') {
    return graph.list(
      `${DIRECTORY}/${set}/filterByCurrentUser(on='principal')${query({ $expand: 'roleDefinition' })}`,
      what,
    );
  }
  return graph.list(
    `${DIRECTORY}/${set}${query({ $filter: `principalId eq '${graph.callerId()}'`, $expand: 'roleDefinition' })}`,
    what,
  );
}

export const roleNameOf = (i: Pick<Instance, 'roleDefinition' | 'roleDefinitionId'>): string =>
  i.roleDefinition?.displayName ?? i.roleDefinitionId;

/**
 * Picks what `typed` names: an id, or a display name in any case. A miss fails with "not found"
 * and the closest names (Levenshtein) as suggestions.
 * @param kindText what the list holds, for the message ("eligible role").
 */
export function pick<T extends RoleRef>(typed: string, candidates: readonly T[], kindText: string): T[] {
  const t = typed.trim().toLowerCase();
  const hits = candidates.filter((c) => c.id.toLowerCase() === t || c.displayName.toLowerCase() === t);
  if (hits.length > 0) return hits;
  const names = [...new Set(candidates.map((c) => c.displayName))];
  const near = closest(typed, names);
  const hint = near.length
    ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
    : names.length
      ? ''
      : ` (you have none)`;
  throw new ClientError(`no ${kindText} "${typed}"${hint}`, EXIT.notFound);
}

/** The instance of the role at the scope asked for, or at the tenant root, else the only one. */
export function atScope<T extends Pick<Instance, 'directoryScopeId'>>(
  hits: readonly T[],
  scope: string | undefined,
  typed: string,
): T {
  const wanted = scope ?? '/';
  const found =
    hits.find((h) => (h.directoryScopeId ?? '/') === wanted) ??
    (scope === undefined && hits.length === 1 ? hits[0] : undefined);
  if (!found) {
    const scopes = hits.map((h) => h.directoryScopeId ?? '/').join(', ');
    throw new ClientError(
      `"${typed}" is not held at scope ${wanted} (held at: ${scopes}); pass --scope`,
      EXIT.notFound,
    );
  }
  return found;
}

/**
 * The caller's own eligible (or activated) instance that `typed` names, at the asked scope.
 * @throws ClientError (not found) with suggestions on a miss.
 */
export async function heldInstance(
  graph: Graph,
  typed: string,
  scope: string | undefined,
  kind: 'eligibility' | 'assignment',
): Promise<Instance> {
  const instances = await myInstances(graph, kind);
  const candidates = (
    kind === 'assignment' ? instances.filter((i) => i.assignmentType === 'Activated') : instances
  ).map((i) => ({ ...i, id: i.roleDefinitionId, displayName: roleNameOf(i) }));
  const hits = pick(typed, candidates, kind === 'eligibility' ? 'eligible role' : 'active role');
  return atScope(hits, scope, typed);
}

/** Every role definition (administrators' commands; people without read rights get 403). */
export async function allRoles(graph: Graph): Promise<RoleRef[]> {
  const roles = await graph.list<RoleRef>(
    `${DIRECTORY}/roleDefinitions${query({ $select: 'id,displayName' })}`,
    'list role definitions',
  );
  return roles;
}

/** One role definition named by id or display name. */
export async function resolveRole(graph: Graph, typed: string): Promise<RoleRef> {
  const [hit] = pick(typed, await allRoles(graph), 'role');
  return hit as RoleRef;
}
