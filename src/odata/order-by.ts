import { resolveField, type FieldMap } from './field-map.js';
import { echo, ODataError } from './odata-error.js';

export type SortDirection = 'asc' | 'desc';

/** One `$orderby` item, resolved to the column it sorts by. */
export interface OrderByItem {
  field: string;
  column: string;
  direction: SortDirection;
}

/** Most `$orderby` items accepted. */
export const MAX_ORDER_BY_ITEMS = 16;

/**
 * `$orderby` as a list of sortable columns. Property names resolve case-insensitively; direction
 * defaults to ascending.
 * @throws ODataError('invalidOrderBy') for bad syntax, unknown or unsortable properties, repeats.
 */
export function parseOrderBy(text: string, fields: FieldMap): OrderByItem[] {
  const invalid = (problem: string): ODataError =>
    new ODataError('invalidOrderBy', `Invalid $orderby: ${problem}`, '$orderby');
  const items = text.split(',').map((item) => item.trim());
  if (items.length > MAX_ORDER_BY_ITEMS) throw invalid(`at most ${MAX_ORDER_BY_ITEMS} properties`);
  const seen = new Set<string>();
  return items.map((item) => {
    const [name = '', direction = 'asc', ...rest] = item.split(/\s+/);
    if (name === '' || rest.length > 0 || !/^(asc|desc)$/i.test(direction))
      throw invalid(`cannot read ${echo(item)}`);
    const field = resolveField(fields, name);
    if (!field) throw invalid(`could not find a property named ${echo(name)}`);
    if (field.spec.sortable === false) throw invalid(`property ${echo(field.name)} cannot be sorted on`);
    if (seen.has(field.name)) throw invalid(`property ${echo(field.name)} appears twice`);
    seen.add(field.name);
    return {
      field: field.name,
      column: field.spec.column,
      direction: direction.toLowerCase() as SortDirection,
    };
  });
}

/**
 * A collection's default order, resolved like `$orderby`.
 * @throws Error when the route's own default names an unknown or unsortable field (a bug, not a 400).
 */
export function resolveDefaultOrderBy(
  defaults: readonly { field: string; direction: SortDirection }[],
  fields: FieldMap,
): OrderByItem[] {
  return defaults.map(({ field, direction }) => {
    const resolved = resolveField(fields, field);
    if (!resolved || resolved.spec.sortable === false)
      throw new Error(`Default order field '${field}' is not sortable`);
    return { field: resolved.name, column: resolved.spec.column, direction };
  });
}
