import type { AuditActivity } from '../audit/activities.js';
import type { TargetResource } from '../audit/entry.js';
import { addedProperties, updatedProperties, type PropertyValue } from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { AdministrativeUnit, AdministrativeUnitMember } from './administrative-unit.js';

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'AdministrativeUnit',
    operationType,
    loggedByService: 'Core Directory',
  }) as const satisfies AuditActivity;

/** Entra's activity names for administrative units; codes never change. */
export const AU_ACTIVITIES = {
  create: activity('administrativeUnit.create', 'Add administrative unit', 'Add'),
  update: activity('administrativeUnit.update', 'Update administrative unit', 'Update'),
  delete: activity('administrativeUnit.delete', 'Delete administrative unit', 'Delete'),
  addMember: activity('administrativeUnit.addMember', 'Add member to administrative unit', 'Assign'),
  removeMember: activity(
    'administrativeUnit.removeMember',
    'Remove member from administrative unit',
    'Unassign',
  ),
} as const;

const props = (u: AdministrativeUnit): PropertyValue[] => [
  ['DisplayName', u.displayName],
  ['Description', u.description],
  ['Visibility', u.visibility],
];

/** The unit as an audit target (Entra types it `Other`). */
export const unitTarget = (
  u: { id: string | null; displayName: string | null },
  modified: TargetResource['modifiedProperties'] = [],
): TargetResource => ({
  id: u.id,
  displayName: u.displayName,
  type: 'Other',
  userPrincipalName: null,
  modifiedProperties: modified,
});

const payload = (u: AdministrativeUnit) => ({ administrativeUnitId: u.id });

export const unitCreated = (u: AdministrativeUnit): DomainEvent => ({
  type: 'directory.administrativeUnitCreated',
  audit: [{ activity: AU_ACTIVITIES.create, targets: [unitTarget(u, addedProperties(props(u)))] }],
  payload: payload(u),
});

export const unitUpdated = (before: AdministrativeUnit, after: AdministrativeUnit): DomainEvent => ({
  type: 'directory.administrativeUnitUpdated',
  audit: [
    {
      activity: AU_ACTIVITIES.update,
      targets: [unitTarget(after, updatedProperties(props(before), props(after)))],
    },
  ],
  payload: payload(after),
});

export const unitDeleted = (u: AdministrativeUnit, members: number): DomainEvent => ({
  type: 'directory.administrativeUnitDeleted',
  audit: [
    {
      activity: AU_ACTIVITIES.delete,
      targets: [unitTarget(u)],
      additionalDetails: [{ key: 'RemovedMembers', value: String(members) }],
    },
  ],
  payload: payload(u),
});

/** A membership change: the member (named as it is now) and the unit. */
export const unitMemberChanged = (
  change: 'added' | 'removed',
  u: AdministrativeUnit,
  m: AdministrativeUnitMember,
  member: TargetResource,
): DomainEvent => ({
  type:
    change === 'added'
      ? 'directory.administrativeUnitMemberAdded'
      : 'directory.administrativeUnitMemberRemoved',
  audit: [
    {
      activity: change === 'added' ? AU_ACTIVITIES.addMember : AU_ACTIVITIES.removeMember,
      targets: [member, unitTarget(u)],
    },
  ],
  payload: { administrativeUnitId: u.id, memberId: m.memberId, memberType: m.memberType },
});
