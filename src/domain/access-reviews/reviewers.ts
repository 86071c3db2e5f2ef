import type { DecisionItem, Reviewer, ReviewDefinition } from './types.js';

/** Who the caller is, for reviewer checks: their id, the groups they are in, and the principals' managers. */
export interface ReviewerContext {
  callerId: string;
  groups: ReadonlySet<string>;
  /** Manager of each principal in the items looked at (principals without one are absent). */
  managers: ReadonlyMap<string, string>;
}

const matches = (r: Reviewer, item: Pick<DecisionItem, 'principalId'>, c: ReviewerContext): boolean =>
  r.kind === 'user'
    ? r.id === c.callerId
    : r.kind === 'group'
      ? c.groups.has(r.id)
      : c.managers.get(item.principalId) === c.callerId;

/**
 * Whether the caller reviews an item. In a self-review (no reviewers) each principal reviews their
 * own access and nobody else's; otherwise nobody reviews their own access, whatever list they are
 * on. Fallback reviewers step in for the items whose principal has no manager when the manager is
 * a reviewer.
 */
export function reviews(
  d: Pick<ReviewDefinition, 'reviewers' | 'fallbackReviewers'>,
  item: Pick<DecisionItem, 'principalId'>,
  c: ReviewerContext,
): boolean {
  if (d.reviewers.length === 0) return item.principalId === c.callerId;
  if (item.principalId === c.callerId) return false;
  if (d.reviewers.some((r) => matches(r, item, c))) return true;
  const needsFallback = d.reviewers.some((r) => r.kind === 'manager') && !c.managers.has(item.principalId);
  return needsFallback && d.fallbackReviewers.some((r) => matches(r, item, c));
}
