import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type {
  CompareNode,
  CompareOp,
  FilterNode,
  InNode,
  LambdaNode,
  LiteralNode,
  PathNode,
  StartsWithNode,
} from './filter-ast.js';
import { resolveField, type FieldMap, type LooseExpressionBuilder, type ResolvedField } from './field-map.js';
import { pathText } from './filter-parser.js';
import { toColumnValue, type ColumnValue } from './literal-conversion.js';
import { echo, filterMeaningError } from './odata-error.js';

/** Compiles `isof(…)` for a collection whose rows can be of several Graph types. */
export type IsOfCompiler = (
  eb: LooseExpressionBuilder,
  isof: { target?: string; typeName: string },
) => Expression<SqlBool>;

/** Caller-supplied compilers for filter functions that depend on how a collection is stored. */
export interface CompileOptions {
  functions?: { isof?: IsOfCompiler };
}

/** Where names resolve: the collection, or one element of a collection inside a lambda body. */
interface Scope {
  fields: FieldMap;
  variable?: string;
}

const SQL_OPS: Record<CompareOp, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
const FLIPPED: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const ORDERED_TYPES = new Set(['string', 'int', 'datetime']);

/** Escapes LIKE wildcards so a prefix matches literally; pairs with `escape '\'`. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * Turns a parsed `$filter` into a Kysely boolean expression for `.where(eb => …)`. Values are always
 * bound parameters and columns come only from `fields`, so the SQL is safe whatever the input; the
 * SQL is plain enough to run unchanged on SQLite and PostgreSQL.
 *
 * Comparisons never yield SQL NULL: on nullable fields they are guarded with `is [not] null`, so
 * `not (…)` keeps OData's two-valued meaning (`null ne 'a'` is true).
 * @throws ODataError('invalidFilter') for unknown properties, type mismatches, or unsupported use.
 */
export function compileFilter<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  filter: FilterNode,
  fields: FieldMap,
  options: CompileOptions = {},
): Expression<SqlBool> {
  // Field maps name columns as text, so the compiler works on the loosely typed view of the builder.
  return new FilterCompiler(eb, options).compile(filter, { fields });
}

class FilterCompiler {
  constructor(
    private readonly eb: LooseExpressionBuilder,
    private readonly options: CompileOptions,
  ) {}

  compile(node: FilterNode, scope: Scope): Expression<SqlBool> {
    switch (node.kind) {
      case 'and':
        return this.eb.and([this.compile(node.left, scope), this.compile(node.right, scope)]);
      case 'or':
        return this.eb.or([this.compile(node.left, scope), this.compile(node.right, scope)]);
      case 'not':
        return this.eb.not(this.compile(node.operand, scope));
      case 'compare':
        return this.compare(node, scope);
      case 'in':
        return this.in(node, scope);
      case 'startswith':
        return this.startsWith(node, scope);
      case 'isof': {
        const isof = this.options.functions?.isof;
        if (!isof) throw filterMeaningError(node.position, 'isof is not supported on this collection');
        const target = node.target ? this.name(node.target, scope) : undefined;
        return isof(this.eb, { ...(target === undefined ? {} : { target }), typeName: node.typeName });
      }
      case 'lambda':
        return this.lambda(node, scope);
    }
  }

  private compare(node: CompareNode, scope: Scope): Expression<SqlBool> {
    const { left, right } = node;
    if (left.kind === 'path' && right.kind === 'path') {
      // Name an unknown property first: `status eq Revoked` is usually a missing pair of quotes.
      this.field(left, scope);
      this.field(right, scope);
      throw filterMeaningError(node.position, 'comparing two properties is not supported');
    }
    if (left.kind !== 'path' && right.kind !== 'path') {
      throw filterMeaningError(node.position, 'a comparison needs a property on one side');
    }
    const [path, literal, op] =
      left.kind === 'path'
        ? [left, right as LiteralNode, node.op]
        : [right as PathNode, left, FLIPPED[node.op]];
    const field = this.field(path, scope);
    const column = sql.ref(field.spec.column);
    if (literal.kind === 'null') {
      if (op === 'eq') return sql<SqlBool>`${column} is null`;
      if (op === 'ne') return sql<SqlBool>`${column} is not null`;
      throw filterMeaningError(node.position, `null can only be compared with eq or ne`);
    }
    if (op !== 'eq' && op !== 'ne' && !ORDERED_TYPES.has(field.spec.type)) {
      throw filterMeaningError(
        node.position,
        `operator '${op}' is not supported on property ${echo(field.name)}`,
      );
    }
    const value = toColumnValue(literal, field);
    const test = sql<SqlBool>`${this.side(field, column)} ${sql.raw(SQL_OPS[op])} ${this.side(field, value)}`;
    if (op !== 'ne' || !field.spec.nullable) return this.guardNull(field, test);
    return this.eb.or([sql<SqlBool>`${column} is null`, test]);
  }

  private in(node: InNode, scope: Scope): Expression<SqlBool> {
    const field = this.field(node.target, scope);
    const column = sql.ref(field.spec.column);
    const values = node.values.map((literal) => {
      if (literal.kind === 'null') {
        throw filterMeaningError(literal.position, `null is not allowed in an 'in' list; use 'eq null'`);
      }
      return this.side(field, toColumnValue(literal, field));
    });
    return this.guardNull(field, sql<SqlBool>`${this.side(field, column)} in (${sql.join(values)})`);
  }

  private startsWith(node: StartsWithNode, scope: Scope): Expression<SqlBool> {
    const field = this.field(node.target, scope);
    if (field.spec.type !== 'string') {
      throw filterMeaningError(
        node.position,
        `startswith needs a string property; ${echo(field.name)} is not`,
      );
    }
    if (node.prefix.kind !== 'string') {
      throw filterMeaningError(
        node.prefix.position,
        'startswith needs a quoted string as its second argument',
      );
    }
    const pattern = `${escapeLike(node.prefix.value)}%`;
    const column = sql.ref(field.spec.column);
    return this.guardNull(field, sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'`);
  }

  private lambda(node: LambdaNode, scope: Scope): Expression<SqlBool> {
    const name = this.name(node.collection, scope);
    const compiler = resolveField(scope.fields, name)?.spec.any;
    if (!compiler) {
      throw filterMeaningError(node.position, `property ${echo(name)} does not support any/all`);
    }
    const { body, variable } = node;
    return compiler(this.eb, {
      op: node.op,
      ...(variable === undefined ? {} : { variable }),
      ...(body === undefined ? {} : { body }),
      compileBody: (fields) =>
        body === undefined
          ? sql<SqlBool>`1 = 1`
          : this.compile(body, { fields, ...(variable ? { variable } : {}) }),
    });
  }

  /** A filterable field for `path`, or a 400 naming the property. */
  private field(path: PathNode, scope: Scope): ResolvedField {
    const name = this.name(path, scope);
    const field = resolveField(scope.fields, name);
    if (!field) throw filterMeaningError(path.position, `could not find a property named ${echo(name)}`);
    if (field.spec.filterable === false) {
      throw filterMeaningError(path.position, `property ${echo(field.name)} cannot be used in $filter`);
    }
    return field;
  }

  /** The field-map key a path means in `scope`: `a/b`, or inside a lambda `t/id` → `id`, `t` → `$this`. */
  private name(path: PathNode, scope: Scope): string {
    if (path.variable !== scope.variable) {
      const problem =
        scope.variable === undefined
          ? `lambda variable ${echo(path.variable ?? '')} is not in scope here`
          : `inside this lambda, properties must start with its variable ${echo(scope.variable)}`;
      throw filterMeaningError(path.position, `${problem} (${echo(pathText(path))})`);
    }
    return path.segments.length === 0 ? '$this' : path.segments.join('/');
  }

  private side(field: ResolvedField, operand: ColumnValue | RawBuilder<unknown>): RawBuilder<unknown> {
    const expression = typeof operand === 'object' ? operand : sql`${operand}`;
    return field.spec.caseInsensitive ? sql`lower(${expression})` : expression;
  }

  /** `col is not null and test`, so a NULL column yields false rather than SQL NULL. */
  private guardNull(field: ResolvedField, test: Expression<SqlBool>): Expression<SqlBool> {
    if (!field.spec.nullable) return test;
    return this.eb.and([sql<SqlBool>`${sql.ref(field.spec.column)} is not null`, test]);
  }
}
