import { ValidationError } from '../shared/errors.js';
import { parseDuration } from '../time/duration.js';

/**
 * The PIM security alerts Elevate raises, named as Graph beta names them (the suffix of
 * `DirectoryRole_{tenantId}_{AlertName}`). `StaleSignInAlert` reads the last completed sign-in
 * Elevate records per user (migration 0025).
 */
export const ALERT_NAMES = [
  'TooManyGlobalAdminsAssignedToTenantAlert',
  'RolesAssignedOutsidePimAlert',
  'NoMfaOnRoleActivationAlert',
  'RedundantAssignmentAlert',
  'SequentialActivationRenewalsAlert',
  'StaleSignInAlert',
  'BreakGlassAccountUsedAlert',
  'BreakGlassAccountTestOverdueAlert',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export const isAlertName = (value: string): value is AlertName =>
  (ALERT_NAMES as readonly string[]).includes(value);

export type SeverityLevel = 'low' | 'medium' | 'high';

/** Thresholds of an alert's configuration, as Graph names them; alerts without any have none. */
export type AlertSettings = Record<string, number | string>;

export interface AlertDefinition {
  name: AlertName;
  displayName: string;
  description: string;
  severityLevel: SeverityLevel;
  securityImpact: string;
  mitigationSteps: string;
  howToPrevent: string;
  isRemediatable: boolean;
  isConfigurable: boolean;
  /** Graph's derived type names, without `#microsoft.graph.`. */
  configurationType: string;
  incidentType: string;
  defaults: AlertSettings;
  /**
   * Checks one threshold as a client sent it and returns it normalised.
   * @throws ValidationError for an unknown field or a value out of range.
   */
  setting(field: string, value: unknown): number | string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ValidationError(`${field} must be a whole number from ${min} to ${max}.`, field);
  return value;
}

function durationIn(field: string, value: unknown, minMs: number, maxMs: number, range: string): string {
  if (typeof value !== 'string') throw new ValidationError(`${field} must be an ISO 8601 duration.`, field);
  const ms = parseDuration(value, field);
  if (ms < minMs || ms > maxMs) throw new ValidationError(`${field} must be ${range}.`, field);
  return value;
}

function noSettings(field: string): never {
  throw new ValidationError(`Unknown property '${field}' for this alert configuration.`, field);
}

function fields(
  table: Record<string, (field: string, value: unknown) => number | string>,
): (field: string, value: unknown) => number | string {
  return (field, value) => {
    const check = table[field];
    if (check === undefined) return noSettings(field);
    return check(field, value);
  };
}

/** Every alert Elevate raises, declared once. */
export const ALERT_DEFINITIONS: Readonly<Record<AlertName, AlertDefinition>> = {
  TooManyGlobalAdminsAssignedToTenantAlert: {
    name: 'TooManyGlobalAdminsAssignedToTenantAlert',
    displayName: 'There are too many global administrators',
    description:
      'The number of Global Administrators, and their share of everyone who holds or may activate a role, are both above the configured thresholds.',
    severityLevel: 'low',
    securityImpact:
      'Global Administrator is the most powerful role; every holder is an account whose compromise hands over the tenant.',
    mitigationSteps:
      'Review the Global Administrators listed as incidents and give each a less privileged role that covers what they do.',
    howToPrevent:
      'Assign the least privileged role that does the job, and make Global Administrator eligible only.',
    isRemediatable: false,
    isConfigurable: true,
    configurationType: 'tooManyGlobalAdminsAssignedToTenantAlertConfiguration',
    incidentType: 'tooManyGlobalAdminsAssignedToTenantAlertIncident',
    defaults: { globalAdminCountThreshold: 3, percentageOfGlobalAdminsOutOfRolesThreshold: 10 },
    setting: fields({
      globalAdminCountThreshold: (f, v) => integerIn(f, v, 2, 100),
      percentageOfGlobalAdminsOutOfRolesThreshold: (f, v) => integerIn(f, v, 0, 100),
    }),
  },
  RolesAssignedOutsidePimAlert: {
    name: 'RolesAssignedOutsidePimAlert',
    displayName: 'Roles are being assigned outside of Privileged Identity Management',
    description:
      'A privileged role is held through a direct role assignment, which has no schedule, no justification and no activation rules.',
    severityLevel: 'high',
    securityImpact: 'A direct assignment is standing privilege that PIM neither time-bounds nor reviews.',
    mitigationSteps:
      'Remediate the incident to turn the direct assignment into an eligible assignment, or remove it.',
    howToPrevent: 'Grant privileged roles only through PIM eligibility and assignment requests.',
    isRemediatable: true,
    isConfigurable: false,
    configurationType: 'rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration',
    incidentType: 'rolesAssignedOutsidePrivilegedIdentityManagementAlertIncident',
    defaults: {},
    setting: noSettings,
  },
  NoMfaOnRoleActivationAlert: {
    name: 'NoMfaOnRoleActivationAlert',
    displayName: "Roles don't require multi-factor authentication for activation",
    description:
      'A privileged role can be activated without multi-factor authentication or an authentication context.',
    severityLevel: 'low',
    securityImpact: 'A stolen password alone is enough to activate the role.',
    mitigationSteps:
      'Remediate the incident to require multi-factor authentication when the role is activated.',
    howToPrevent: 'Keep MultiFactorAuthentication in the role setting Enablement_EndUser_Assignment.',
    isRemediatable: true,
    isConfigurable: false,
    configurationType: 'noMfaOnRoleActivationAlertConfiguration',
    incidentType: 'noMfaOnRoleActivationAlertIncident',
    defaults: {},
    setting: noSettings,
  },
  RedundantAssignmentAlert: {
    name: 'RedundantAssignmentAlert',
    displayName: "Administrators aren't using their privileged roles",
    description:
      'A principal has been eligible for a privileged role for longer than the configured number of days without activating it in that time.',
    severityLevel: 'low',
    securityImpact: 'Eligibility nobody uses is attack surface with no benefit.',
    mitigationSteps:
      'Remediate the incident to remove the eligibility, or confirm in an access review that it is still needed.',
    howToPrevent: 'Make eligibilities expire and review privileged roles regularly.',
    isRemediatable: true,
    isConfigurable: true,
    configurationType: 'redundantAssignmentAlertConfiguration',
    incidentType: 'redundantAssignmentAlertIncident',
    defaults: { duration: 'P15D' },
    setting: fields({ duration: (f, v) => durationIn(f, v, 0, 100 * DAY_MS, 'from 0 to 100 days') }),
  },
  SequentialActivationRenewalsAlert: {
    name: 'SequentialActivationRenewalsAlert',
    displayName: 'Roles are being activated too frequently',
    description:
      'A principal activated the same privileged role several times in a row within the configured interval of each other, in the last 30 days.',
    severityLevel: 'low',
    securityImpact:
      'Back-to-back activations suggest the activation is too short for the work, or a script renewing it.',
    mitigationSteps: 'Ask the principal why, and lengthen the activation or grant a time-bound assignment.',
    howToPrevent: 'Set the maximum activation duration to cover a working session.',
    isRemediatable: false,
    isConfigurable: true,
    configurationType: 'sequentialActivationRenewalsAlertConfiguration',
    incidentType: 'sequentialActivationRenewalsAlertIncident',
    defaults: { timeIntervalBetweenActivations: 'PT1H', sequentialActivationCounterThreshold: 2 },
    setting: fields({
      timeIntervalBetweenActivations: (f, v) =>
        durationIn(f, v, HOUR_MS, 100 * HOUR_MS, 'from 1 to 100 hours'),
      sequentialActivationCounterThreshold: (f, v) => integerIn(f, v, 2, 100),
    }),
  },
  StaleSignInAlert: {
    name: 'StaleSignInAlert',
    displayName: 'Potential stale accounts in a privileged role',
    description:
      'A user holds or is eligible for a privileged role and has not signed in for the configured number of days (never, counting from the account’s creation).',
    severityLevel: 'medium',
    securityImpact:
      'An account nobody uses keeps its privilege, and its takeover goes unnoticed by its owner.',
    mitigationSteps:
      'Confirm the account is still needed; remediate the incident to remove the eligibility or the direct assignment.',
    howToPrevent: 'Review privileged roles regularly and disable accounts when people leave.',
    isRemediatable: true,
    isConfigurable: true,
    configurationType: 'staleSignInAlertConfiguration',
    incidentType: 'staleSignInAlertIncident',
    defaults: { duration: 'P30D' },
    setting: fields({ duration: (f, v) => durationIn(f, v, DAY_MS, 365 * DAY_MS, 'from 1 to 365 days') }),
  },
  BreakGlassAccountUsedAlert: {
    name: 'BreakGlassAccountUsedAlert',
    displayName: 'A break-glass account was used',
    description:
      'An emergency access (break-glass) account signed in or was issued a token, and has not yet justified that use.',
    severityLevel: 'high',
    securityImpact:
      'Break-glass accounts bypass activation rules; an unexplained use may be an attacker holding the keys to the tenant.',
    mitigationSteps:
      'Confirm with the account’s custodians that the use was an emergency or a test; the account justifies it with POST /v1.0/elevate/breakGlassAccounts/{id}/uses/{useId}/justify, which clears the incident.',
    howToPrevent:
      'Keep break-glass credentials in a safe with two-person control, and use them only in emergencies and tests.',
    isRemediatable: false,
    isConfigurable: false,
    configurationType: 'breakGlassAccountUsedAlertConfiguration',
    incidentType: 'breakGlassAccountUsedAlertIncident',
    defaults: {},
    setting: noSettings,
  },
  BreakGlassAccountTestOverdueAlert: {
    name: 'BreakGlassAccountTestOverdueAlert',
    displayName: 'A break-glass account has not been tested recently',
    description:
      'An emergency access (break-glass) account has not had a use declared as a test within the configured period (never tested: counted from when it was marked).',
    severityLevel: 'medium',
    securityImpact: 'An emergency account nobody tests may not work on the day it is needed.',
    mitigationSteps: 'Sign in with the account, then justify the use with isTest true: the incident clears.',
    howToPrevent: 'Test every emergency access account on a schedule, as Microsoft recommends.',
    isRemediatable: false,
    isConfigurable: true,
    configurationType: 'breakGlassAccountTestOverdueAlertConfiguration',
    incidentType: 'breakGlassAccountTestOverdueAlertIncident',
    defaults: { duration: 'P90D' },
    setting: fields({ duration: (f, v) => durationIn(f, v, DAY_MS, 365 * DAY_MS, 'from 1 to 365 days') }),
  },
};

/** `DirectoryRole_{tenantId}_{AlertName}`: the id of the alert, its definition and its configuration. */
export const alertId = (tenantId: string, name: AlertName) => `DirectoryRole_${tenantId}_${name}`;

/** The alert name an id names in this tenant, or undefined (another tenant's id is unknown here). */
export function alertNameOf(tenantId: string, id: string): AlertName | undefined {
  const prefix = `DirectoryRole_${tenantId}_`;
  if (!id.toLowerCase().startsWith(prefix.toLowerCase())) return undefined;
  const name = id.slice(prefix.length);
  return isAlertName(name) ? name : undefined;
}
