import { SCIM } from './scim-schema.js';

/** The two resource types Elevate serves. */
export type ScimResourceType = 'User' | 'Group';

/**
 * Top-level attributes of RFC 7643's core schemas (§4.1 User, §4.2 Group), lower-cased. A PATCH
 * path must name one of these (or of the enterprise extension); Elevate keeps some and accepts the
 * others without storing them (ADR 0038). Anything else is `invalidPath`.
 */
const CORE: Record<ScimResourceType, ReadonlySet<string>> = {
  User: new Set(
    [
      'id',
      'externalId',
      'meta',
      'schemas',
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ].map((a) => a.toLowerCase()),
  ),
  Group: new Set(
    ['id', 'externalId', 'meta', 'schemas', 'displayName', 'members'].map((a) => a.toLowerCase()),
  ),
};

const ENTERPRISE = new Set(
  ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'].map((a) =>
    a.toLowerCase(),
  ),
);

/** Sub-attributes (RFC 7643 §4.1.1, §4.1.2) of the complex attributes Elevate keeps, lower-cased. */
const SUB_ATTRIBUTES: Record<string, ReadonlySet<string>> = {
  name: new Set(['formatted', 'familyname', 'givenname', 'middlename', 'honorificprefix', 'honorificsuffix']),
  emails: new Set(['value', 'display', 'type', 'primary']),
  members: new Set(['value', 'display', 'type', '$ref']),
};

/** Attributes a client may not set (RFC 7643: `id` and `meta` are readOnly; `groups` is derived). */
const READ_ONLY = new Set(['id', 'meta', 'groups']);

/** Where a path points: its schema, and its top-level attribute lower-cased. */
export interface AttributeRef {
  extension: boolean;
  attribute: string;
}

/**
 * The attribute a PATCH path or filter attribute names, with its schema URN prefix removed, or
 * `undefined` when it names none of the resource's schemas.
 */
export function attributeOf(type: ScimResourceType, path: string): AttributeRef | undefined {
  let rest = path.trim();
  let extension = false;
  const lower = rest.toLowerCase();
  const core = (type === 'User' ? SCIM.user : SCIM.group).toLowerCase();
  if (lower.startsWith(`${core}:`)) rest = rest.slice(core.length + 1);
  else if (type === 'User' && lower.startsWith(`${SCIM.enterpriseUser.toLowerCase()}:`)) {
    rest = rest.slice(SCIM.enterpriseUser.length + 1);
    extension = true;
  } else if (type === 'User' && lower === SCIM.enterpriseUser.toLowerCase()) {
    return { extension: true, attribute: '' };
  }
  const attribute = (/^[A-Za-z][\w$-]*/.exec(rest)?.[0] ?? '').toLowerCase();
  if (attribute === '') return undefined;
  const known = extension ? ENTERPRISE : CORE[type];
  if (!known.has(attribute)) return undefined;
  // A sub-attribute of what Elevate keeps must be one of RFC 7643's (`name.familyName`, `emails[…].value`).
  const sub = /^[A-Za-z][\w$-]*(?:\[[^\]]*\])?\.([A-Za-z][\w$-]*)$/.exec(rest)?.[1]?.toLowerCase();
  const subs = extension ? undefined : SUB_ATTRIBUTES[attribute];
  if (sub !== undefined && subs !== undefined && !subs.has(sub)) return undefined;
  return { extension, attribute };
}

/** Whether a client may write the attribute (RFC 7643 mutability). */
export const isWritable = (ref: AttributeRef): boolean => ref.extension || !READ_ONLY.has(ref.attribute);

/**
 * String attributes compared without case in filters (RFC 7643 `caseExact: false`): names and
 * addresses. Ids and `externalId` are case-exact.
 */
export const CASE_INSENSITIVE: Record<ScimResourceType, ReadonlySet<string>> = {
  User: new Set([
    'username',
    'displayname',
    'title',
    'emails',
    'emails.value',
    'name.givenname',
    'name.familyname',
  ]),
  Group: new Set(['displayname']),
};

/** Attributes a filter may name (what Elevate keeps and shows), lower-cased. */
export const FILTERABLE: Record<ScimResourceType, ReadonlySet<string>> = {
  User: new Set([
    'id',
    'externalid',
    'username',
    'displayname',
    'title',
    'active',
    'emails',
    'emails.value',
    'emails.type',
    'emails.primary',
    'name.givenname',
    'name.familyname',
    'meta.created',
    'meta.lastmodified',
  ]),
  Group: new Set([
    'id',
    'externalid',
    'displayname',
    'members',
    'members.value',
    'meta.created',
    'meta.lastmodified',
  ]),
};
