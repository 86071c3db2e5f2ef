import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import { isHttpType, type Connector, type ConnectorLogin, type ConnectorMapping } from './connector.js';
import type { ActualGrant, TargetGrantRecord } from './grant.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's own activities for connectors (ADR 0030); codes never change. */
export const CONNECTOR_ACTIVITIES = {
  create: activity('connectors.connector.create', 'Add connector', 'Add'),
  update: activity('connectors.connector.update', 'Update connector', 'Update'),
  delete: activity('connectors.connector.delete', 'Remove connector', 'Delete'),
  addMapping: activity('connectors.mapping.create', 'Add connector mapping', 'Add'),
  removeMapping: activity('connectors.mapping.delete', 'Remove connector mapping', 'Delete'),
  setLogin: activity('connectors.login.set', 'Set connector login', 'Update'),
  removeLogin: activity('connectors.login.delete', 'Remove connector login', 'Delete'),
  grant: activity('connectors.grant.apply', 'Grant access in target system', 'Assign'),
  revoke: activity('connectors.grant.revoke', 'Revoke access in target system', 'Unassign'),
  drift: activity('connectors.drift.repair', 'Repair access removed outside Elevate', 'Assign'),
  unmanaged: activity('connectors.drift.unmanaged', 'Access granted outside Elevate found', 'Other'),
  unreachable: activity('connectors.target.unreachable', 'Target system unreachable', 'Other'),
} as const;

/** A URL for the audit log without its query (a receiver's URL may carry a token there). */
const withoutQuery = (url: string | null) => {
  if (url === null) return null;
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/** Webhook and SCIM settings (ADR 0039). */
const httpProperties = (c: Connector): PropertyValue[] => [
  ['Url', withoutQuery(c.settings.url)],
  ...(c.type === 'webhook'
    ? ([
        ['ListUrl', withoutQuery(c.settings.listUrl)],
        ['EndSessions', c.settings.endSessions],
      ] satisfies PropertyValue[])
    : ([['ScimUserAttribute', c.settings.scimUserAttribute]] satisfies PropertyValue[])),
];

const properties = (c: Connector): PropertyValue[] => [
  ['DisplayName', c.displayName],
  ['Type', c.type],
  ['Host', c.settings.host],
  ['Port', c.settings.port],
  ['Database', c.settings.database],
  ['Username', c.settings.username],
  ['CreateLogins', c.settings.createLogins],
  ['UserDnTemplate', c.settings.userDnTemplate],
  ...(isHttpType(c.type) ? httpProperties(c) : []),
  ['LoginSource', c.loginSource],
  ['IsEnabled', c.isEnabled],
];

const connectorTarget = (
  c: Pick<Connector, 'id' | 'displayName'>,
  modified: TargetResource['modifiedProperties'],
) =>
  ({
    id: c.id,
    displayName: c.displayName,
    type: 'Other',
    userPrincipalName: null,
    modifiedProperties: modified,
  }) satisfies TargetResource;

export const connectorCreated = (c: Connector): DomainEvent => ({
  type: 'connectors.connectorCreated',
  audit: [
    { activity: CONNECTOR_ACTIVITIES.create, targets: [connectorTarget(c, addedProperties(properties(c)))] },
  ],
});

export const connectorUpdated = (
  before: Connector,
  after: Connector,
  secretChanged: boolean,
): DomainEvent => ({
  type: 'connectors.connectorUpdated',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.update,
      targets: [
        connectorTarget(
          after,
          updatedProperties(properties(before), properties(after), secretChanged ? ['Secret'] : []),
        ),
      ],
    },
  ],
});

export const connectorDeleted = (c: Connector): DomainEvent => ({
  type: 'connectors.connectorDeleted',
  audit: [{ activity: CONNECTOR_ACTIVITIES.delete, targets: [connectorTarget(c, [])] }],
});

const mappingProperties = (m: ConnectorMapping): PropertyValue[] => [
  ['Source', m.source],
  ['SourceId', m.sourceId],
  ['DirectoryScopeId', m.directoryScopeId],
  ['TargetGrant', m.targetGrant],
];

export const mappingCreated = (c: Connector, m: ConnectorMapping): DomainEvent => ({
  type: 'connectors.mappingCreated',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.addMapping,
      targets: [
        connectorTarget(c, []),
        {
          ...connectorTarget({ id: m.id, displayName: m.targetGrant }, addedProperties(mappingProperties(m))),
        },
      ],
    },
  ],
});

export const mappingDeleted = (c: Connector, m: ConnectorMapping): DomainEvent => ({
  type: 'connectors.mappingDeleted',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.removeMapping,
      targets: [connectorTarget(c, []), connectorTarget({ id: m.id, displayName: m.targetGrant }, [])],
    },
  ],
});

/** The user whose login a connector maps, with the login before and after (audit). */
const loginTarget = (principalId: string, before: string | null, after: string | null): TargetResource => ({
  id: principalId,
  displayName: after ?? before ?? '',
  type: 'User',
  userPrincipalName: null,
  modifiedProperties: updatedProperties([['Login', before]], [['Login', after]]),
});

/** An explicit login set (new or replacing `before`) for a user in a connector. */
export const loginSet = (c: Connector, l: ConnectorLogin, before: string | null): DomainEvent => ({
  type: 'connectors.loginSet',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.setLogin,
      targets: [connectorTarget(c, []), loginTarget(l.principalId, before, l.login)],
    },
  ],
});

/** An explicit login removed: the user's login is derived from the userPrincipalName again. */
export const loginRemoved = (c: Connector, l: ConnectorLogin): DomainEvent => ({
  type: 'connectors.loginRemoved',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.removeLogin,
      targets: [connectorTarget(c, []), loginTarget(l.principalId, l.login, null)],
    },
  ],
});

/** The facts consumers of a grant event read: ids and times, no secrets. */
const grantPayload = (c: Connector, r: TargetGrantRecord) => ({
  connectorId: c.id,
  connectorType: c.type,
  grantId: r.id,
  mappingId: r.mappingId,
  principalId: r.principalId,
  login: r.login,
  target: r.target,
  scheduleId: r.scheduleId,
  requestedAt: r.requestedAt,
  approvedAt: r.approvedAt,
  effectiveAt: r.effectiveAt,
  endedAt: r.endedAt,
  revokedAt: r.revokedAt,
});

const grantTargets = (c: Connector, r: TargetGrantRecord): TargetResource[] => [
  connectorTarget(c, []),
  {
    id: r.principalId,
    displayName: r.login,
    type: 'User',
    userPrincipalName: null,
    modifiedProperties: addedProperties([
      ['Target', r.target],
      ['Login', r.login],
    ]),
  },
];

export const grantApplied = (c: Connector, r: TargetGrantRecord, drifted: boolean): DomainEvent => ({
  type: drifted ? 'connectors.driftRepaired' : 'connectors.grantApplied',
  audit: [
    {
      activity: drifted ? CONNECTOR_ACTIVITIES.drift : CONNECTOR_ACTIVITIES.grant,
      targets: grantTargets(c, r),
      ...(drifted ? { additionalDetails: [{ key: 'Drift', value: 'removed outside Elevate' }] } : {}),
    },
  ],
  payload: { ...grantPayload(c, r), drifted },
});

export const grantRevoked = (c: Connector, r: TargetGrantRecord, sessionsEnded: number): DomainEvent => ({
  type: 'connectors.grantRevoked',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.revoke,
      targets: grantTargets(c, r),
      additionalDetails: [
        { key: 'SessionsEnded', value: String(sessionsEnded) },
        ...(r.adopted ? [{ key: 'Adopted', value: 'granted before Elevate; left in the target' }] : []),
      ],
    },
  ],
  payload: { ...grantPayload(c, r), sessionsEnded },
});

/** An alert: a membership of a mapped target that Elevate did not make (it is never revoked). */
export const unmanagedGrantFound = (c: Connector, a: ActualGrant): DomainEvent => ({
  type: 'connectors.unmanagedGrantFound',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.unmanaged,
      targets: [
        connectorTarget(c, []),
        connectorTarget(
          { id: c.id, displayName: a.login },
          addedProperties([
            ['Target', a.target],
            ['Login', a.login],
          ]),
        ),
      ],
    },
  ],
  payload: { connectorId: c.id, connectorType: c.type, target: a.target, login: a.login },
});

export const targetUnreachable = (c: Connector, reason: string): DomainEvent => ({
  type: 'connectors.targetUnreachable',
  audit: [
    {
      activity: CONNECTOR_ACTIVITIES.unreachable,
      targets: [connectorTarget(c, [])],
      result: 'failure',
      resultReason: reason.slice(0, 500),
    },
  ],
  payload: { connectorId: c.id, connectorType: c.type, reason: reason.slice(0, 500) },
});
