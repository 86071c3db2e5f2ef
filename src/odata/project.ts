/**
 * Keeps the `$select`ed properties of a Graph entity, matched case-insensitively, plus `id` and
 * OData annotations (`@odata.type`, `principal@odata.context`, …), which Graph always returns.
 * Expanded navigation properties are kept only if `select` names them, so add the `$expand` names
 * to `select` when both are given. Without `select` the entity is returned unchanged.
 */
export function project<Entity extends Record<string, unknown>>(
  entity: Entity,
  select?: readonly string[],
): Partial<Entity> {
  if (!select) return entity;
  const wanted = new Set(['id', ...select.map((name) => name.toLowerCase())]);
  const keep = (key: string): boolean => {
    const at = key.indexOf('@');
    return at === 0 || wanted.has((at < 0 ? key : key.slice(0, at)).toLowerCase());
  };
  return Object.fromEntries(Object.entries(entity).filter(([key]) => keep(key))) as Partial<Entity>;
}
