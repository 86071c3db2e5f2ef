import { REQUEST_ACTIONS, REQUEST_STATUSES } from '../pim/types.js';
import {
  EVENT_CATALOGUE_VERSION,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
} from './event-types.js';

// The JSON Schemas (draft-07) of the event catalogue, one per type: `docs/events/<type>.schema.json`
// is rendered from here (`npx tsx scripts/render-event-schemas.ts`; a test compares them), and the
// catalogue test validates real webhook bodies against the files. Written as schemas, not derived
// from the code that builds the bodies, so the two are checked against each other.

type Schema = Record<string, unknown>;

const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$';
const GUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const orNull = (s: Schema): Schema => {
  const { description, ...rest } = s;
  return { description, anyOf: [rest, { type: 'null' }] };
};
const object = (description: string, properties: Record<string, Schema>): Schema => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const dateTime = (description: string) => str(description, { pattern: DATE_TIME });
const guid = (description: string) => str(description, { pattern: GUID });
const url = (description: string) => orNull(str(description, { pattern: '^https?://', maxLength: 4096 }));

const principal = (description: string) =>
  object(description, {
    id: str('Object id.', { minLength: 1, maxLength: 200 }),
    type: orNull(str('user, group or servicePrincipal.', { enum: ['user', 'group', 'servicePrincipal'] })),
    displayName: orNull(str('Display name when the notification was made.')),
    userPrincipalName: orNull(str('Users only.')),
  });

const REASONS = ['deactivated', 'expired', 'revoked', 'canceled', 'removed'];

const request = object('The schedule request the event is about.', {
  id: str('Request id.', { minLength: 1, maxLength: 200 }),
  action: str('Graph action.', { enum: [...REQUEST_ACTIONS] }),
  status: str('Graph request status when the event happened.', { enum: [...REQUEST_STATUSES] }),
  justification: orNull(str("The requestor's (or administrator's) justification.")),
  ticketNumber: orNull(str('Ticket number.')),
  ticketSystem: orNull(str('Ticket system.')),
});

const approval = object('The approval of an activation request (beta roleAssignmentApprovals).', {
  id: str('Approval id (the request id).', { minLength: 1, maxLength: 200 }),
  stage: orNull({ type: 'integer', minimum: 1, description: '1-based stage the event is about.' }),
  approverJustification: orNull(str("The deciding approver's justification.")),
  deadlineDateTime: orNull(dateTime('When the waiting stage times out.')),
});

/** The `data` every event carries; types narrow some properties (see OVERRIDES). */
const DATA_PROPERTIES: Record<string, Schema> = {
  eventId: guid('Id of this notification; the same on every channel.'),
  tenantId: guid('Tenant.'),
  occurredDateTime: dateTime('When it happened (UTC).'),
  role: object('The directory role.', {
    id: guid('Role definition id (Entra template id for built-in roles).'),
    displayName: orNull(str('Role name.')),
  }),
  directoryScopeId: str('Directory scope, `/` for the whole directory.', { minLength: 1, maxLength: 400 }),
  principal: principal('Who is (or was) eligible, assigned or activating.'),
  actor: orNull(
    principal(
      'Who made it happen: the administrator, the requestor, the approver; null when Elevate did (time).',
    ),
  ),
  request: orNull(request),
  startDateTime: orNull(dateTime('Start of the window the event is about.')),
  endDateTime: orNull(dateTime('End of the window; null = permanent.')),
  schedule: orNull(
    object('The schedule (or direct role assignment) the event is about.', {
      id: str('Schedule id.', { minLength: 1, maxLength: 200 }),
      startDateTime: orNull(dateTime('Start.')),
      endDateTime: orNull(dateTime('End; null = permanent.')),
    }),
  ),
  approval: orNull(approval),
  reason: orNull(str('Why it ended or was removed.', { enum: REASONS })),
  links: object('Graph resources under the instance public URL.', {
    request: url('The schedule request.'),
    approval: url('The approval (beta).'),
    schedule: url('The schedule.'),
  }),
};

const required = (s: Schema): Schema => {
  const anyOf = s.anyOf as Schema[] | undefined;
  return anyOf === undefined ? s : { description: s.description, ...anyOf[0] };
};
const reason = (...values: string[]): Schema => str('Why it ended or was removed.', { enum: values });

/** What each type guarantees beyond the common shape (a property made non-null, a narrower enum). */
const OVERRIDES: { readonly [T in NotificationEventType]: Record<string, Schema> } = {
  'eligibility.granted': { request: required(request) },
  'eligibility.updated': { request: required(request) },
  'eligibility.removed': { reason: reason('removed', 'canceled') },
  'eligibility.expired': { reason: reason('expired'), actor: { type: 'null' } },
  'assignment.granted': {},
  'assignment.updated': { request: required(request) },
  'assignment.removed': { reason: reason('removed', 'canceled') },
  'assignment.expired': { reason: reason('expired'), actor: { type: 'null' } },
  'activation.requested': { request: required(request), approval: required(approval) },
  'activation.reminder': {
    request: required(request),
    approval: required(approval),
    actor: { type: 'null' },
  },
  'activation.escalated': {
    request: required(request),
    approval: required(approval),
    actor: { type: 'null' },
  },
  'activation.approved': { request: required(request), approval: required(approval) },
  'activation.denied': { request: required(request), approval: required(approval) },
  'activation.timedOut': {
    request: required(request),
    approval: required(approval),
    actor: { type: 'null' },
  },
  'activation.canceled': { request: required(request), reason: reason('canceled') },
  'activation.failed': { request: required(request), approval: required(approval) },
  'activation.activated': { request: required(request) },
  'activation.ended': { reason: reason('deactivated', 'expired', 'revoked') },
  'activation.endingSoon': { actor: { type: 'null' } },
  'eligibility.expiringSoon': { actor: { type: 'null' } },
  'assignment.expiringSoon': { actor: { type: 'null' } },
};

/** What each type means, for the schema's description (and docs/events.md). */
export const EVENT_DESCRIPTIONS: { readonly [T in NotificationEventType]: string } = {
  'eligibility.granted': 'An administrator made a principal eligible for a role (adminAssign, adminRenew).',
  'eligibility.updated': 'An administrator changed or extended an eligibility (adminUpdate, adminExtend).',
  'eligibility.removed': 'An eligibility was removed (adminRemove) or a future one canceled.',
  'eligibility.expired': 'An eligibility reached its end.',
  'assignment.granted':
    'A role was assigned as active: through PIM (adminAssign, adminRenew) or directly (roleAssignments).',
  'assignment.updated': 'An administrator changed or extended an active assignment.',
  'assignment.removed':
    'An active assignment was removed (adminRemove, a direct assignment deleted) or a future one canceled.',
  'assignment.expired': 'An active assignment reached its end.',
  'activation.requested':
    'A principal asked to activate a role that needs approval; sent to the approvers of the waiting stage.',
  'activation.reminder':
    'A stage of an activation request is about to time out; sent to its approvers who have not decided yet.',
  'activation.escalated':
    "Nobody decided a stage within its escalation time; sent to the stage's escalation approvers, who may decide from then on.",
  'activation.approved': 'The last approval stage approved an activation request.',
  'activation.denied': 'An approver denied an activation request.',
  'activation.timedOut': 'Nobody decided an activation request in time; it was denied.',
  'activation.canceled': 'The requestor canceled an activation request.',
  'activation.failed':
    'An approved activation request could not be carried out (for example, its eligibility ended).',
  'activation.activated': 'A role was activated (at once, or after approval).',
  'activation.ended': 'An activation ended: deactivated, expired, or revoked with its eligibility.',
  'activation.endingSoon':
    'An activation ends within its lead time (ELEVATE_ACTIVATION_ENDING_SOON_MINUTES); sent to the holder once per end.',
  'eligibility.expiringSoon':
    'An eligibility ends within its lead time (ELEVATE_EXPIRING_SOON_DAYS); sent to the principal once per end.',
  'assignment.expiringSoon':
    'An active assignment an administrator made ends within its lead time (ELEVATE_EXPIRING_SOON_DAYS); sent to the principal once per end.',
};

/** The JSON Schema of a webhook body of one event type. */
export function eventSchema(type: NotificationEventType): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: type,
    description: `${EVENT_DESCRIPTIONS[type]} Elevate event catalogue version ${EVENT_CATALOGUE_VERSION}.`,
    type: 'object',
    additionalProperties: false,
    required: ['type', 'version', 'timestamp', 'data'],
    properties: {
      type: { const: type },
      version: { const: EVENT_CATALOGUE_VERSION },
      timestamp: dateTime('When it happened (UTC); the same as data.occurredDateTime.'),
      data: {
        type: 'object',
        additionalProperties: false,
        required: Object.keys(DATA_PROPERTIES),
        properties: { ...DATA_PROPERTIES, ...OVERRIDES[type] },
      },
    },
  };
}

/** Every schema file: its name under docs/events/ and its text (two-space JSON, final newline). */
export function renderEventSchemas(): { file: string; text: string }[] {
  return NOTIFICATION_EVENT_TYPES.map((type) => ({
    file: `${type}.schema.json`,
    text: `${JSON.stringify(eventSchema(type), null, 2)}\n`,
  }));
}
