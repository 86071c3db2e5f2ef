import { AUDIT_ACTIVITIES as A, type AuditActivity } from '../audit/activities.js';
import type { KeyValue, TargetResource } from '../audit/entry.js';
import {
  addedProperties,
  assignedRoleTarget,
  roleDefinitionProperties,
  roleTarget,
  updatedProperties,
} from '../audit/targets.js';
import type { RoleAssignment } from '../directory/types.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { RoleDefinition } from './role-definition.js';

// Role definitions

export const roleDefinitionCreated = (role: RoleDefinition, policyId: string): DomainEvent => ({
  type: 'roles.definitionCreated',
  audit: [
    {
      activity: A.roleDefinitionCreate,
      targets: [roleTarget(role, addedProperties(roleDefinitionProperties(role)))],
    },
  ],
  payload: { roleDefinitionId: role.id, templateId: role.templateId, isEnabled: role.isEnabled, policyId },
});

export function roleDefinitionUpdated(before: RoleDefinition, after: RoleDefinition): DomainEvent {
  const changes = updatedProperties(roleDefinitionProperties(before), roleDefinitionProperties(after));
  return {
    type: 'roles.definitionUpdated',
    audit: [{ activity: A.roleDefinitionUpdate, targets: [roleTarget(after, changes)] }],
    payload: {
      roleDefinitionId: after.id,
      changedProperties: changes
        .map((c) => c.displayName)
        .filter((name) => name !== 'Included Updated Properties'),
      isEnabled: after.isEnabled,
    },
  };
}

export const roleDefinitionDeleted = (role: RoleDefinition): DomainEvent => ({
  type: 'roles.definitionDeleted',
  audit: [{ activity: A.roleDefinitionDelete, targets: [roleTarget(role)] }],
  payload: { roleDefinitionId: role.id, templateId: role.templateId },
});

// Direct role assignments

/** The assigned role as the entry names it, as it is when the assignment changes. */
export interface AssignedRole {
  displayName: string | null;
  templateId: string | null;
}

const assignmentDetails = (a: RoleAssignment): KeyValue[] => [
  { key: 'RoleAssignmentId', value: a.id },
  { key: 'DirectoryScopeId', value: a.directoryScopeId },
  ...(a.appScopeId === null ? [] : [{ key: 'AppScopeId', value: a.appScopeId }]),
];

/** What consumers of an assignment event read: who holds which role where. */
const assignmentPayload = (a: RoleAssignment) => ({
  roleAssignmentId: a.id,
  principalId: a.principalId,
  principalType: a.principalType,
  roleDefinitionId: a.roleDefinitionId,
  directoryScopeId: a.directoryScopeId,
  appScopeId: a.appScopeId,
});

/**
 * The entry of a direct assignment created or deleted: the principal (`principal`, named as it is
 * now) and the role as targets, the assignment's id and scope as details.
 */
const assignmentEvent =
  (type: 'roles.assignmentCreated' | 'roles.assignmentDeleted', activity: AuditActivity) =>
  (a: RoleAssignment, principal: TargetResource, role: AssignedRole | undefined): DomainEvent => ({
    type,
    audit: [
      {
        activity,
        targets: [
          principal,
          assignedRoleTarget({
            id: a.roleDefinitionId,
            displayName: role?.displayName ?? null,
            templateId: role?.templateId ?? null,
          }),
        ],
        additionalDetails: assignmentDetails(a),
      },
    ],
    payload: assignmentPayload(a),
  });

export const roleAssignmentCreated = assignmentEvent('roles.assignmentCreated', A.roleAssignmentCreate);
export const roleAssignmentDeleted = assignmentEvent('roles.assignmentDeleted', A.roleAssignmentDelete);
