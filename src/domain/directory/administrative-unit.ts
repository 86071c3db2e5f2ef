import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';
import { isGuid } from '../shared/ids.js';
import type { PrincipalType } from './types.js';

/**
 * Graph's `administrativeUnit` (assigned membership only): a container of users and groups over
 * which a directory role can be granted (`directoryScopeId: /administrativeUnits/{id}`), so that
 * a role held there reaches its members only (docs/administrative-units.md, ADR 0042).
 */
export interface AdministrativeUnit {
  id: string;
  tenantId: string;
  displayName: string;
  description: string | null;
  /** `HiddenMembership` (members listed to its administrators only), or null (public). */
  visibility: AdministrativeUnitVisibility | null;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export const AU_VISIBILITIES = ['Public', 'HiddenMembership'] as const;
export type AdministrativeUnitVisibility = (typeof AU_VISIBILITIES)[number];

/** A member of an administrative unit: users and groups (devices are not in Elevate's directory). */
export interface AdministrativeUnitMember {
  unitId: string;
  memberId: string;
  memberType: Extract<PrincipalType, 'user' | 'group'>;
}

const AU_SCOPE = /^\/administrativeUnits\/([0-9a-f-]{36})$/;

/** The directory scope of a unit, as role assignments and PIM requests name it. */
export const unitScope = (unitId: string): string => `/administrativeUnits/${unitId.toLowerCase()}`;

/** The unit a (validated, lower-cased) directory scope names, or null for any other scope. */
export function unitIdOfScope(scope: string): string | null {
  const m = AU_SCOPE.exec(scope);
  return m?.[1] !== undefined && isGuid(m[1]) ? m[1] : null;
}

/**
 * Who reads and changes administrative units, as Graph documents it: readers of the directory
 * read them (`AdministrativeUnit.Read.All`, `Directory.Read.All`), role administrators create,
 * change, delete them and change their members (`AdministrativeUnit.ReadWrite.All`; Privileged Role
 * Administrator is Entra's least privileged role for it).
 */
export const AU_RULES = {
  read: {
    appPermissions: [
      'AdministrativeUnit.Read.All',
      'AdministrativeUnit.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.USER_ADMINISTRATOR,
      R.GROUPS_ADMINISTRATOR,
      R.HELPDESK_ADMINISTRATOR,
      R.DIRECTORY_READERS,
      R.SECURITY_READER,
      R.SECURITY_ADMINISTRATOR,
    ],
  },
  write: {
    appPermissions: ['AdministrativeUnit.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
} satisfies Record<string, Requirement>;
