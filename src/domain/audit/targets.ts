import type { Group, PrincipalType, ServicePrincipal, User } from '../directory/types.js';
import type { RoleDefinition } from '../roles/role-definition.js';
import type { ModifiedProperty, TargetResource, TargetType } from './entry.js';

/**
 * How Entra writes a directory attribute in `oldValue`/`newValue`: JSON text of the value list
 * (`["Ada"]`, `[true]`, `[]` for no value); lists are written as they are.
 */
export function auditValue(value: unknown): string {
  if (value === null || value === undefined) return '[]';
  return JSON.stringify(Array.isArray(value) ? value : [value]);
}

/** A named property and its value, as listed by the `*Properties` functions below. */
export type PropertyValue = readonly [name: string, value: unknown];

/** Properties of a new object: no old value. */
export const addedProperties = (props: readonly PropertyValue[]): ModifiedProperty[] =>
  props.map(([displayName, value]) => ({ displayName, oldValue: null, newValue: auditValue(value) }));

/**
 * The properties that differ between two listings of one object, plus Entra's summary property
 * `Included Updated Properties` naming them. `alsoChanged` names changes whose values must not be
 * recorded (a new password): they appear in the summary only.
 */
export function updatedProperties(
  before: readonly PropertyValue[],
  after: readonly PropertyValue[],
  alsoChanged: readonly string[] = [],
): ModifiedProperty[] {
  const old = new Map(before.map(([name, value]) => [name, auditValue(value)]));
  const changes: ModifiedProperty[] = [];
  for (const [displayName, value] of after) {
    const newValue = auditValue(value);
    const oldValue = old.get(displayName) ?? '[]';
    if (newValue !== oldValue) changes.push({ displayName, oldValue, newValue });
  }
  const names = [...changes.map((c) => c.displayName), ...alsoChanged];
  if (names.length === 0) return [];
  return [
    ...changes,
    {
      displayName: 'Included Updated Properties',
      oldValue: null,
      newValue: JSON.stringify(names.join(', ')),
    },
  ];
}

/** What a user audit records; never the password or its hash. */
export const userProperties = (u: User): PropertyValue[] => [
  ['AccountEnabled', u.accountEnabled],
  ['DisplayName', u.displayName],
  ['UserPrincipalName', u.userPrincipalName],
  ['Mail', u.mail],
  ['GivenName', u.givenName],
  ['Surname', u.surname],
  ['JobTitle', u.jobTitle],
];

export const groupProperties = (g: Group): PropertyValue[] => [
  ['DisplayName', g.displayName],
  ['Description', g.description],
  ['MailNickname', g.mailNickname],
  ['MailEnabled', g.mailEnabled],
  ['SecurityEnabled', g.securityEnabled],
  ['IsAssignableToRole', g.isAssignableToRole],
];

/** What a service principal audit records; its secrets live elsewhere and are never listed. */
export const servicePrincipalProperties = (sp: ServicePrincipal): PropertyValue[] => [
  ['AppId', sp.appId],
  ['DisplayName', sp.displayName],
  ['AccountEnabled', sp.accountEnabled],
  ['AppPermissions', [...sp.appPermissions].sort()],
];

export const roleDefinitionProperties = (r: RoleDefinition): PropertyValue[] => [
  ['DisplayName', r.displayName],
  ['Description', r.description],
  ['IsEnabled', r.isEnabled],
  ['TemplateId', r.templateId],
  ['RolePermissions', r.rolePermissions],
];

const target = (
  type: TargetType,
  id: string | null,
  displayName: string | null,
  modifiedProperties: ModifiedProperty[] = [],
  userPrincipalName: string | null = null,
): TargetResource => ({ id, displayName, type, userPrincipalName, modifiedProperties });

/** What a target needs to be named: a refused attempt may know only the requested id or name. */
export interface TargetName {
  id: string | null;
  displayName: string | null;
}

export const userTarget = (
  u: TargetName & { userPrincipalName: string | null },
  props: ModifiedProperty[] = [],
): TargetResource => target('User', u.id, u.displayName, props, u.userPrincipalName);

export const groupTarget = (g: TargetName, props: ModifiedProperty[] = []): TargetResource =>
  target('Group', g.id, g.displayName, props);

export const servicePrincipalTarget = (sp: TargetName, props: ModifiedProperty[] = []): TargetResource =>
  target('ServicePrincipal', sp.id, sp.displayName, props);

export const roleTarget = (r: TargetName, props: ModifiedProperty[] = []): TargetResource =>
  target('Role', r.id, r.displayName, props);

export const directoryTarget = (id: string, displayName: string): TargetResource =>
  target('Directory', id, displayName);

/** A principal of any kind, by what is known about it. */
export function principalTarget(
  kind: PrincipalType | undefined,
  id: string,
  displayName: string | null = null,
  userPrincipalName: string | null = null,
): TargetResource {
  const type: TargetType =
    kind === 'user'
      ? 'User'
      : kind === 'group'
        ? 'Group'
        : kind === 'servicePrincipal'
          ? 'ServicePrincipal'
          : 'Other';
  return target(type, id, displayName, [], userPrincipalName);
}

/**
 * A client secret as Entra's credential audits describe it (`KeyDescription`): its id, type, name
 * and lifetime, never the secret, its hash or its hint.
 */
export function credentialDescription(c: {
  keyId: string;
  displayName: string | null;
  startAt: number;
  endAt: number | null;
}): string {
  const end = c.endAt === null ? '' : `,EndDate=${new Date(c.endAt).toISOString()}`;
  return JSON.stringify([
    `[KeyIdentifier=${c.keyId},KeyType=Password,KeyUsage=Verify,DisplayName=${c.displayName ?? ''},StartDate=${new Date(c.startAt).toISOString()}${end}]`,
  ]);
}

/** The role of a role assignment, with the properties Entra records on "Add member to role". */
export const assignedRoleTarget = (role: TargetName & { templateId: string | null }): TargetResource =>
  roleTarget(role, [
    { displayName: 'Role.DisplayName', oldValue: null, newValue: JSON.stringify(role.displayName) },
    { displayName: 'Role.TemplateId', oldValue: null, newValue: JSON.stringify(role.templateId) },
  ]);
