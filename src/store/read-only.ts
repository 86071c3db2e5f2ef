import type { KyselyPlugin, OperationNode, RootOperationNode } from 'kysely';

/** A write attempted through `UnitOfWork.read`, which is for reads outside a transaction only. */
export class ReadOnlyError extends Error {
  constructor(kind: string) {
    super(`a read outside a transaction may not run a ${kind}: write through UnitOfWork.run`);
    this.name = 'ReadOnlyError';
  }
}

/** A raw statement that reads: `select …` or `with … select` (a `with` that writes is refused too). */
const readsOnly = (node: OperationNode): boolean => {
  if (node.kind === 'SelectQueryNode') return true;
  if (node.kind !== 'RawNode') return false;
  const text = (node as unknown as { sqlFragments: readonly string[] }).sqlFragments.join('?');
  return /^\s*select\b/i.test(text) && !/\b(insert|update|delete|merge)\b/i.test(text);
};

/** Refuses every statement but a select before it reaches the database (`UnitOfWork.read`). */
export const readOnlyPlugin: KyselyPlugin = {
  transformQuery({ node }): RootOperationNode {
    if (!readsOnly(node)) throw new ReadOnlyError(node.kind);
    return node;
  },
  transformResult: ({ result }) => Promise.resolve(result),
};
