import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { FilterNode } from './filter-ast.js';

/** How a Graph property is stored; decides how filter literals are converted (see store codecs). */
export type FieldType = 'string' | 'guid' | 'boolean' | 'datetime' | 'int' | 'enum';

/**
 * The expression builder handed to caller hooks. Field maps are written per collection, not per
 * Kysely database type, so hooks see a loosely typed builder and name tables and columns as text.
 */
export type LooseExpressionBuilder = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;

/**
 * A lambda (`targetResources/any(t: t/id eq '…')`) handed to a field's `any` hook. The hook decides
 * how the collection is stored (child table, JSON…) and calls `compileBody` with the field map of
 * one element; inside the body `t/id` resolves to `id` and a bare `t` resolves to `$this`.
 */
export interface LambdaContext {
  op: 'any' | 'all';
  variable?: string;
  /** Absent for `any()`, which asks whether the collection is non-empty. */
  body?: FilterNode;
  compileBody(fields: FieldMap): Expression<SqlBool>;
}

/** Compiles `any`/`all` over a collection property; see {@link LambdaContext}. */
export type LambdaCompiler = (eb: LooseExpressionBuilder, lambda: LambdaContext) => Expression<SqlBool>;

/**
 * One Graph property a collection exposes in `$filter`, `$orderby` and `$select`. The column name
 * comes only from here, never from the request, which is what keeps SQL injection out.
 */
export interface FieldSpec {
  /** Column, optionally qualified (`r.principal_id`). */
  column: string;
  type: FieldType;
  /** The column may hold NULL; makes `ne` also match NULL rows, as OData requires. */
  nullable?: boolean;
  /** Default true. */
  filterable?: boolean;
  /** Default true. */
  sortable?: boolean;
  /** Canonical spellings of an `enum` field; filter values match them case-insensitively. */
  values?: readonly string[];
  /** Compare strings with `lower(col) = lower(?)`; for UPNs, mail and the like. */
  caseInsensitive?: boolean;
  /** Compiles lambdas over this property; without it `any`/`all` is rejected. */
  any?: LambdaCompiler;
}

/**
 * Graph property name (camelCase, or a `/` path such as `initiatedBy/user/id`) → how it is stored.
 * Names resolve case-insensitively, as Graph does.
 */
export type FieldMap = Readonly<Record<string, FieldSpec>>;

/** A field found by a case-insensitive name, with the spelling the map uses. */
export interface ResolvedField {
  name: string;
  spec: FieldSpec;
}

const indexes = new WeakMap<FieldMap, Map<string, ResolvedField>>();

/** Looks `name` up case-insensitively; `undefined` when the collection has no such property. */
export function resolveField(fields: FieldMap, name: string): ResolvedField | undefined {
  let index = indexes.get(fields);
  if (!index) {
    index = new Map();
    for (const [key, spec] of Object.entries(fields)) {
      if (!index.has(key.toLowerCase())) index.set(key.toLowerCase(), { name: key, spec });
    }
    indexes.set(fields, index);
  }
  return index.get(name.toLowerCase());
}
