import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import { ALERT_DEFINITIONS, type AlertName, type AlertSettings } from './definitions.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's audit activities for alerts; codes never change once shipped. */
export const ALERT_ACTIVITIES = {
  configurationUpdate: activity('alerts.configuration.update', 'Update alert setting in PIM', 'Update'),
  dismiss: activity('alerts.alert.dismiss', 'Dismiss alert in PIM', 'Update'),
  incidentsChange: activity('alerts.alert.scan', 'Alert incidents changed in PIM', 'Update'),
} as const;

const target = (
  id: string,
  name: AlertName,
  modified: TargetResource['modifiedProperties'],
): TargetResource => ({
  id,
  displayName: ALERT_DEFINITIONS[name].displayName,
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

export interface AlertConfigurationState {
  isEnabled: boolean;
  settings: AlertSettings;
}

const configurationProperties = (c: AlertConfigurationState): PropertyValue[] => [
  ['IsEnabled', c.isEnabled],
  ...Object.entries(c.settings).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v] as const),
];

/** An alert's configuration changed (audit only). */
export const alertConfigurationUpdated = (
  id: string,
  name: AlertName,
  before: AlertConfigurationState,
  after: AlertConfigurationState,
): DomainEvent => ({
  type: 'alerts.configurationUpdated',
  audit: [
    {
      activity: ALERT_ACTIVITIES.configurationUpdate,
      targets: [
        target(id, name, updatedProperties(configurationProperties(before), configurationProperties(after))),
      ],
    },
  ],
});

/** An administrator dismissed an active alert (audit only). */
export const alertDismissed = (id: string, name: AlertName, incidentCount: number): DomainEvent => ({
  type: 'alerts.dismissed',
  audit: [
    {
      activity: ALERT_ACTIVITIES.dismiss,
      targets: [target(id, name, updatedProperties([['IsActive', true]], [['IsActive', false]]))],
      additionalDetails: [{ key: 'IncidentCount', value: String(incidentCount) }],
    },
  ],
});

/**
 * A scan changed an alert's incidents. Published (payload) so that consumers such as notifications
 * can tell Security Administrators about new incidents.
 */
export function alertIncidentsChanged(
  id: string,
  name: AlertName,
  tenantId: string,
  raised: readonly string[],
  cleared: readonly string[],
  incidentCount: number,
): DomainEvent {
  const definition = ALERT_DEFINITIONS[name];
  return {
    type: 'alerts.incidentsChanged',
    audit: [
      {
        activity: ALERT_ACTIVITIES.incidentsChange,
        targets: [target(id, name, [])],
        additionalDetails: [
          { key: 'IncidentCount', value: String(incidentCount) },
          { key: 'RaisedIncidents', value: String(raised.length) },
          { key: 'ClearedIncidents', value: String(cleared.length) },
          { key: 'SeverityLevel', value: definition.severityLevel },
        ],
      },
    ],
    payload: {
      tenantId,
      alertId: id,
      alertDefinitionId: id,
      severityLevel: definition.severityLevel,
      incidentCount,
      raisedIncidentIds: raised.slice(0, 100),
      clearedIncidentIds: cleared.slice(0, 100),
    },
  };
}
