/**
 * The JSON Schema of `elevate.yaml` (role settings and assignments as code). Published as
 * docs/schemas/elevate-config.schema.json (a test keeps the two equal) for editor completion:
 * `# yaml-language-server: $schema=<url of that file>` on the file's first line.
 */

/** ISO 8601 (`PT8H`, `P90D`, `P1DT12H`) or the CLI's short form (`8h`, `90d`, `1h30m`). */
export const DURATION_PATTERN = '^(P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+[dhms])+)$';

/** A resource scope path as Elevate registers it (docs/resources.md): `/` or `/segment/…`. */
export const SCOPE_PATH = "^(/|(/(?!\\.)[A-Za-z0-9._~@:+=,()'-]{1,256}){1,32})$";

const duration = (description: string) => ({ type: 'string', pattern: DURATION_PATTERN, description });
const flag = (description: string) => ({ type: 'boolean', description });

const approver = {
  type: 'object',
  description: 'A user (user principal name or id) or the members of a group (id).',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    user: { type: 'string', minLength: 1, description: 'user principal name or object id' },
    group: { type: 'string', minLength: 1, description: 'group object id' },
  },
};

const stage = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeoutDays: { type: 'integer', minimum: 1, maximum: 30, description: 'approvalStageTimeOutInDays' },
    requireApproverJustification: flag('isApproverJustificationRequired'),
    approvers: { type: 'array', items: approver, description: 'primaryApprovers' },
    escalationEnabled: flag('isEscalationEnabled'),
    escalationAfterMinutes: { type: 'integer', minimum: 0, description: 'escalationTimeInMinutes' },
    escalationApprovers: { type: 'array', items: approver, description: 'escalationApprovers' },
  },
};

const approval = {
  type: 'object',
  description: 'Approval_EndUser_Assignment: approval to activate.',
  additionalProperties: false,
  properties: {
    required: flag('isApprovalRequired'),
    requiredForExtension: flag('isApprovalRequiredForExtension'),
    requireRequestorJustification: flag('isRequestorJustificationRequired'),
    mode: { enum: ['SingleStage', 'Serial', 'Parallel', 'NoApproval'], description: 'approvalMode' },
    stages: { type: 'array', maxItems: 2, items: stage, description: 'approvalStages' },
  },
};

const adminLevel = (level: 'Eligibility' | 'Assignment') => ({
  type: 'object',
  description: `Expiration_Admin_${level} and Enablement_Admin_${level}: what an administrator's ${
    level === 'Eligibility' ? 'eligible' : 'active'
  } assignment must meet.`,
  additionalProperties: false,
  properties: {
    allowPermanent: flag('not isExpirationRequired: an assignment may have no end'),
    maximumDuration: duration('maximumDuration: the longest assignment (P365D)'),
    requireMfa: flag('enabledRules contains MultiFactorAuthentication'),
    requireJustification: flag('enabledRules contains Justification'),
  },
});

const recipient = (rule: string) => ({
  type: 'object',
  description: rule,
  additionalProperties: false,
  properties: {
    level: { enum: ['None', 'Critical', 'All'], description: 'notificationLevel' },
    defaultRecipients: flag('isDefaultRecipientsEnabled'),
    recipients: {
      type: 'array',
      items: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
      description: 'notificationRecipients: extra email addresses',
    },
  },
});

const notifications = (suffix: string, description: string) => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties: {
    admin: recipient(`Notification_Admin_${suffix}`),
    requestor: recipient(`Notification_Requestor_${suffix}`),
    approver: recipient(`Notification_Approver_${suffix}`),
  },
});

const roleSettings = {
  type: 'object',
  description: "A role's settings (its 17 rules). Anything left out is not managed: it stays as it is.",
  additionalProperties: false,
  properties: {
    activation: {
      type: 'object',
      description: 'What a person must meet to activate the role.',
      additionalProperties: false,
      properties: {
        maximumDuration: duration('Expiration_EndUser_Assignment.maximumDuration (PT5M to P1D)'),
        requireMfa: flag('Enablement_EndUser_Assignment: MultiFactorAuthentication'),
        requireJustification: flag('Enablement_EndUser_Assignment: Justification'),
        requireTicket: flag('Enablement_EndUser_Assignment: Ticketing'),
        authenticationContext: {
          type: ['string', 'null'],
          pattern: '^[cC][1-9][0-9]?$',
          description: 'AuthenticationContext_EndUser_Assignment: claim value (c1…c99), or null for none',
        },
        approval,
      },
    },
    eligibility: adminLevel('Eligibility'),
    assignment: adminLevel('Assignment'),
    notifications: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eligibility: notifications('Admin_Eligibility', 'when someone is made eligible'),
        assignment: notifications('Admin_Assignment', 'when someone is assigned the role active'),
        activation: notifications('EndUser_Assignment', 'when someone activates the role'),
      },
    },
  },
};

const assignment = {
  type: 'object',
  description:
    'A desired eligible or active (assigned) membership of a directory role (role, scope), of a group (group, access: member or owner), or of a resource role (resourceRole, scope).',
  additionalProperties: false,
  required: ['type', 'principal'],
  properties: {
    type: { enum: ['eligible', 'active'] },
    principal: {
      type: 'string',
      minLength: 1,
      description: 'a user principal name, or the object id of a user, group or service principal',
    },
    role: { type: 'string', minLength: 1, description: 'role display name (any case) or id' },
    scope: {
      type: 'string',
      minLength: 1,
      description:
        'directory scope id, default "/" (directory roles); the resource scope path, required (resource roles)',
    },
    resourceRole: {
      type: 'string',
      minLength: 1,
      description: 'a resource role, by role name (any case, e.g. Reader) or id, at scope',
    },
    group: {
      type: 'string',
      minLength: 1,
      description: 'PIM for Groups: group display name (any case) or id, with access',
    },
    access: { enum: ['member', 'owner'], description: "PIM for Groups: the group's member or owner access" },
    permanent: { const: true, description: 'no end' },
    expires: {
      type: 'string',
      pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d:\\d\\d)$',
      description: 'ends at this date and time (ISO 8601 with a zone, e.g. 2027-06-30T00:00:00Z)',
    },
    duration: duration('ends this long after it is created; an existing time-bound one is kept as is'),
  },
  oneOf: [{ required: ['permanent'] }, { required: ['expires'] }, { required: ['duration'] }],
  anyOf: [{ required: ['role'] }, { required: ['group', 'access'] }, { required: ['resourceRole', 'scope'] }],
};

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://elevate.dev/schemas/elevate-config.schema.json',
  title: 'Elevate role settings and assignments as code (elevate plan / apply / export)',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1 },
    roles: {
      type: 'object',
      description: 'Directory roles by display name (or id): their settings.',
      additionalProperties: roleSettings,
    },
    groups: {
      type: 'object',
      description:
        'PIM for Groups by display name (or id): the settings of their member and owner access (the same rules as a role).',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { member: roleSettings, owner: roleSettings },
      },
    },
    resources: {
      type: 'object',
      description:
        'Resource roles (Elevate only): by scope path (/prod/db, /subscriptions/…), then role name or id, the settings of that role at that scope.',
      propertyNames: { pattern: SCOPE_PATH, maxLength: 1024 },
      additionalProperties: {
        type: 'object',
        description: 'By resource role name (any case, e.g. Reader) or id: its settings at the scope.',
        additionalProperties: roleSettings,
      },
    },
    assignments: { type: 'array', items: assignment },
  },
} as const;
