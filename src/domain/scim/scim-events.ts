import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { ScimClient } from './scim-client.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'ProvisioningManagement',
    operationType,
    loggedByService: 'Core Directory',
  }) as const satisfies AuditActivity;

/** Elevate's own activities for provisioning clients (ADR 0038); codes never change. */
export const SCIM_ACTIVITIES = {
  createClient: activity('scim.client.create', 'Add provisioning client', 'Add'),
  deleteClient: activity('scim.client.delete', 'Delete provisioning client', 'Delete'),
} as const;

/** Never the token nor its hash: the hint only. */
const properties = (c: ScimClient): PropertyValue[] => [
  ['DisplayName', c.displayName],
  ['TokenHint', c.tokenHint],
];

export const scimClientTarget = (
  c: Pick<ScimClient, 'id' | 'displayName'> | { id: string | null; displayName: string | null },
  modified: TargetResource['modifiedProperties'] = [],
): TargetResource => ({
  id: c.id,
  displayName: c.displayName,
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

export const scimClientCreated = (c: ScimClient): DomainEvent => ({
  type: 'scim.clientCreated',
  audit: [
    {
      activity: SCIM_ACTIVITIES.createClient,
      targets: [scimClientTarget(c, addedProperties(properties(c)))],
    },
  ],
  payload: { scimClientId: c.id },
});

export const scimClientDeleted = (c: ScimClient): DomainEvent => ({
  type: 'scim.clientDeleted',
  audit: [{ activity: SCIM_ACTIVITIES.deleteClient, targets: [scimClientTarget(c)] }],
  payload: { scimClientId: c.id },
});
