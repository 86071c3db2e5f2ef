import { ODataError, type FilterNode, type LiteralNode, type OperandNode } from '../../odata/index.js';

/** Graph's two spellings of the directory scope type; Elevate stores `DirectoryRole`. */
const DIRECTORY_SYNONYM = 'directory';
const STORED_DIRECTORY = 'DirectoryRole';

const isPath = (operand: OperandNode, name: string): boolean =>
  operand.kind === 'path' &&
  operand.variable === undefined &&
  operand.segments.length === 1 &&
  operand.segments[0]?.toLowerCase() === name.toLowerCase();

/** `name eq 'literal'` (either way round) with a string literal. */
function isScopeEquality(node: FilterNode, name: string): boolean {
  if (node.kind !== 'compare' || node.op !== 'eq') return false;
  const { left, right } = node;
  return (isPath(left, name) && right.kind === 'string') || (isPath(right, name) && left.kind === 'string');
}

/** The conjuncts of a chain of top-level `and`s. */
function conjuncts(node: FilterNode): FilterNode[] {
  return node.kind === 'and' ? [...conjuncts(node.left), ...conjuncts(node.right)] : [node];
}

/** Rewrites `scopeType` literals `Directory` (any case) to the stored `DirectoryRole`. */
function rewrite(node: FilterNode): FilterNode {
  const literal = (value: LiteralNode): LiteralNode =>
    value.kind === 'string' && value.value.toLowerCase() === DIRECTORY_SYNONYM
      ? { ...value, value: STORED_DIRECTORY }
      : value;
  const operand = (value: OperandNode): OperandNode => (value.kind === 'path' ? value : literal(value));
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: rewrite(node.left), right: rewrite(node.right) };
    case 'not':
      return { ...node, operand: rewrite(node.operand) };
    case 'compare':
      return isPath(node.left, 'scopeType') || isPath(node.right, 'scopeType')
        ? { ...node, left: operand(node.left), right: operand(node.right) }
        : node;
    case 'in':
      return isPath(node.target, 'scopeType') ? { ...node, values: node.values.map(literal) } : node;
    default:
      return node;
  }
}

/**
 * Graph answers role-management policy (and policy assignment) collections only for one scope:
 * the `$filter` must contain `scopeId eq '…'` and `scopeType eq '…'` joined by `and` at the top
 * level. `scopeType` `Directory` is Graph's synonym of `DirectoryRole` and finds the same policies.
 * Returns the filter to run, with the synonym rewritten to the stored value.
 * @throws ODataError('invalidFilter') when the scope filter is missing.
 */
export function requireScopeFilter(filter: FilterNode | undefined): FilterNode {
  const parts = filter ? conjuncts(filter) : [];
  const missing = ['scopeId', 'scopeType'].filter((name) => !parts.some((p) => isScopeEquality(p, name)));
  if (!filter || missing.length > 0) {
    throw new ODataError(
      'invalidFilter',
      "This collection needs a $filter on scope, e.g. $filter=scopeId eq '/' and scopeType eq 'DirectoryRole'" +
        ` (missing: ${missing.join(', ')}).`,
      '$filter',
    );
  }
  return rewrite(filter);
}

/**
 * The scope a scope filter names (`scopeId eq '…' and scopeType eq '…'` at the top level; the
 * first of each when repeated), `scopeType` with Graph's `Directory` synonym resolved. Undefined
 * for a filter without both.
 */
export function scopeOfFilter(filter: FilterNode): { scopeId: string; scopeType: string } | undefined {
  const value = (name: string): string | undefined => {
    for (const part of conjuncts(filter)) {
      if (!isScopeEquality(part, name) || part.kind !== 'compare') continue;
      const literal = part.left.kind === 'string' ? part.left : part.right;
      if (literal.kind === 'string') return literal.value;
    }
    return undefined;
  };
  const scopeId = value('scopeId');
  const scopeType = value('scopeType');
  if (scopeId === undefined || scopeType === undefined) return undefined;
  return {
    scopeId,
    scopeType: scopeType.toLowerCase() === DIRECTORY_SYNONYM ? STORED_DIRECTORY : scopeType,
  };
}
