import { ACCESS_REVIEW_RULES } from '../../domain/access-reviews/permissions.js';
import { reviews, type ReviewerContext } from '../../domain/access-reviews/reviewers.js';
import type { DecisionItem, ReviewDefinition, ReviewInstance } from '../../domain/access-reviews/types.js';
import { ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import { authorize } from '../authorization/authorize.js';
import type { Caller } from '../authorization/caller.js';
import { memberGroupsAt } from '../directory/member-groups.js';
import type { Stores } from '../ports.js';
import { definitionNotFound } from './definitions.js';

export const instanceNotFound = () =>
  new NotFoundError('The access review instance does not exist.', 'NotFound');
export const decisionNotFound = () =>
  new NotFoundError('The access review decision item does not exist.', 'NotFound');

/** The definition and its instance, both in the caller's tenant. @throws NotFoundError */
export async function loadInstance(
  tx: Stores,
  tenantId: string,
  definitionId: string,
  instanceId: string,
): Promise<{ d: ReviewDefinition; i: ReviewInstance }> {
  const d = await tx.reviewDefinitions.get(tenantId, definitionId);
  if (!d) throw definitionNotFound();
  const i = await tx.reviewInstances.get(tenantId, instanceId);
  if (!i || i.definitionId !== d.id) throw instanceNotFound();
  return { d, i };
}

/** What the caller's reviewer checks need, read once for a set of items. */
export async function reviewerContext(
  tx: Stores,
  caller: Caller,
  items: readonly Pick<DecisionItem, 'principalId'>[],
  now: number,
): Promise<ReviewerContext> {
  const groups = caller.kind === 'user' ? await memberGroupsAt(tx, caller.tenantId, caller.id, now) : [];
  const principals = [...new Set(items.map((x) => x.principalId))];
  return {
    callerId: caller.id,
    groups: new Set(groups),
    managers: await tx.managers.managersOf(caller.tenantId, principals),
  };
}

/** The items of an instance the caller reviews. Apps review nothing. */
export async function itemsReviewedBy(
  tx: Stores,
  caller: Caller,
  d: ReviewDefinition,
  items: readonly DecisionItem[],
  now: number,
): Promise<DecisionItem[]> {
  if (caller.kind !== 'user') return [];
  const ctx = await reviewerContext(tx, caller, items, now);
  return items.filter((x) => reviews(d, x, ctx));
}

/** Whether the caller may read the tenant's reviews as an administrator or reader. */
export async function canReadAll(tx: Stores, caller: Caller, now: number): Promise<boolean> {
  try {
    await authorize(tx, caller, ACCESS_REVIEW_RULES.read, now);
    return true;
  } catch (e) {
    if (e instanceof ForbiddenError) return false;
    throw e;
  }
}
