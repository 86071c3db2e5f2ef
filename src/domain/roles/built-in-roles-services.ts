// Catalogue, part 2: built-in roles over applications, security operations and the services that
// sit on the directory. Descriptions are Elevate's own; action strings follow Entra's naming.
import * as id from './built-in-role-ids.js';
import { defineBuiltInRole as role } from './role-definition.js';
import type { RoleDefinition } from './role-definition.js';

const PRIVILEGED = true;
const STANDARD = false;

/** `microsoft.directory/<resource>/<verb>` for each verb. */
const dir = (resource: string, ...verbs: string[]): string[] =>
  verbs.map((verb) => `microsoft.directory/${resource}/${verb}`);

const SUPPORT = [
  'microsoft.office365.supportTickets/allEntities/allTasks',
  'microsoft.office365.serviceHealth/allEntities/allTasks',
];
const UNIFIED_GROUPS = dir('groups.unified', 'create', 'delete', 'restore', 'basic/update', 'members/update');
const SECURITY_READS = [
  ...dir('identityProtection', 'allProperties/read'),
  ...dir('auditLogs', 'allProperties/read'),
  ...dir('signInReports', 'allProperties/read'),
  ...dir('privilegedIdentityManagement', 'allProperties/read'),
];
const APP_MANAGEMENT = [
  ...dir('applications', 'create', 'delete', 'restore', 'allProperties/update', 'credentials/update'),
  ...dir('applications', 'owners/update', 'permissions/update'),
  ...dir('servicePrincipals', 'create', 'delete', 'allProperties/update', 'credentials/update'),
  ...dir('servicePrincipals', 'owners/update', 'appRoleAssignedTo/update'),
  ...dir('applicationPolicies', 'create', 'delete', 'basic/update'),
  ...dir('oAuth2PermissionGrants', 'allProperties/allTasks'),
];

/** Roles over applications, security operations and Microsoft 365 services. */
export const SERVICE_ROLES: readonly RoleDefinition[] = [
  role(
    id.SECURITY_OPERATOR,
    'Security Operator',
    PRIVILEGED,
    'Can investigate and respond to security alerts and risky users, and read security reports and settings.',
    [
      ...SECURITY_READS,
      ...dir('identityProtection', 'riskyUsers/update'),
      'microsoft.office365.protectionCenter/alerts/allProperties/allTasks',
    ],
  ),
  role(
    id.SECURITY_READER,
    'Security Reader',
    PRIVILEGED,
    'Can read security information, reports and settings across the tenant, but change nothing.',
    [
      ...SECURITY_READS,
      ...dir('conditionalAccessPolicies', 'standard/read'),
      ...dir('namedLocations', 'standard/read'),
      ...dir('bitlockerKeys', 'key/read'),
      'microsoft.office365.protectionCenter/allEntities/standard/read',
    ],
  ),
  role(
    id.EXCHANGE_ADMINISTRATOR,
    'Exchange Administrator',
    STANDARD,
    'Can manage Exchange Online, including every mailbox, mail flow rules and Microsoft 365 groups.',
    [...UNIFIED_GROUPS, 'microsoft.office365.exchange/allEntities/basic/allTasks', ...SUPPORT],
  ),
  role(
    id.SHAREPOINT_ADMINISTRATOR,
    'SharePoint Administrator',
    STANDARD,
    'Can manage SharePoint Online and OneDrive, including every site, and Microsoft 365 groups.',
    [...UNIFIED_GROUPS, 'microsoft.office365.sharePoint/allEntities/allTasks', ...SUPPORT],
  ),
  role(
    id.TEAMS_ADMINISTRATOR,
    'Teams Administrator',
    STANDARD,
    'Can manage Microsoft Teams, including teams, meetings, calling and the Microsoft 365 groups behind teams.',
    [...UNIFIED_GROUPS, 'microsoft.teams/allEntities/allProperties/allTasks', ...SUPPORT],
  ),
  role(
    id.APPLICATION_ADMINISTRATOR,
    'Application Administrator',
    PRIVILEGED,
    'Can create and manage every app registration and enterprise application, their credentials and application proxy.',
    [...APP_MANAGEMENT, ...dir('connectors', 'create', 'allProperties/read'), ...SUPPORT],
  ),
  role(
    id.CLOUD_APPLICATION_ADMINISTRATOR,
    'Cloud Application Administrator',
    PRIVILEGED,
    'Can create and manage every app registration and enterprise application and their credentials, but not application proxy.',
    [...APP_MANAGEMENT, ...SUPPORT],
  ),
  role(
    id.APPLICATION_DEVELOPER,
    'Application Developer',
    PRIVILEGED,
    'Can register applications and consent for themselves even when ordinary users may not register applications.',
    dir('applications', 'createAsOwner').concat(
      dir('servicePrincipals', 'createAsOwner'),
      dir('oAuth2PermissionGrants', 'createAsOwner'),
    ),
  ),
  role(
    id.INTUNE_ADMINISTRATOR,
    'Intune Administrator',
    PRIVILEGED,
    'Can manage Intune, including device compliance and configuration, and the security groups it targets.',
    [
      ...dir('devices', 'create', 'delete', 'disable', 'enable', 'basic/update'),
      ...dir('bitlockerKeys', 'key/read'),
      ...dir('groups.security', 'create', 'delete', 'basic/update', 'members/update'),
      'microsoft.intune/allEntities/allTasks',
      ...SUPPORT,
    ],
  ),
  role(
    id.BILLING_ADMINISTRATOR,
    'Billing Administrator',
    STANDARD,
    'Can buy and manage subscriptions, invoices and payment details, and open support tickets.',
    [
      ...dir('organization', 'basic/update'),
      'microsoft.commerce.billing/allEntities/allProperties/allTasks',
      ...SUPPORT,
    ],
  ),
  role(
    id.LICENSE_ADMINISTRATOR,
    'License Administrator',
    STANDARD,
    'Can assign, remove and update product licenses on users and groups.',
    [
      ...dir('users', 'assignLicense', 'usageLocation/update'),
      ...dir('groups', 'assignLicense', 'reprocessLicenseAssignment'),
    ],
  ),
  role(
    id.COMPLIANCE_ADMINISTRATOR,
    'Compliance Administrator',
    STANDARD,
    'Can manage compliance features such as retention, data loss prevention and eDiscovery settings.',
    [
      ...dir('entitlementManagement', 'allProperties/read'),
      'microsoft.office365.complianceManager/allEntities/allTasks',
      ...SUPPORT,
    ],
  ),
  role(id.REPORTS_READER, 'Reports Reader', STANDARD, 'Can read sign-in and audit logs and usage reports.', [
    ...dir('auditLogs', 'allProperties/read'),
    ...dir('signInReports', 'allProperties/read'),
    ...dir('provisioningLogs', 'allProperties/read'),
    'microsoft.office365.usageReports/allEntities/allProperties/read',
  ]),
  role(
    id.CLOUD_DEVICE_ADMINISTRATOR,
    'Cloud Device Administrator',
    PRIVILEGED,
    'Can enable, disable and delete devices, and read their BitLocker keys and local administrator passwords.',
    [
      ...dir('devices', 'delete', 'disable', 'enable', 'standard/read'),
      ...dir('bitlockerKeys', 'key/read'),
      ...dir('deviceLocalCredentials', 'password/read'),
      ...dir('deviceRegistrationPolicy', 'basic/update'),
    ],
  ),
  role(
    id.POWER_PLATFORM_ADMINISTRATOR,
    'Power Platform Administrator',
    STANDARD,
    'Can manage Power Platform and Dynamics 365 environments, including their data loss prevention policies.',
    [
      'microsoft.powerApps/allEntities/allTasks',
      'microsoft.dynamics365/allEntities/allTasks',
      'microsoft.flow/allEntities/allTasks',
      ...SUPPORT,
    ],
  ),
  role(
    id.SERVICE_SUPPORT_ADMINISTRATOR,
    'Service Support Administrator',
    STANDARD,
    'Can read service health and service announcements, and open and manage support tickets with Microsoft.',
    [
      ...SUPPORT,
      'microsoft.azure.supportTickets/allEntities/allTasks',
      'microsoft.azure.serviceHealth/allEntities/allTasks',
      'microsoft.office365.messageCenter/messages/read',
    ],
  ),
];
