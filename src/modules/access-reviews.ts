import { makeReviewDecisions } from '../app/access-reviews/decisions.js';
import { makeReviewDefinitions } from '../app/access-reviews/definitions.js';
import { makeReviewInstances } from '../app/access-reviews/instances.js';
import { makeManagers } from '../app/access-reviews/managers.js';
import { makeCreateScheduleRequest } from '../app/pim/create-request.js';
import { accessReviewRoutes } from '../http/routes/access-reviews.js';
import { userManagerRoutes } from '../http/routes/user-manager.js';
import { accessReviewStores } from '../store/access-reviews/stores.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** Users' managers (`/users/{id}/manager`). */
    managers: ReturnType<typeof makeManagers>;
    /** Access review definitions. */
    accessReviewDefinitions: ReturnType<typeof makeReviewDefinitions>;
    /** Access review instances: the scheduler, administrators' reads and actions. */
    accessReviewInstances: ReturnType<typeof makeReviewInstances>;
    /** Reviewers' views and decisions. */
    accessReviewDecisions: ReturnType<typeof makeReviewDecisions>;
  }
}

/** Access reviews of directory roles (docs/access-reviews.md) and the users' managers they ask. */
export const accessReviewsModule = {
  name: 'accessReviews',
  stores: accessReviewStores,
  services: (k) => ({
    managers: makeManagers(k),
    accessReviewDefinitions: makeReviewDefinitions(k),
    accessReviewInstances: makeReviewInstances({ ...k, remove: makeCreateScheduleRequest(k) }),
    accessReviewDecisions: makeReviewDecisions(k),
  }),
  routes: [
    { plugin: userManagerRoutes, prefix: '/v1.0' },
    { plugin: accessReviewRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
