import { ValidationError } from '../shared/errors.js';

/** Longest action or pattern accepted. */
export const MAX_ACTION_LENGTH = 256;

/**
 * A segment of an action: a provider namespace (`Microsoft.Compute`), a resource type, an operation
 * (`read`, `start/action`'s `start`), or the wildcard `*` standing alone for a whole segment.
 */
const SEGMENT = /^(\*|[A-Za-z0-9][A-Za-z0-9.\-_]{0,127})$/;

/** The same rule as one regex, for route schemas (the domain check gives the clearer message). */
export const ACTION_PATTERN_REGEX =
  '^(\\*|[A-Za-z0-9][A-Za-z0-9.\\-_]{0,127})(/(\\*|[A-Za-z0-9][A-Za-z0-9.\\-_]{0,127}))*$';

/**
 * Checks an RBAC action pattern as Azure role definitions write them: slash-separated segments,
 * each a name or `*` for a whole segment (e.g. `*`, `Microsoft.Compute/*`, and a `*` in the middle
 * as Contributor's `notActions` use it). A `*` inside a segment (`Microsoft.Comp*`), empty segments,
 * spaces and other characters are refused, so every stored pattern has one meaning (ADR 0029).
 * @throws ValidationError `InvalidActionPattern`
 */
export function checkActionPattern(pattern: string, field = 'actions'): string {
  const bad = (why: string) =>
    new ValidationError(
      `Invalid action '${pattern.slice(0, 80)}' in ${field}: ${why}.`,
      field,
      'InvalidActionPattern',
    );
  if (pattern.length === 0 || pattern.length > MAX_ACTION_LENGTH)
    throw bad(`it must be 1 to ${MAX_ACTION_LENGTH} characters`);
  for (const s of pattern.split('/')) {
    if (s === '') throw bad('empty segment');
    if (!SEGMENT.test(s))
      throw bad(
        s.includes('*')
          ? "'*' must stand alone for a whole segment"
          : `segment '${s.slice(0, 40)}' is not a name`,
      );
  }
  return pattern;
}

/** Checks a concrete action (no wildcard) asked about in an evaluation. */
export const isConcreteAction = (action: string): boolean =>
  action.length > 0 &&
  action.length <= MAX_ACTION_LENGTH &&
  action.split('/').every((s) => s !== '*' && SEGMENT.test(s));

const compiled = new Map<string, RegExp>();

/**
 * Whether a (checked) pattern covers an action, case-insensitively as Azure compares operations.
 * `*` stands for any text, across segments too: Reader's `*` + `/read` covers
 * `Microsoft.Compute/virtualMachines/read`; Contributor's `Microsoft.Authorization/` + `*` +
 * `/Write` covers `Microsoft.Authorization/roleAssignments/write`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.\\+?^${}()|[\]-]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    if (compiled.size < 10_000) compiled.set(pattern, re);
  }
  return re.test(action);
}

/**
 * Whether an allowed/denied pair grants an action: some allowed pattern covers it and no denied
 * one does (Azure's `actions` minus `notActions`; `notActions` is a subtraction, not a deny).
 * Returns the allowed pattern that grants, or null.
 */
export function grantingPattern(
  allowed: readonly string[],
  denied: readonly string[],
  action: string,
): string | null {
  if (denied.some((p) => actionMatches(p, action))) return null;
  return allowed.find((p) => actionMatches(p, action)) ?? null;
}

/**
 * An Entra directory permission pattern (`rolePermissions.allowedResourceActions`) as a glob:
 * Entra's own wildcards `allEntities`, `allProperties/allTasks` and a final `allTasks` stand for
 * any text, like `*` (which Entra also uses, as in Global Administrator's `microsoft.directory` + `/*` + `/allProperties/allTasks`).
 */
export function directoryPatternAsGlob(pattern: string): string {
  return pattern
    .replace(/\/allProperties\/allTasks$/i, '/*')
    .replace(/\/allTasks$/i, '/*')
    .replace(/(^|\/)allEntities(?=\/|$)/gi, '$1*');
}
