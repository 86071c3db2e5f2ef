import { GLOBAL_ADMINISTRATOR } from '../roles/built-in-role-ids.js';
import type { ChecklistItem, ScheduleFact } from './checklist.js';

/**
 * Microsoft's guidance for Entra roles: fewer than five Global Administrators, and at least two
 * (one lost account must not lock the tenant out).
 */
export const MIN_GLOBAL_ADMINISTRATORS = 2;
export const MAX_GLOBAL_ADMINISTRATORS = 4;

/**
 * Counts the principals who hold Global Administrator at the tenant scope, active or eligible,
 * now or later: an eligible holder is one activation away from it. A group counts once (its
 * members are not expanded). Pure, like the checklist it sits beside.
 */
export function evaluateGlobalAdministratorCount(
  assignments: readonly ScheduleFact[],
  eligibilities: readonly ScheduleFact[],
): ChecklistItem {
  const holders = [...assignments, ...eligibilities].filter(
    (s) => s.roleDefinitionId === GLOBAL_ADMINISTRATOR && s.directoryScopeId === '/',
  );
  const ids = [...new Set(holders.map((s) => s.principalId))].sort();
  const activeIds = new Set(assignments.filter((s) => holders.includes(s)).map((s) => s.principalId));
  const count = ids.length;
  const pass = count >= MIN_GLOBAL_ADMINISTRATORS && count <= MAX_GLOBAL_ADMINISTRATORS;
  return {
    id: 'globalAdministratorCount',
    title: 'Between two and four Global Administrators',
    status: pass ? 'pass' : 'fail',
    summary: pass
      ? `${count} principals hold or may activate Global Administrator.`
      : count < MIN_GLOBAL_ADMINISTRATORS
        ? `${count} principal(s) hold or may activate Global Administrator: fewer than ${MIN_GLOBAL_ADMINISTRATORS}.`
        : `${count} principals hold or may activate Global Administrator: more than ${MAX_GLOBAL_ADMINISTRATORS}.`,
    evidence: {
      count,
      minimum: MIN_GLOBAL_ADMINISTRATORS,
      maximum: MAX_GLOBAL_ADMINISTRATORS,
      principals: ids.map((id) => ({
        principalId: id,
        principalType: holders.find((s) => s.principalId === id)?.principalType ?? null,
        active: activeIds.has(id),
      })),
    },
    controls: {
      soc2: ['CC6.1', 'CC6.3'],
      iso27001: ['A.9.2.3'],
      nist80053: ['AC-6(5)'],
      nistCsf: ['PR.AC-4'],
    },
  };
}
