/**
 * A policy assignment's id is `{policyId}_{roleDefinitionId}` (reference §2.2): Elevate stores no
 * separate row, because each policy belongs to exactly one role at one scope.
 */
export const policyAssignmentId = (policyId: string, roleDefinitionId: string): string =>
  `${policyId}_${roleDefinitionId}`;

/** Splits an assignment id at its last `_`; `undefined` when it cannot be one. */
export function parsePolicyAssignmentId(
  id: string,
): { policyId: string; roleDefinitionId: string } | undefined {
  const at = id.lastIndexOf('_');
  if (at <= 0 || at === id.length - 1) return undefined;
  return { policyId: id.slice(0, at), roleDefinitionId: id.slice(at + 1) };
}
