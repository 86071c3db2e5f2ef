import { ValidationError } from '../shared/errors.js';
import { isGuid } from '../shared/ids.js';

/** What {@link validateDirectoryScope} accepts, as a pattern for documents (OpenAPI). */
export const DIRECTORY_SCOPE_PATTERN =
  '^/(?:(?:administrativeUnits/)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$';

/** `/`, `/administrativeUnits/{guid}` or `/{guid}` (a directory object). */
export function validateDirectoryScope(scope: string): string {
  if (scope === '/') return scope;
  const au = /^\/administrativeUnits\/([0-9a-fA-F-]{36})$/.exec(scope);
  if (au?.[1] && isGuid(au[1])) return `/administrativeUnits/${au[1].toLowerCase()}`;
  const obj = /^\/([0-9a-fA-F-]{36})$/.exec(scope);
  if (obj?.[1] && isGuid(obj[1])) return `/${obj[1].toLowerCase()}`;
  throw new ValidationError(`Invalid directoryScopeId '${scope.slice(0, 100)}'.`, 'directoryScopeId');
}
