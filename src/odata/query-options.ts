import { expressionBuilder } from 'kysely';
import type { FieldMap } from './field-map.js';
import type { FilterNode } from './filter-ast.js';
import { compileFilter, type CompileOptions } from './filter-compiler.js';
import { parseFilter } from './filter-parser.js';
import { echo, ODataError, type ODataErrorCode } from './odata-error.js';
import { parseOrderBy, resolveDefaultOrderBy, type OrderByItem, type SortDirection } from './order-by.js';
import { parseExpand, parseSelect, type ExpandItem } from './select-expand.js';
import { decodeSkipToken } from './skip-token.js';

/** What a collection endpoint accepts; one per route, written next to its field map. */
export interface QuerySpec extends CompileOptions {
  fields: FieldMap;
  /** Navigation properties for `$expand`; nested levels as paths (`policy/rules`). */
  expandable?: readonly string[];
  /** Page size without `$top`. Default 100, as in Graph. */
  defaultTop?: number;
  /** Largest `$top`. Default 999, as in Graph. */
  maxTop?: number;
  defaultOrderBy?: readonly { field: string; direction: SortDirection }[];
}

/** Validated query options, ready for {@link applyQuery} and {@link project}. */
export interface QueryOptions {
  filter?: FilterNode;
  /** Absent means all properties. */
  select?: string[];
  expand: ExpandItem[];
  orderBy: OrderByItem[];
  top: number;
  skip: number;
  count: boolean;
}

/** Longest value accepted for any single query option. */
export const MAX_OPTION_LENGTH = 4096;

const CODES: Readonly<Record<string, ODataErrorCode>> = {
  $filter: 'invalidFilter',
  $select: 'invalidSelect',
  $expand: 'invalidExpand',
  $orderby: 'invalidOrderBy',
  $top: 'invalidTop',
  $count: 'invalidCount',
  $skiptoken: 'invalidSkipToken',
};

const DIGITS = /^\d{1,10}$/;

/**
 * Reads and validates the OData system query options of a Graph collection request, so that a bad
 * request fails with 400 before any database work. The `$filter` is also compiled once against the
 * field map (without running it) to reject unknown properties and type mismatches early.
 * Option names are matched case-insensitively and must carry the `$` prefix, as in Graph v1.0;
 * keys without `$` are left to the route.
 * @throws ODataError with the code of the offending option, or 'unsupportedQueryOption' for
 *   `$skip` (Graph pages these collections by `$skiptoken` only, and answers `$skip` with "'$skip'
 *   is not supported by the service."), `$search`, `$format` and any other `$` option this server
 *   does not implement.
 */
export function parseQueryOptions(query: Readonly<Record<string, unknown>>, spec: QuerySpec): QueryOptions {
  const raw = readOptions(query);
  const { fields, expandable = [], defaultTop = 100, maxTop = 999 } = spec;

  const filterText = raw.get('$filter');
  const filter = filterText === undefined ? undefined : parseFilter(filterText);
  if (filter) compileFilter(expressionBuilder(), filter, fields, spec);

  const selectText = raw.get('$select');
  const select = selectText === undefined ? undefined : parseSelect(selectText, fields, expandable);
  const expandText = raw.get('$expand');
  const orderByText = raw.get('$orderby');

  const top = readInteger(raw, '$top', defaultTop, maxTop);
  const skipToken = raw.get('$skiptoken');
  const skip = skipToken === undefined ? 0 : decodeSkipToken(skipToken);

  const countText = raw.get('$count')?.toLowerCase();
  if (countText !== undefined && countText !== 'true' && countText !== 'false') {
    throw new ODataError('invalidCount', '$count must be true or false.', '$count');
  }

  return {
    ...(filter ? { filter } : {}),
    ...(select ? { select } : {}),
    expand: expandText === undefined ? [] : parseExpand(expandText, expandable),
    orderBy:
      orderByText === undefined
        ? resolveDefaultOrderBy(spec.defaultOrderBy ?? [], fields)
        : parseOrderBy(orderByText, fields),
    top,
    skip,
    count: countText === 'true',
  };
}

/** The `$` options by lower-cased name; each at most once, a bounded string. */
function readOptions(query: Readonly<Record<string, unknown>>): Map<string, string> {
  const options = new Map<string, string>();
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('$')) continue;
    const name = key.toLowerCase();
    if (name === '$skip') {
      // Graph's directory and PIM collections page only by `$skiptoken` (`@odata.nextLink`).
      throw new ODataError('unsupportedQueryOption', "'$skip' is not supported by the service.", key);
    }
    const code = CODES[name];
    if (code === undefined) {
      throw new ODataError('unsupportedQueryOption', `Query option ${echo(key)} is not supported.`, key);
    }
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (options.has(name) || values.length !== 1) {
      throw new ODataError(code, `Query option '${name}' may be given only once.`, name);
    }
    const [text] = values;
    if (typeof text !== 'string') throw new ODataError(code, `Query option '${name}' must be text.`, name);
    if (text.length > MAX_OPTION_LENGTH && name !== '$filter') {
      throw new ODataError(
        code,
        `Query option '${name}' is longer than ${MAX_OPTION_LENGTH} characters.`,
        name,
      );
    }
    if (text.trim() === '' && name !== '$filter')
      throw new ODataError(code, `Query option '${name}' is empty.`, name);
    options.set(name, text);
  }
  return options;
}

function readInteger(raw: Map<string, string>, name: string, fallback: number, max: number): number {
  const text = raw.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!DIGITS.test(text) || value > max) {
    throw new ODataError(
      CODES[name] ?? 'unsupportedQueryOption',
      `Query option '${name}' must be a whole number from 0 to ${max}.`,
      name,
    );
  }
  return value;
}
