import { z } from 'zod';
import type {
  Group,
  GroupMember,
  PasswordCredential,
  ServicePrincipal,
  User,
} from '../../domain/directory/types.js';
import { dt, dtOrNull } from './json.js';

// Graph JSON for the directory. Each schema is complete (every key the mapper writes is required);
// `selectable(…)` derives what a `$select`ed collection item may leave out.

export const userJson = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  displayName: z.string(),
  userPrincipalName: z.string(),
  mail: z.string().nullable(),
  givenName: z.string().nullable(),
  surname: z.string().nullable(),
  jobTitle: z.string().nullable(),
  accountEnabled: z.boolean(),
  createdDateTime: z.string(),
  businessPhones: z.array(z.string()),
});

export const toUserJson = (u: User): z.input<typeof userJson> => ({
  id: u.id,
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
  mail: u.mail,
  givenName: u.givenName,
  surname: u.surname,
  jobTitle: u.jobTitle,
  accountEnabled: u.accountEnabled,
  createdDateTime: dt(u.createdAt),
  businessPhones: [],
});

export const groupJson = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  displayName: z.string(),
  description: z.string().nullable(),
  mailNickname: z.string(),
  mailEnabled: z.boolean(),
  securityEnabled: z.boolean(),
  isAssignableToRole: z.boolean(),
  groupTypes: z.array(z.string()),
  createdDateTime: z.string(),
});

export const toGroupJson = (g: Group): z.input<typeof groupJson> => ({
  id: g.id,
  displayName: g.displayName,
  description: g.description,
  mailNickname: g.mailNickname,
  mailEnabled: g.mailEnabled,
  securityEnabled: g.securityEnabled,
  isAssignableToRole: g.isAssignableToRole,
  groupTypes: [],
  createdDateTime: dt(g.createdAt),
});

export const passwordCredentialJson = z.object({
  keyId: z.string(),
  displayName: z.string().nullable(),
  hint: z.string(),
  secretText: z.string().nullable(),
  startDateTime: z.string(),
  endDateTime: z.string().nullable(),
  customKeyIdentifier: z.null(),
});

export const toPasswordCredentialJson = (
  c: Omit<PasswordCredential, 'secretHash'> & { secretText?: string },
): z.input<typeof passwordCredentialJson> => ({
  keyId: c.keyId,
  displayName: c.displayName,
  hint: c.hint,
  secretText: c.secretText ?? null,
  startDateTime: dt(c.startAt),
  endDateTime: dtOrNull(c.endAt),
  customKeyIdentifier: null,
});

export const servicePrincipalJson = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  appId: z.string(),
  displayName: z.string(),
  accountEnabled: z.boolean(),
  servicePrincipalType: z.string(),
  appPermissions: z.array(z.string()),
  passwordCredentials: z.array(passwordCredentialJson),
  createdDateTime: z.string(),
});

export const toServicePrincipalJson = (
  sp: ServicePrincipal,
  passwords?: PasswordCredential[],
): z.input<typeof servicePrincipalJson> => ({
  id: sp.id,
  appId: sp.appId,
  displayName: sp.displayName,
  accountEnabled: sp.accountEnabled,
  servicePrincipalType: 'Application',
  /** Elevate extension: the application permissions granted to this app. */
  appPermissions: sp.appPermissions,
  passwordCredentials: (passwords ?? []).map(toPasswordCredentialJson),
  createdDateTime: dt(sp.createdAt),
});

/** A directory object as returned by `/groups/{id}/members` (`$select` keeps both keys). */
export const directoryObjectJson = z.object({ '@odata.type': z.string(), id: z.string() });

const MEMBER_TYPES: Record<GroupMember['memberType'], string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
};

export const toDirectoryObjectJson = (m: GroupMember): z.input<typeof directoryObjectJson> => ({
  '@odata.type': MEMBER_TYPES[m.memberType] ?? '#microsoft.graph.directoryObject',
  id: m.memberId,
});
