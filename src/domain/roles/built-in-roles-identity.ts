// Catalogue, part 1: built-in roles over identities, directory objects and the directory itself.
// Descriptions are Elevate's own; action strings follow Entra's naming and are illustrative.
import * as id from './built-in-role-ids.js';
import { defineBuiltInRole as role } from './role-definition.js';
import type { RoleDefinition } from './role-definition.js';

const PRIVILEGED = true;
const STANDARD = false;

/** `microsoft.directory/<resource>/<verb>` for each verb. */
const dir = (resource: string, ...verbs: string[]): string[] =>
  verbs.map((verb) => `microsoft.directory/${resource}/${verb}`);

const SUPPORT = ['microsoft.azure.supportTickets/allEntities/allTasks'];
const AUTH_METHODS = dir('users/authenticationMethods', 'create', 'delete', 'standard/read', 'basic/update');

/** Roles over identities, the directory and its security settings. */
export const IDENTITY_ROLES: readonly RoleDefinition[] = [
  role(
    id.GLOBAL_ADMINISTRATOR,
    'Global Administrator',
    PRIVILEGED,
    'Can manage every aspect of the directory and of the services that use it, including who holds every other role.',
    [
      'microsoft.directory/*/allProperties/allTasks',
      'microsoft.azure.serviceHealth/allEntities/allTasks',
      ...SUPPORT,
      'microsoft.commerce.billing/allEntities/allProperties/allTasks',
      'microsoft.intune/allEntities/allTasks',
      'microsoft.office365.exchange/allEntities/basic/allTasks',
      'microsoft.office365.sharePoint/allEntities/allTasks',
      'microsoft.office365.protectionCenter/allEntities/allProperties/allTasks',
      'microsoft.powerApps/allEntities/allTasks',
      'microsoft.teams/allEntities/allProperties/allTasks',
    ],
  ),
  role(
    id.PRIVILEGED_ROLE_ADMINISTRATOR,
    'Privileged Role Administrator',
    PRIVILEGED,
    'Can assign and approve every directory role and edit role settings, so it can make anyone a Global Administrator.',
    [
      ...dir('roleAssignments', 'allProperties/allTasks'),
      ...dir('roleDefinitions', 'allProperties/allTasks'),
      ...dir('privilegedIdentityManagement', 'allProperties/allTasks'),
      ...dir('roleManagementPolicies', 'allProperties/allTasks'),
      ...dir('administrativeUnits', 'allProperties/allTasks'),
      ...dir('accessReviews/definitions.directoryRoles', 'allProperties/allTasks'),
      ...dir('authorizationPolicy', 'allProperties/allTasks'),
      ...dir('servicePrincipals', 'appRoleAssignedTo/update'),
      ...dir('oAuth2PermissionGrants', 'allProperties/allTasks'),
    ],
  ),
  role(
    id.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    'Privileged Authentication Administrator',
    PRIVILEGED,
    'Can set or reset the authentication methods and password of any user, administrators included.',
    [
      ...AUTH_METHODS,
      ...dir('users', 'password/update', 'strongAuthentication/update', 'invalidateAllRefreshTokens'),
      ...dir('users', 'basic/update'),
      ...SUPPORT,
    ],
  ),
  role(
    id.SECURITY_ADMINISTRATOR,
    'Security Administrator',
    PRIVILEGED,
    'Can manage security features such as Identity Protection, Conditional Access and security defaults, and read security reports.',
    [
      ...dir('identityProtection', 'allProperties/read', 'allProperties/update'),
      ...dir('conditionalAccessPolicies', 'create', 'delete', 'standard/read', 'basic/update'),
      ...dir('namedLocations', 'create', 'delete', 'standard/read', 'basic/update'),
      ...dir('auditLogs', 'allProperties/read'),
      ...dir('signInReports', 'allProperties/read'),
      ...dir('privilegedIdentityManagement', 'allProperties/read'),
      ...dir('bitlockerKeys', 'key/read'),
      ...dir('policies', 'standard/read', 'basic/update'),
      'microsoft.office365.protectionCenter/allEntities/allProperties/allTasks',
    ],
  ),
  role(
    id.GLOBAL_READER,
    'Global Reader',
    PRIVILEGED,
    'Can read everything a Global Administrator can see in the directory and its services, but change nothing.',
    [
      'microsoft.directory/*/allProperties/read',
      'microsoft.commerce.billing/allEntities/allProperties/read',
      'microsoft.intune/allEntities/read',
      'microsoft.office365.exchange/allEntities/standard/read',
      'microsoft.office365.sharePoint/allEntities/allProperties/read',
      'microsoft.office365.protectionCenter/allEntities/allProperties/read',
      'microsoft.teams/allEntities/allProperties/read',
    ],
  ),
  role(
    id.USER_ADMINISTRATOR,
    'User Administrator',
    PRIVILEGED,
    'Can create and manage users and groups, manage their licenses, and reset passwords of non-administrators.',
    [
      ...dir('users', 'create', 'delete', 'restore', 'disable', 'enable', 'basic/update', 'manager/update'),
      ...dir(
        'users',
        'password/update',
        'invalidateAllRefreshTokens',
        'assignLicense',
        'userPrincipalName/update',
      ),
      ...dir('groups', 'create', 'delete', 'restore', 'basic/update', 'members/update', 'owners/update'),
      ...dir('contacts', 'create', 'delete', 'basic/update'),
      ...SUPPORT,
    ],
  ),
  role(
    id.HELPDESK_ADMINISTRATOR,
    'Helpdesk Administrator',
    PRIVILEGED,
    'Can reset passwords and revoke sessions of non-administrators and other Helpdesk Administrators.',
    [
      ...dir('users', 'password/update', 'invalidateAllRefreshTokens'),
      ...dir('bitlockerKeys', 'key/read'),
      ...SUPPORT,
    ],
  ),
  role(
    id.PASSWORD_ADMINISTRATOR,
    'Password Administrator',
    PRIVILEGED,
    'Can reset passwords of non-administrators and of other Password Administrators.',
    [...dir('users', 'password/update'), 'microsoft.office365.webPortal/allEntities/standard/read'],
  ),
  role(
    id.AUTHENTICATION_ADMINISTRATOR,
    'Authentication Administrator',
    PRIVILEGED,
    'Can set or reset the authentication methods and password of users who hold no administrator role.',
    [
      ...AUTH_METHODS,
      ...dir('users', 'password/update', 'invalidateAllRefreshTokens'),
      ...dir('deletedItems.users', 'restore'),
      ...SUPPORT,
    ],
  ),
  role(
    id.GROUPS_ADMINISTRATOR,
    'Groups Administrator',
    STANDARD,
    'Can create and manage groups, their members, owners and settings, except groups that can hold roles.',
    [
      ...dir('groups', 'create', 'delete', 'restore', 'basic/update', 'members/update', 'owners/update'),
      ...dir('groups', 'settings/update', 'dynamicMembershipRule/update', 'classification/update'),
      ...dir('groupSettings', 'create', 'delete', 'basic/update'),
      ...dir('deletedItems.groups', 'delete', 'restore'),
    ],
  ),
  role(
    id.CONDITIONAL_ACCESS_ADMINISTRATOR,
    'Conditional Access Administrator',
    PRIVILEGED,
    'Can create and change Conditional Access policies and named locations, which decide who may sign in and how.',
    [
      ...dir('conditionalAccessPolicies', 'create', 'delete', 'standard/read', 'basic/update'),
      ...dir('conditionalAccessPolicies', 'owners/update', 'tenantDefault/update'),
      ...dir('namedLocations', 'create', 'delete', 'standard/read', 'basic/update'),
    ],
  ),
  role(
    id.HYBRID_IDENTITY_ADMINISTRATOR,
    'Hybrid Identity Administrator',
    PRIVILEGED,
    'Can manage synchronization from on-premises directories, pass-through authentication, seamless single sign-on and federation.',
    [
      ...dir('onPremisesSynchronization', 'standard/read', 'basic/update'),
      ...dir('organization', 'dirSync/update'),
      ...dir('hybridAuthenticationPolicy', 'allProperties/allTasks'),
      ...dir('domains', 'federation/update'),
      ...dir('servicePrincipals', 'synchronization/standard/read'),
    ],
  ),
  role(
    id.IDENTITY_GOVERNANCE_ADMINISTRATOR,
    'Identity Governance Administrator',
    STANDARD,
    'Can manage access reviews, access packages in entitlement management and lifecycle workflows.',
    [
      ...dir('accessReviews/definitions.applications', 'allProperties/allTasks'),
      ...dir('accessReviews/definitions.entitlementManagement', 'allProperties/allTasks'),
      ...dir('accessReviews/definitions.groups', 'allProperties/allTasks'),
      ...dir('entitlementManagement', 'allProperties/allTasks'),
      ...dir('lifecycleWorkflows/workflows', 'allProperties/allTasks'),
    ],
  ),
  role(
    id.DIRECTORY_READERS,
    'Directory Readers',
    STANDARD,
    'Can read basic directory information such as users, groups and applications, and is meant for applications rather than people.',
    [
      ...dir('users', 'standard/read'),
      ...dir('groups', 'standard/read'),
      ...dir('contacts', 'standard/read'),
      ...dir('devices', 'standard/read'),
      ...dir('applications', 'standard/read'),
      ...dir('servicePrincipals', 'standard/read'),
      ...dir('roleAssignments', 'standard/read'),
      ...dir('roleDefinitions', 'standard/read'),
      ...dir('organization', 'standard/read'),
    ],
  ),
  role(
    id.DIRECTORY_WRITERS,
    'Directory Writers',
    PRIVILEGED,
    'Can read and write basic information on users and groups, and is meant for applications rather than people.',
    [
      ...dir(
        'users',
        'create',
        'disable',
        'enable',
        'basic/update',
        'manager/update',
        'invalidateAllRefreshTokens',
      ),
      ...dir('groups', 'create', 'basic/update', 'members/update', 'owners/update'),
      ...dir('servicePrincipals', 'appRoleAssignedTo/update'),
    ],
  ),
  role(
    id.ATTRIBUTE_DEFINITION_ADMINISTRATOR,
    'Attribute Definition Administrator',
    STANDARD,
    'Can define and manage custom security attributes and attribute sets, but cannot assign their values.',
    [
      ...dir('attributeSets', 'allProperties/allTasks'),
      ...dir('customSecurityAttributeDefinitions', 'allProperties/allTasks'),
    ],
  ),
  role(
    id.ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR,
    'Attribute Assignment Administrator',
    STANDARD,
    'Can assign custom security attribute values to users, applications and devices.',
    [
      ...dir('attributeSets', 'allProperties/read'),
      ...dir('customSecurityAttributeDefinitions', 'allProperties/read'),
      ...dir('users/customSecurityAttributes', 'read', 'update'),
      ...dir('servicePrincipals/customSecurityAttributes', 'read', 'update'),
      ...dir('devices/customSecurityAttributes', 'read', 'update'),
    ],
  ),
  role(
    id.DOMAIN_NAME_ADMINISTRATOR,
    'Domain Name Administrator',
    PRIVILEGED,
    'Can add, verify, change and remove custom domain names, which decide whose sign-ins the tenant accepts.',
    dir('domains', 'create', 'delete', 'basic/update', 'verify', 'allProperties/read'),
  ),
];
