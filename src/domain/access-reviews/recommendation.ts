import type { DefaultDecision, Recommendation, ReviewDecision } from './types.js';

/**
 * The recommendation for one reviewed schedule. An eligibility is recommended for removal (`Deny`)
 * when the principal did not activate the role within the look-back period before the review
 * started, and kept (`Approve`) when they did. A standing (active, `Assigned`) assignment is never
 * activated, so its use cannot be told from PIM's history: `NotAvailable`.
 */
export function recommend(input: {
  enabled: boolean;
  scheduleKind: 'eligibility' | 'assignment';
  lastActivationAt: number | null;
  lookBackMs: number;
  reviewStart: number;
}): Recommendation {
  if (!input.enabled || input.scheduleKind === 'assignment') return 'NotAvailable';
  const since = input.reviewStart - input.lookBackMs;
  return input.lastActivationAt !== null && input.lastActivationAt >= since ? 'Approve' : 'Deny';
}

/**
 * The decision a non-responder's item takes at the end of an instance, or `null` to leave it
 * `NotReviewed`. `Recommendation` follows the item's recommendation, and leaves it when there is none.
 */
export function defaultDecisionFor(
  enabled: boolean,
  defaultDecision: DefaultDecision,
  recommendation: Recommendation,
): Exclude<ReviewDecision, 'NotReviewed' | 'DontKnow'> | null {
  if (!enabled || defaultDecision === 'None') return null;
  if (defaultDecision !== 'Recommendation') return defaultDecision;
  return recommendation === 'NotAvailable' ? null : recommendation;
}
