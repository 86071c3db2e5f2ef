import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { ResourceRoleDefinition } from './resource-role.js';
import type { ResourceScope } from './resource-scope.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'ResourceManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Elevate's own activities for the resource hierarchy; codes never change. */
export const RESOURCE_ACTIVITIES = {
  scopeCreate: activity('resources.scope.create', 'Register resource', 'Add'),
  scopeUpdate: activity('resources.scope.update', 'Update resource', 'Update'),
  scopeDelete: activity('resources.scope.delete', 'Remove resource', 'Delete'),
  roleCreate: activity('resources.roleDefinition.create', 'Add resource role definition', 'Add'),
  roleUpdate: activity('resources.roleDefinition.update', 'Update resource role definition', 'Update'),
  roleDelete: activity('resources.roleDefinition.delete', 'Remove resource role definition', 'Delete'),
} as const;

const scopeProps = (s: ResourceScope): PropertyValue[] => [
  ['Id', s.id],
  ['DisplayName', s.displayName],
  ['Type', s.type],
];

const target = (
  id: string,
  displayName: string,
  modified: TargetResource['modifiedProperties'],
): TargetResource => ({
  id,
  displayName,
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

export const scopeCreated = (s: ResourceScope): DomainEvent => ({
  type: 'resources.scopeCreated',
  audit: [
    {
      activity: RESOURCE_ACTIVITIES.scopeCreate,
      targets: [target(s.id, s.displayName, addedProperties(scopeProps(s)))],
    },
  ],
});

export const scopeUpdated = (before: ResourceScope, after: ResourceScope): DomainEvent => ({
  type: 'resources.scopeUpdated',
  audit: [
    {
      activity: RESOURCE_ACTIVITIES.scopeUpdate,
      targets: [
        target(after.id, after.displayName, updatedProperties(scopeProps(before), scopeProps(after))),
      ],
    },
  ],
});

/** The payload names the scope: connectors and notifications hear that access below it ended. */
export const scopeDeleted = (s: ResourceScope, endedSchedules: number): DomainEvent => ({
  type: 'resources.scopeDeleted',
  audit: [
    {
      activity: RESOURCE_ACTIVITIES.scopeDelete,
      targets: [target(s.id, s.displayName, [])],
      additionalDetails: [{ key: 'EndedSchedules', value: String(endedSchedules) }],
    },
  ],
  payload: { scopeId: s.id, tenantId: s.tenantId },
});

const roleProps = (r: ResourceRoleDefinition): PropertyValue[] => [
  ['RoleName', r.roleName],
  ['Description', r.description],
  ['Actions', r.permissions.actions],
  ['NotActions', r.permissions.notActions],
  ['DataActions', r.permissions.dataActions],
  ['NotDataActions', r.permissions.notDataActions],
  ['AssignableScopes', r.assignableScopes],
];

export const resourceRoleCreated = (r: ResourceRoleDefinition): DomainEvent => ({
  type: 'resources.roleDefinitionCreated',
  audit: [
    {
      activity: RESOURCE_ACTIVITIES.roleCreate,
      targets: [target(r.id, r.roleName, addedProperties(roleProps(r)))],
    },
  ],
});

export const resourceRoleUpdated = (
  before: ResourceRoleDefinition,
  after: ResourceRoleDefinition,
): DomainEvent => ({
  type: 'resources.roleDefinitionUpdated',
  audit: [
    {
      activity: RESOURCE_ACTIVITIES.roleUpdate,
      targets: [target(after.id, after.roleName, updatedProperties(roleProps(before), roleProps(after)))],
    },
  ],
});

export const resourceRoleDeleted = (r: ResourceRoleDefinition): DomainEvent => ({
  type: 'resources.roleDefinitionDeleted',
  audit: [{ activity: RESOURCE_ACTIVITIES.roleDelete, targets: [target(r.id, r.roleName, [])] }],
});
