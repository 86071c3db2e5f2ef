import { makeBreakGlassAccounts, type BreakGlassAccounts } from '../app/alerts/break-glass.js';
import { makeAlertRemediation } from '../app/alerts/remediate.js';
import { makeRoleManagementAlerts, type RoleManagementAlerts } from '../app/alerts/role-management-alerts.js';
import { makeCreateScheduleRequest } from '../app/pim/create-request.js';
import { makeRolePolicies } from '../app/policies/role-policies.js';
import { makeRoleAssignments } from '../app/roles/role-assignments.js';
import { breakGlassRoutes } from '../http/routes/break-glass.js';
import { roleManagementAlertRoutes } from '../http/routes/role-management-alerts.js';
import { alertStores } from '../store/alerts/stores.js';
import type { FeatureModule } from './feature-module.js';

declare module '../http/services.js' {
  interface Services {
    /** PIM security alerts (beta `roleManagementAlerts`). */
    roleManagementAlerts: RoleManagementAlerts;
    /** Remediation of alert incidents, through the role-settings and PIM use cases. */
    alertRemediation: ReturnType<typeof makeAlertRemediation>;
    /** Break-glass accounts (`/v1.0/elevate/breakGlassAccounts`, ADR 0033). */
    breakGlassAccounts: BreakGlassAccounts;
  }
}

/** PIM security alerts: detectors, configuration, scans, dismissal and remediation; break-glass accounts. */
export const alertsModule = {
  name: 'alerts',
  stores: alertStores,
  services: (k) => {
    const roleManagementAlerts = makeRoleManagementAlerts(k);
    const roleAssignments = makeRoleAssignments(k);
    return {
      roleManagementAlerts,
      breakGlassAccounts: makeBreakGlassAccounts(k),
      alertRemediation: makeAlertRemediation({
        uow: k.uow,
        alerts: roleManagementAlerts,
        rolePolicies: makeRolePolicies(k),
        createScheduleRequest: makeCreateScheduleRequest(k),
        deleteRoleAssignment: (caller, id) => roleAssignments.delete(caller, id),
      }),
    };
  },
  routes: [
    { plugin: roleManagementAlertRoutes, prefix: '/beta' },
    { plugin: breakGlassRoutes, prefix: '/v1.0' },
  ],
} satisfies FeatureModule;
