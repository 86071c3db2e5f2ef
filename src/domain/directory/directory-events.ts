import { AUDIT_ACTIVITIES as A } from '../audit/activities.js';
import type { KeyValue, ModifiedProperty, TargetResource } from '../audit/entry.js';
import {
  addedProperties,
  credentialDescription,
  groupProperties,
  groupTarget,
  servicePrincipalProperties,
  servicePrincipalTarget,
  updatedProperties,
  userProperties,
  userTarget,
} from '../audit/targets.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { Group, PasswordCredential, PrincipalType, ServicePrincipal, User } from './types.js';

/** What deleting a principal took with it. */
export interface Removed {
  groupIds: string[];
  roleAssignments: number;
  /** PIM eligibility and assignment schedules ended at the time of deletion. */
  pimSchedules: number;
}

/** The audit details of a deletion's side effects, so an auditor sees lost roles and memberships. */
export function removalDetails(removed: Removed): KeyValue[] {
  return [
    { key: 'RemovedGroupMemberships', value: JSON.stringify(removed.groupIds) },
    { key: 'RemovedRoleAssignments', value: String(removed.roleAssignments) },
    { key: 'EndedPimSchedules', value: String(removed.pimSchedules) },
  ];
}

const removalPayload = (removed: Removed) => ({
  removedGroupIds: removed.groupIds,
  removedRoleAssignments: removed.roleAssignments,
  endedPimSchedules: removed.pimSchedules,
});

/** The names of the properties an update changed (Entra's summary row left out). */
const changedNames = (changes: readonly ModifiedProperty[]): string[] =>
  changes.map((c) => c.displayName).filter((name) => name !== 'Included Updated Properties');

// Users

export const userCreated = (user: User): DomainEvent => ({
  type: 'directory.userCreated',
  audit: [{ activity: A.userCreate, targets: [userTarget(user, addedProperties(userProperties(user)))] }],
  payload: { userId: user.id, accountEnabled: user.accountEnabled },
});

/**
 * A user was changed. `passwordChanged` names the new password in the audit's summary only,
 * never its value; consumers read `accountEnabled` and `disabled` (the account was just switched
 * off: sessions and grants elsewhere should end).
 */
export function userUpdated(before: User, after: User, passwordChanged: boolean): DomainEvent {
  const changes = updatedProperties(
    userProperties(before),
    userProperties(after),
    passwordChanged ? ['PasswordProfile'] : [],
  );
  return {
    type: 'directory.userUpdated',
    audit: [{ activity: A.userUpdate, targets: [userTarget(after, changes)] }],
    payload: {
      userId: after.id,
      changedProperties: changedNames(changes),
      accountEnabled: after.accountEnabled,
      disabled: before.accountEnabled && !after.accountEnabled,
    },
  };
}

/**
 * A user was switched off by deprovisioning (their identity provider, through SCIM): the update,
 * and the PIM schedules it ended at once (eligible and active, every resource type) in its audit
 * details. Consumers see a `directory.userUpdated` with `disabled`, like any disabling.
 */
export function userDeprovisioned(before: User, after: User, endedPimSchedules: number): DomainEvent {
  const updated = userUpdated(before, after, false);
  return {
    ...updated,
    audit: updated.audit.map((a) => ({
      ...a,
      additionalDetails: [{ key: 'EndedPimSchedules', value: String(endedPimSchedules) }],
    })),
    payload: { ...updated.payload, endedPimSchedules },
  };
}

export const userDeleted = (user: User, removed: Removed): DomainEvent => ({
  type: 'directory.userDeleted',
  audit: [
    { activity: A.userDelete, targets: [userTarget(user)], additionalDetails: removalDetails(removed) },
  ],
  payload: { userId: user.id, ...removalPayload(removed) },
});

// Groups

export const groupCreated = (group: Group): DomainEvent => ({
  type: 'directory.groupCreated',
  audit: [
    { activity: A.groupCreate, targets: [groupTarget(group, addedProperties(groupProperties(group)))] },
  ],
  payload: {
    groupId: group.id,
    securityEnabled: group.securityEnabled,
    mailEnabled: group.mailEnabled,
    isAssignableToRole: group.isAssignableToRole,
  },
});

export function groupUpdated(before: Group, after: Group): DomainEvent {
  const changes = updatedProperties(groupProperties(before), groupProperties(after));
  return {
    type: 'directory.groupUpdated',
    audit: [{ activity: A.groupUpdate, targets: [groupTarget(after, changes)] }],
    payload: { groupId: after.id, changedProperties: changedNames(changes) },
  };
}

export const groupDeleted = (group: Group, removed: Removed): DomainEvent => ({
  type: 'directory.groupDeleted',
  audit: [
    { activity: A.groupDelete, targets: [groupTarget(group)], additionalDetails: removalDetails(removed) },
  ],
  payload: { groupId: group.id, ...removalPayload(removed) },
});

/** The member and the group as targets of a membership entry, with the group's id and name as Entra records them. */
const membershipTargets = (group: Group, member: TargetResource): TargetResource[] => [
  member,
  groupTarget(group, [
    { displayName: 'Group.ObjectID', oldValue: null, newValue: JSON.stringify(group.id) },
    { displayName: 'Group.DisplayName', oldValue: null, newValue: JSON.stringify(group.displayName) },
  ]),
];

/** One membership: the group, and the member (named by `target` as it is now). */
export interface Membership {
  group: Group;
  memberId: string;
  /** Unknown when a removed member no longer exists. */
  memberType: PrincipalType | undefined;
  target: TargetResource;
}

export const groupMemberAdded = (m: Membership): DomainEvent => ({
  type: 'directory.groupMemberAdded',
  audit: [{ activity: A.groupAddMember, targets: membershipTargets(m.group, m.target) }],
  payload: { groupId: m.group.id, memberId: m.memberId, memberType: m.memberType ?? null },
});

export const groupMemberRemoved = (m: Membership): DomainEvent => ({
  type: 'directory.groupMemberRemoved',
  audit: [{ activity: A.groupRemoveMember, targets: membershipTargets(m.group, m.target) }],
  payload: { groupId: m.group.id, memberId: m.memberId, memberType: m.memberType ?? null },
});

// Service principals and their secrets

const appPayload = (sp: ServicePrincipal) => ({
  servicePrincipalId: sp.id,
  appId: sp.appId,
  accountEnabled: sp.accountEnabled,
  appPermissions: [...sp.appPermissions].sort(),
});

export const servicePrincipalCreated = (sp: ServicePrincipal): DomainEvent => ({
  type: 'directory.servicePrincipalCreated',
  audit: [
    {
      activity: A.servicePrincipalCreate,
      targets: [servicePrincipalTarget(sp, addedProperties(servicePrincipalProperties(sp)))],
    },
  ],
  payload: appPayload(sp),
});

export function servicePrincipalUpdated(before: ServicePrincipal, after: ServicePrincipal): DomainEvent {
  const changes = updatedProperties(servicePrincipalProperties(before), servicePrincipalProperties(after));
  return {
    type: 'directory.servicePrincipalUpdated',
    audit: [{ activity: A.servicePrincipalUpdate, targets: [servicePrincipalTarget(after, changes)] }],
    payload: { ...appPayload(after), changedProperties: changedNames(changes) },
  };
}

export const servicePrincipalDeleted = (sp: ServicePrincipal, removed: Removed): DomainEvent => ({
  type: 'directory.servicePrincipalDeleted',
  audit: [
    {
      activity: A.servicePrincipalDelete,
      targets: [servicePrincipalTarget(sp)],
      additionalDetails: removalDetails(removed),
    },
  ],
  payload: { servicePrincipalId: sp.id, appId: sp.appId, ...removalPayload(removed) },
});

/** Entra's `KeyDescription` change of a secret added (`old` empty) or removed (`new` empty). */
const keyDescription = (oldValue: string, newValue: string): ModifiedProperty[] => [
  { displayName: 'KeyDescription', oldValue, newValue },
  { displayName: 'Included Updated Properties', oldValue: null, newValue: JSON.stringify('KeyDescription') },
];

/** A client secret's facts for consumers: never the secret, its hash or its hint. */
const credentialPayload = (sp: ServicePrincipal, c: PasswordCredential) => ({
  servicePrincipalId: sp.id,
  appId: sp.appId,
  keyId: c.keyId,
  startDateTime: c.startAt,
  endDateTime: c.endAt,
});

export const credentialAdded = (sp: ServicePrincipal, c: PasswordCredential): DomainEvent => ({
  type: 'directory.credentialAdded',
  audit: [
    {
      activity: A.servicePrincipalAddPassword,
      targets: [servicePrincipalTarget(sp, keyDescription('[]', credentialDescription(c)))],
    },
  ],
  payload: credentialPayload(sp, c),
});

export const credentialRemoved = (sp: ServicePrincipal, c: PasswordCredential): DomainEvent => ({
  type: 'directory.credentialRemoved',
  audit: [
    {
      activity: A.servicePrincipalRemovePassword,
      targets: [servicePrincipalTarget(sp, keyDescription(credentialDescription(c), '[]'))],
    },
  ],
  payload: credentialPayload(sp, c),
});
