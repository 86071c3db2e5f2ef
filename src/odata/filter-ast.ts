/**
 * The typed tree `parseFilter` produces and `compileFilter` consumes. Every node keeps `position`
 * (0-based character offset in the `$filter` text) so that errors found later, while compiling
 * against a field map, can still point at the offending spot.
 */

/** Comparison operators; `in` is a separate node because its right side is a list. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal as written; conversion to the column's type happens in the compiler. */
export type LiteralNode =
  | { kind: 'null'; position: number }
  | { kind: 'string'; value: string; position: number }
  /** An unquoted GUID, already validated and lower-cased. */
  | { kind: 'guid'; value: string; position: number }
  | { kind: 'boolean'; value: boolean; position: number }
  /** A safe integer. */
  | { kind: 'int'; value: number; position: number }
  /** An unquoted DateTimeOffset: the text as written and the instant in epoch milliseconds. */
  | { kind: 'datetime'; text: string; epochMs: number; position: number };

/**
 * A property path such as `initiatedBy/user/id`. Inside a lambda body, a path that starts with the
 * lambda variable has `variable` set and `segments` holds the rest (`t/id` → variable 't',
 * segments ['id']; a bare `c` → segments []).
 */
export interface PathNode {
  kind: 'path';
  segments: string[];
  variable?: string;
  position: number;
}

/** A comparison operand: OData allows the literal on either side. */
export type OperandNode = PathNode | LiteralNode;

export interface CompareNode {
  kind: 'compare';
  op: CompareOp;
  left: OperandNode;
  right: OperandNode;
  position: number;
}

export interface InNode {
  kind: 'in';
  target: PathNode;
  values: LiteralNode[];
  position: number;
}

export interface LogicalNode {
  kind: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
  position: number;
}

export interface NotNode {
  kind: 'not';
  operand: FilterNode;
  position: number;
}

/** `startswith(path, 'prefix')`. */
export interface StartsWithNode {
  kind: 'startswith';
  target: PathNode;
  prefix: LiteralNode;
  position: number;
}

/** `isof('type')` (the entity itself) or `isof(path, 'type')`. */
export interface IsOfNode {
  kind: 'isof';
  target?: PathNode;
  typeName: string;
  position: number;
}

/** `path/any(v: body)`, `path/all(v: body)`, or `path/any()` (no variable, no body). */
export interface LambdaNode {
  kind: 'lambda';
  op: 'any' | 'all';
  collection: PathNode;
  variable?: string;
  body?: FilterNode;
  position: number;
}

/** Any boolean expression. */
export type FilterNode =
  CompareNode | InNode | LogicalNode | NotNode | StartsWithNode | IsOfNode | LambdaNode;
