/**
 * OData query support shared by every Graph collection endpoint: parse and validate the system
 * query options, turn `$filter` into a parameterized Kysely condition, page with `$skiptoken`, and
 * project `$select`. Routes import from here only.
 */
export { ODataError, type ODataErrorCode } from './odata-error.js';
export type * from './filter-ast.js';
export { parseFilter, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_IN_VALUES } from './filter-parser.js';
export {
  resolveField,
  type FieldMap,
  type FieldSpec,
  type FieldType,
  type LambdaCompiler,
  type LambdaContext,
  type LooseExpressionBuilder,
  type ResolvedField,
} from './field-map.js';
export { compileFilter, escapeLike, type CompileOptions, type IsOfCompiler } from './filter-compiler.js';
export { parseQueryOptions, type QueryOptions, type QuerySpec } from './query-options.js';
export type { ExpandItem } from './select-expand.js';
export type { OrderByItem, SortDirection } from './order-by.js';
export {
  applyQuery,
  countQuery,
  readCount,
  splitPage,
  type ApplySettings,
  type RowPage,
} from './apply-query.js';
export { nextLink } from './next-link.js';
export { decodeSkipToken, encodeSkipToken } from './skip-token.js';
export { project } from './project.js';
