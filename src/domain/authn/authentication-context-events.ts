import type { AuditActivity } from '../audit/activities.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { TargetResource } from '../audit/entry.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { AuthenticationContext } from './authentication-context.js';

const conditionalAccess = (
  code: string,
  activityDisplayName: string,
  operationType: 'Add' | 'Update' | 'Delete',
) =>
  ({
    code,
    activityDisplayName,
    category: 'Policy',
    operationType,
    loggedByService: 'Conditional Access',
  }) as const satisfies AuditActivity;

/** Entra audits authentication contexts under Conditional Access with these names. */
export const AUTHENTICATION_CONTEXT_ACTIVITIES = {
  add: conditionalAccess('authenticationContext.add', 'Add authentication context', 'Add'),
  update: conditionalAccess('authenticationContext.update', 'Update authentication context', 'Update'),
  delete: conditionalAccess('authenticationContext.delete', 'Delete authentication context', 'Delete'),
};

const properties = (c: AuthenticationContext): PropertyValue[] => [
  ['DisplayName', c.displayName],
  ['Description', c.description],
  ['IsAvailable', c.isAvailable],
  ['ElevateRequirement', c.requirement],
];

const target = (
  c: Pick<AuthenticationContext, 'id' | 'displayName'>,
  props: TargetResource['modifiedProperties'],
) =>
  ({
    id: c.id,
    displayName: c.displayName,
    type: 'Policy',
    userPrincipalName: null,
    modifiedProperties: props,
  }) satisfies TargetResource;

/** A context was defined (`before` undefined) or changed; audit only, no consumer needs it. */
export function authenticationContextSaved(
  before: AuthenticationContext | undefined,
  after: AuthenticationContext,
): DomainEvent {
  return {
    type: 'policies.authenticationContextSaved',
    audit: [
      before === undefined
        ? {
            activity: AUTHENTICATION_CONTEXT_ACTIVITIES.add,
            targets: [target(after, addedProperties(properties(after)))],
          }
        : {
            activity: AUTHENTICATION_CONTEXT_ACTIVITIES.update,
            targets: [target(after, updatedProperties(properties(before), properties(after)))],
          },
    ],
  };
}

/** A context was deleted. */
export function authenticationContextDeleted(before: AuthenticationContext): DomainEvent {
  return {
    type: 'policies.authenticationContextDeleted',
    audit: [{ activity: AUTHENTICATION_CONTEXT_ACTIVITIES.delete, targets: [target(before, [])] }],
  };
}
