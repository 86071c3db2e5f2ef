import type { StoreBinder } from '../unit-of-work.js';
import { decisionItemStore } from './decision-store.js';
import { reviewDefinitionStore } from './definition-store.js';
import { reviewInstanceStore } from './instance-store.js';
import { managerStore } from './manager-store.js';
import { reviewFacts } from './review-facts.js';
import './rows.js';

/** The access review stores (see `app/access-reviews/ports.ts`). */
export const accessReviewStores: StoreBinder = (db) => ({
  managers: managerStore(db),
  reviewDefinitions: reviewDefinitionStore(db),
  reviewInstances: reviewInstanceStore(db),
  reviewDecisions: decisionItemStore(db),
  reviewFacts: reviewFacts(db),
});
