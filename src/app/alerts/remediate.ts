import type { AlertName } from '../../domain/alerts/definitions.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { findRule } from '../../domain/policy/types.js';
import { BadRequestError, NotFoundError } from '../../domain/shared/errors.js';
import type { Caller } from '../authorization/caller.js';
import type { CreateScheduleRequest } from '../pim/gather.js';
import type { makeRolePolicies } from '../policies/role-policies.js';
import type { UnitOfWork } from '../ports.js';
import type { RoleManagementAlerts } from './role-management-alerts.js';

/**
 * `POST alerts/{id}/alertIncidents/{incidentId}/remediate`: fixes what the incident names through
 * the same use cases an administrator would call, so each step is authorized and audited as
 * theirs, then rescans the alert.
 * - `NoMfaOnRoleActivationAlert`: adds `MultiFactorAuthentication` to the role's activation rule.
 * - `RolesAssignedOutsidePimAlert`: makes the principal eligible for the role through a PIM
 *   `adminAssign` eligibility request (expiring as the role's policy demands), then removes the
 *   direct assignment.
 * - `RedundantAssignmentAlert`: removes the unused eligibility (`adminRemove`).
 * - `StaleSignInAlert`: removes the stale account's eligibility (`adminRemove`) or direct role
 *   assignment; an active PIM assignment is left to an administrator.
 * Other alerts are not remediable (`BadRequestError`).
 */
export function makeAlertRemediation(deps: {
  uow: UnitOfWork;
  alerts: Pick<RoleManagementAlerts, 'incidentToRemediate' | 'refresh'>;
  rolePolicies: Pick<ReturnType<typeof makeRolePolicies>, 'updateRule'>;
  createScheduleRequest: (caller: Caller, cmd: CreateScheduleRequest) => Promise<ScheduleRequest>;
  deleteRoleAssignment: (caller: Caller, id: string) => Promise<void>;
}) {
  const fixes: Partial<Record<AlertName, (caller: Caller, incidentId: string) => Promise<void>>> = {
    async NoMfaOnRoleActivationAlert(caller, roleId) {
      const policy = await deps.uow.run((tx) =>
        tx.policies.forRole(caller.tenantId, 'DirectoryRole', '/', roleId),
      );
      if (policy === undefined) throw new NotFoundError('The role has no policy at tenant scope.');
      const rule = findRule(policy.rules, 'Enablement_EndUser_Assignment');
      const enabledRules = rule?.enabledRules ?? [];
      if (enabledRules.includes('MultiFactorAuthentication')) return;
      await deps.rolePolicies.updateRule(caller, policy.id, 'Enablement_EndUser_Assignment', {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
        id: 'Enablement_EndUser_Assignment',
        enabledRules: [...enabledRules, 'MultiFactorAuthentication'],
      });
    },

    async RolesAssignedOutsidePimAlert(caller, assignmentId) {
      const found = await deps.uow.run(async (tx) => {
        const assignment = await tx.roleAssignments.get(caller.tenantId, assignmentId);
        if (assignment === undefined) return undefined;
        const policy = await tx.policies.forRole(
          caller.tenantId,
          'DirectoryRole',
          '/',
          assignment.roleDefinitionId,
        );
        return { assignment, policy };
      });
      if (found === undefined) throw new NotFoundError('The role assignment does not exist any more.');
      const { assignment, policy } = found;
      const expiration = findRule(policy?.rules ?? [], 'Expiration_Admin_Eligibility');
      await deps.createScheduleRequest(caller, {
        kind: 'eligibility',
        action: 'adminAssign',
        principalId: assignment.principalId,
        roleDefinitionId: assignment.roleDefinitionId,
        directoryScopeId: assignment.directoryScopeId,
        justification:
          'Remediation of the PIM alert RolesAssignedOutsidePimAlert: direct assignment made eligible.',
        ticketInfo: null,
        scheduleInfo: {
          startDateTime: null,
          expiration:
            expiration?.isExpirationRequired === true
              ? { type: 'afterDuration', endDateTime: null, duration: expiration.maximumDuration }
              : { type: 'noExpiration', endDateTime: null, duration: null },
        },
        isValidationOnly: false,
        customData: null,
      });
      await deps.deleteRoleAssignment(caller, assignment.id);
    },

    async RedundantAssignmentAlert(caller, eligibilityId) {
      const eligibility = await deps.uow.run((tx) =>
        tx.schedules.get(caller.tenantId, 'eligibility', eligibilityId),
      );
      if (eligibility === undefined) throw new NotFoundError('The eligibility does not exist any more.');
      await deps.createScheduleRequest(caller, {
        kind: 'eligibility',
        action: 'adminRemove',
        principalId: eligibility.principalId,
        roleDefinitionId: eligibility.roleDefinitionId,
        directoryScopeId: eligibility.directoryScopeId,
        justification: 'Remediation of the PIM alert RedundantAssignmentAlert: eligibility not used.',
        ticketInfo: null,
        scheduleInfo: null,
        isValidationOnly: false,
        customData: null,
      });
    },

    async StaleSignInAlert(caller, scheduleId) {
      const found = await deps.uow.run(async (tx) => ({
        eligibility: await tx.schedules.get(caller.tenantId, 'eligibility', scheduleId),
        direct: await tx.roleAssignments.get(caller.tenantId, scheduleId),
      }));
      if (found.direct !== undefined) {
        await deps.deleteRoleAssignment(caller, found.direct.id);
        return;
      }
      const eligibility = found.eligibility;
      if (eligibility === undefined)
        throw new BadRequestError(
          'Request_BadRequest',
          'Only an eligibility or a direct role assignment is removed automatically; remove this assignment through PIM.',
        );
      await deps.createScheduleRequest(caller, {
        kind: 'eligibility',
        action: 'adminRemove',
        principalId: eligibility.principalId,
        roleDefinitionId: eligibility.roleDefinitionId,
        directoryScopeId: eligibility.directoryScopeId,
        justification: 'Remediation of the PIM alert StaleSignInAlert: the account has not signed in.',
        ticketInfo: null,
        scheduleInfo: null,
        isValidationOnly: false,
        customData: null,
      });
    },
  };

  return {
    /** @throws NotFoundError (alert or incident), BadRequestError (not remediable), ForbiddenError */
    async remediate(caller: Caller, alertId: string, incidentId: string): Promise<void> {
      const { name } = await deps.alerts.incidentToRemediate(caller, alertId, incidentId);
      const fix = fixes[name];
      if (fix === undefined)
        throw new BadRequestError('Request_BadRequest', `The alert ${name} has no automatic remediation.`);
      await fix(caller, incidentId);
      await deps.alerts.refresh(caller, alertId);
    },
  };
}
