/**
 * Application permissions Elevate understands, named as in Microsoft Graph so that apps
 * configured for Entra keep their meaning. `*.ReadWrite.*` implies the matching `*.Read.*`.
 */
export const APP_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'RoleManagement.Read.Directory',
  'RoleManagement.ReadWrite.Directory',
  'RoleManagementPolicy.Read.Directory',
  'RoleManagementPolicy.ReadWrite.Directory',
  'RoleManagementPolicy.Read.AzureADGroup',
  'RoleManagementPolicy.ReadWrite.AzureADGroup',
  'RoleAssignmentSchedule.ReadWrite.Directory',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'PrivilegedAccess.Read.AzureADGroup',
  'PrivilegedAccess.ReadWrite.AzureADGroup',
  'PrivilegedEligibilitySchedule.Read.AzureADGroup',
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup',
  'PrivilegedAssignmentSchedule.Read.AzureADGroup',
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  'AuditLog.Read.All',
  'AccessReview.ReadWrite.All',
  'RoleManagementAlert.Read.Directory',
  'RoleManagementAlert.ReadWrite.Directory',
  'AppRoleAssignment.ReadWrite.All',
  'AuthenticationContext.Read.All',
  'AuthenticationContext.ReadWrite.All',
  'Policy.Read.All',
  'Policy.ReadWrite.ConditionalAccess',
  'Elevate.AccessEvaluation',
  'AdministrativeUnit.Read.All',
  'AdministrativeUnit.ReadWrite.All',
] as const;

export type AppPermission = (typeof APP_PERMISSIONS)[number];

export const isAppPermission = (value: string): value is AppPermission =>
  (APP_PERMISSIONS as readonly string[]).includes(value);

/** What the bootstrap application holds: enough to automate every part of Elevate. */
export const BOOTSTRAP_APP_PERMISSIONS: AppPermission[] = [
  'Directory.ReadWrite.All',
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'Application.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'RoleManagementPolicy.ReadWrite.Directory',
  'RoleManagementPolicy.ReadWrite.AzureADGroup',
  'RoleAssignmentSchedule.ReadWrite.Directory',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'PrivilegedAccess.ReadWrite.AzureADGroup',
  'AuditLog.Read.All',
  'RoleManagementAlert.ReadWrite.Directory',
  'AccessReview.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'AuthenticationContext.ReadWrite.All',
  'Elevate.AccessEvaluation',
  'AdministrativeUnit.ReadWrite.All',
];

/** True when the granted set satisfies `needed`, counting ReadWrite as implying Read. */
export function grants(granted: readonly string[], needed: string): boolean {
  if (granted.includes(needed)) return true;
  const write = needed.replace('.Read.', '.ReadWrite.');
  if (write !== needed && granted.includes(write)) return true;
  if (needed.startsWith('User.') || needed.startsWith('Group.') || needed.startsWith('Application.')) {
    return needed.includes('.Read.')
      ? granted.includes('Directory.Read.All') || granted.includes('Directory.ReadWrite.All')
      : granted.includes('Directory.ReadWrite.All');
  }
  return false;
}

/**
 * Application permissions that can change who holds what: users, groups, applications and their
 * credentials, role assignments and PIM requests (PIM for Groups too), role settings, consent. An application holding
 * any of them is a **privileged application**, protected like a user who holds a privileged role
 * (`docs/security.md`). Read-only permissions (`AuditLog.Read.All`, `*.Read.*`) and
 * `Elevate.AccessEvaluation` (it evaluates, it changes nothing) are not privileged;
 * `AccessReview.ReadWrite.All` and `RoleManagementAlert.ReadWrite.Directory` change no access.
 */
export const PRIVILEGED_APP_PERMISSIONS: readonly AppPermission[] = [
  'RoleManagement.ReadWrite.Directory',
  'RoleManagementPolicy.ReadWrite.Directory',
  'RoleManagementPolicy.ReadWrite.AzureADGroup',
  'RoleAssignmentSchedule.ReadWrite.Directory',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'PrivilegedAccess.ReadWrite.AzureADGroup',
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup',
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  'Application.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'Directory.ReadWrite.All',
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'AuthenticationContext.ReadWrite.All',
  'Policy.ReadWrite.ConditionalAccess',
];

/** Whether `permission` is one of {@link PRIVILEGED_APP_PERMISSIONS}. */
export const isPrivilegedAppPermission = (permission: string): boolean =>
  (PRIVILEGED_APP_PERMISSIONS as readonly string[]).includes(permission);
