/**
 * Refusals for relations a JSON schema cannot state, and whether the document states them: used by
 * the OpenAPI contract test and the reliability fuzz alike.
 */

/**
 * Refusals for relations a JSON schema cannot state (between two fields, between items, or with
 * the rule a path names). Each is allowed only for its operations, and only because the operation's
 * description in the document states it (the `stated` words must appear there).
 */
export const RELATIONS: { operations: RegExp; message: RegExp; stated: string }[] = [
  {
    operations: /accessReviews\/definitions/,
    message: /^instanceDurationInDays \(\d+\) is longer than the recurrence period/,
    stated: 'longer than the recurrence period',
  },
  {
    operations: /accessReviews\/definitions/,
    message: /^A recurrence of type endDate needs/,
    stated: 'without an endDate on or after its startDate',
  },
  {
    operations: /accessReviews\/definitions/,
    message: /^A recurrence of type numbered needs/,
    stated: 'without numberOfOccurrences of at least 1',
  },
  {
    operations: /accessReviews\/definitions/,
    message: /^A fallback reviewer cannot be the manager/,
    stated: 'a fallback reviewer cannot be the manager',
  },
  {
    operations: /accessReviews\/definitions\/\{id\}$/,
    message: /^The scope of a definition cannot be changed/,
    stated: 'the scope cannot be changed',
  },
  {
    operations: /authenticationContextClassReferences\/\{id\}$/,
    message: /^id in the body must be the id of the path/,
    stated: 'must be the id of the path',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^elevateMfaMaxAgeMinutes applies to activation only/,
    stated: 'another rule than activation',
  },
  {
    operations: /roleManagementPolicies/,
    message: /names no authentication context/,
    stated: 'names no authentication context',
  },
  {
    operations: /authenticationContextClassReferences\/\{id\}$/,
    message: /^(displayName|elevateRequirement) is required/,
    stated: 'A new context needs',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^@elevate\.approvalsRequired is \d+ but the stage names only/,
    stated: 'above the number of named users',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^@elevate\.reminderBeforeTimeOutInMinutes must be/,
    stated: '`@elevate.reminderBeforeTimeOutInMinutes` not below the stage timeout',
  },
  {
    operations: /notifications\/email$/,
    message: /^(host|fromAddress) is required to set up the email channel/,
    stated: 'host and fromAddress are required to set up the channel',
  },
  {
    operations: /notifications\/email$/,
    message: /^username and password go together/,
    stated: 'username and password go together',
  },
  {
    operations: /notifications\/email$/,
    message: /^SMTP credentials are sent only over TLS/,
    stated: 'credentials only with tls or starttls',
  },
  {
    operations: /notifications\/(webhooks|chatChannels)/,
    message: /^url must use https:\/\//,
    stated: 'ELEVATE_NOTIFICATIONS_ALLOW_HTTP',
  },
  {
    operations: /elevate\/connectors/,
    message: /^settings\.username( \(the bind DN\))? is required/,
    stated: 'settings.username is required for postgresql, mariadb and ldap',
  },
  {
    operations: /elevate\/connectors/,
    message: /^settings\.host is required for postgresql/,
    stated: 'settings.host is required for postgresql, mariadb, redis and ldap',
  },
  {
    operations: /elevate\/connectors/,
    message: /^settings\.url is required for webhook and scim/,
    stated: 'settings.url is required for webhook and scim',
  },
  {
    operations: /elevate\/connectors/,
    message: /^settings\.(url|listUrl) must use https:\/\//,
    stated: 'ELEVATE_NOTIFICATIONS_ALLOW_HTTP',
  },
  {
    operations: /elevate\/connectors/,
    message: /^secret of a webhook connector must be 'whsec_'/,
    stated: 'webhook secret must be a Standard Webhooks whsec_ secret',
  },
  {
    operations: /elevate\/connectors/,
    message: /^settings\.userDnTemplate is required for LDAP/,
    stated: 'settings.userDnTemplate, containing {login}, is required for ldap',
  },
  {
    operations: /ssf\/streams/,
    message: /^delivery\.endpoint_url must use https:\/\//,
    stated: 'ELEVATE_SSF_ALLOW_HTTP',
  },
  {
    operations: /elevate\/connectors\/\{id\}\/logins\/\{principalId\}$/,
    message: /^The user does not exist in this tenant/,
    stated: 'The user must exist in the tenant',
  },
  {
    operations: /elevate\/connectors\/\{id\}\/logins\/\{principalId\}$/,
    message: /^Another user of this connector already has that login/,
    stated: 'no other user of the connector may have the login',
  },
  {
    operations: /elevate\/decisionHooks/,
    message: /^url must use https:\/\//,
    stated: 'ELEVATE_NOTIFICATIONS_ALLOW_HTTP',
  },
  {
    operations: /roleManagementPolicies/,
    message: /names no decision hook of this tenant/,
    stated: 'names no decision hook of the tenant',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^@elevate\.ticketValidationHookId applies to activation only/,
    stated: 'on another rule than activation',
  },
  { operations: /addPassword$/, message: /^endDateTime must be after startDateTime/, stated: 'not after' },
  {
    operations: /ScheduleRequests$/,
    message: /^An expiration (of type \w+ (cannot have|needs)|may have)/,
    stated: 'wrong companion',
  },
  {
    operations: /ScheduleRequests$/,
    message: /^The schedule must end after it starts/,
    stated: 'at or before its start',
  },
  {
    operations: /addPassword$/,
    message: /^A client secret may be valid for at most two years/,
    stated: 'two years',
  },
  {
    operations: /roleManagementPolicies\/\{id\}$/,
    message: /^Rule '\w+' is given twice/,
    stated: 'given twice',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^maximumDuration of \w+ must be from/,
    stated: "rule's bounds",
  },
  {
    operations: /roleManagementPolicies/,
    message: /^maximumDuration is required when/,
    stated: 'isExpirationRequired',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^Activations are always time-bound/,
    stated: 'always true for activation',
  },
  { operations: /roleManagementPolicies/, message: /cannot be required by/, stated: 'a rule does not take' },
  {
    operations: /roleManagementPolicies/,
    message: /^claimValue is required when isEnabled/,
    stated: 'without a `claimValue`',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^approvalMode \w+ takes/,
    stated: 'wrong number of `approvalStages`',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^approvalMode NoApproval cannot be combined/,
    stated: 'NoApproval with',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^escalationTimeInMinutes must be/,
    stated: 'not below the stage timeout',
  },
  {
    operations: /roleManagementPolicies/,
    message: /^escalationApprovers must not be empty/,
    stated: 'also needs `escalationApprovers`',
  },
  {
    operations: /\/users(\/\{id\})?$/,
    message: /(must not contain invisible characters|mixes scripts)/,
    stated: 'look-alike names',
  },
  {
    operations: /\/users(\/\{id\})?$/,
    message: /^(This password is|The password must|This password contains)/,
    stated: 'password rules',
  },
  {
    operations: /rules\/\{ruleId\}$/,
    message: /the body must carry that '@odata\.type'/,
    stated: 'the derived `@odata.type` of the rule',
  },
  { operations: /rules\/\{ruleId\}$/, message: /does not match the rule id/, stated: "the rule's own" },
  {
    operations: /access\/v1\/evaluations$/,
    message: /^Each evaluation needs a subject, action and resource/,
    stated: 'given on it or once at the top level',
  },
  {
    operations: /auditLogs\/export$/,
    message: /`to` must be after `from`/,
    stated: '`to` must be after `from`',
  },
];

/**
 * Whether a 400 `invalidRequest` with `message` from the operation at `path` is one of the
 * relations above, stated in the operation's `description`.
 */
export function statedRelation(path: string, description: string | undefined, message: string): boolean {
  const relation = RELATIONS.find((r) => r.operations.test(path) && r.message.test(message));
  return relation !== undefined && (description ?? '').includes(relation.stated);
}
