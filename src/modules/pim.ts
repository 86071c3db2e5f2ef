import { makeApprovals } from '../app/pim/approvals.js';
import { makeScheduleRequests } from '../app/pim/schedule-requests.js';
import { makePimSchedules } from '../app/pim/schedules.js';
import { approvalRoutes, groupApprovalRoutes } from '../http/routes/approvals.js';
import { pimRoutes } from '../http/routes/pim.js';
import { pimGroupRoutes } from '../http/routes/pim-groups.js';
import { pimStores } from '../store/pim/stores.js';
import { ticketCheckOf } from './decision-hooks.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** PIM schedule requests of both kinds (activation, assignment, removal, …). */
    scheduleRequests: ReturnType<typeof makeScheduleRequests>;
    /** Approvals of PIM activation requests (beta `roleAssignmentApprovals`). */
    approvals: ReturnType<typeof makeApprovals>;
    /** PIM schedules and instances. */
    pimSchedules: ReturnType<typeof makePimSchedules>;
  }
}

/** PIM for directory roles (requests, schedules, instances, approvals) and for groups (reference §4). */
export const pimModule = {
  name: 'pim',
  stores: pimStores,
  services: (k) => ({
    scheduleRequests: makeScheduleRequests({ ...k, checkTicket: ticketCheckOf(k) }),
    approvals: makeApprovals(k),
    pimSchedules: makePimSchedules(k),
  }),
  routes: [
    { plugin: pimRoutes, prefix: '/v1.0' },
    { plugin: pimGroupRoutes, prefix: '/v1.0' },
    { plugin: approvalRoutes, prefix: '/beta' },
    { plugin: groupApprovalRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
