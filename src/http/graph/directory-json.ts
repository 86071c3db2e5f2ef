import { z } from 'zod';
import type { Group, PasswordCredential, ServicePrincipal, User } from '../../domain/directory/types.js';
import { dt, dtOrNull } from './json.js';

export const userJson = z
  .object({
    '@odata.context': z.string(),
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
  })
  .partial();

export const toUserJson = (u: User) => ({
  id: u.id,
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
  mail: u.mail,
  givenName: u.givenName,
  surname: u.surname,
  jobTitle: u.jobTitle,
  accountEnabled: u.accountEnabled,
  createdDateTime: dt(u.createdAt),
  businessPhones: [] as string[],
});

export const groupJson = z
  .object({
    '@odata.context': z.string(),
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
  })
  .partial();

export const toGroupJson = (g: Group) => ({
  id: g.id,
  displayName: g.displayName,
  description: g.description,
  mailNickname: g.mailNickname,
  mailEnabled: g.mailEnabled,
  securityEnabled: g.securityEnabled,
  isAssignableToRole: g.isAssignableToRole,
  groupTypes: [] as string[],
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
) => ({
  keyId: c.keyId,
  displayName: c.displayName,
  hint: c.hint,
  secretText: c.secretText ?? null,
  startDateTime: dt(c.startAt),
  endDateTime: dtOrNull(c.endAt),
  customKeyIdentifier: null,
});

export const servicePrincipalJson = z
  .object({
    '@odata.context': z.string(),
    '@odata.type': z.string().optional(),
    id: z.string(),
    appId: z.string(),
    displayName: z.string(),
    accountEnabled: z.boolean(),
    servicePrincipalType: z.string(),
    appPermissions: z.array(z.string()),
    passwordCredentials: z.array(passwordCredentialJson),
    createdDateTime: z.string(),
  })
  .partial();

export const toServicePrincipalJson = (sp: ServicePrincipal, passwords?: PasswordCredential[]) => ({
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

/** A directory object as returned by `/groups/{id}/members`. */
export const directoryObjectJson = z.object({ '@odata.type': z.string(), id: z.string() }).partial();
