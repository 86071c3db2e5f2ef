import type { Requirement } from '../authorization/requirement.js';

/** Target systems ask AuthZEN questions with this app permission (users never do). */
export const EVALUATE_RULE = {
  appPermissions: ['Elevate.AccessEvaluation'],
  roles: [],
} as const satisfies Requirement;
