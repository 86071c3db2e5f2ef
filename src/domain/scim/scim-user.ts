import { lookAlikeProblem } from '../directory/look-alike-names.js';
import type { User } from '../directory/types.js';
import { AttributeReader, checkSchemas, scimInvalid, SCIM, type JsonObject } from './scim-schema.js';

/** What Elevate keeps of a SCIM user: its directory user's attributes and the IdP's `externalId`. */
export interface ScimUserInput {
  userName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  active: boolean;
  externalId: string | null;
}

/** A SCIM-provisioned user as `/scim/v2/Users` shows it. */
export interface ScimUserView {
  user: User;
  externalId: string | null;
}

const UPN = /^[^@\s]{1,64}@[^@\s]{1,189}$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * Reads a SCIM User body (POST, PUT, or a user after PATCH operations) into what Elevate keeps.
 * `userName` becomes the `userPrincipalName` (name@domain, like Graph's); `name.givenName` and
 * `name.familyName`, `displayName`, `title`, the primary (else work, else first) email and `active`
 * map to the user's attributes of the same meaning. Attributes of the core and enterprise schemas
 * that Elevate does not keep (addresses, phone numbers, department…) are accepted and not stored,
 * so an identity provider's default mapping works; `password` is refused: SCIM users sign in
 * through the trusted identity provider, never with a local password (ADR 0038).
 * @throws ValidationError (`invalidSyntax`, `invalidValue`)
 */
export function readScimUser(body: JsonObject): ScimUserInput {
  checkSchemas(body, SCIM.user);
  const r = new AttributeReader(body, '');
  if (r.raw('password') !== undefined)
    throw scimInvalid(
      'invalidValue',
      "'password' is not accepted: users provisioned through SCIM sign in through their identity provider.",
    );
  const userName = r.string('userName', 254);
  if (userName === null) throw scimInvalid('invalidValue', "'userName' is required.");
  if (!UPN.test(userName)) throw scimInvalid('invalidValue', "'userName' must look like name@domain.");
  const lookAlike = lookAlikeProblem(userName);
  if (lookAlike !== null) throw scimInvalid('invalidValue', `'userName': ${lookAlike}`);
  const name = r.object('name');
  const givenName = name?.string('givenName', 64) ?? null;
  const surname = name?.string('familyName', 64) ?? null;
  const formatted = name?.string('formatted', 256) ?? null;
  const displayName =
    r.string('displayName', 256) ??
    formatted ??
    ([givenName, surname].filter((p) => p !== null).join(' ') || userName);
  return {
    userName,
    displayName,
    givenName,
    surname,
    mail: primaryEmail(r),
    jobTitle: r.string('title', 128),
    active: r.boolean('active') ?? true,
    externalId: r.string('externalId', 256),
  };
}

/** The primary email, else the work one, else the first; checked like Graph's `mail`. */
function primaryEmail(r: AttributeReader): string | null {
  const emails = r.objects('emails', 20).map((e) => ({
    value: e.string('value', 254),
    type: e.string('type', 64)?.toLowerCase() ?? null,
    primary: e.boolean('primary') === true,
  }));
  const chosen =
    emails.find((e) => e.primary) ?? emails.find((e) => e.type === 'work') ?? emails[0] ?? undefined;
  const value = chosen?.value ?? null;
  if (value !== null && !EMAIL.test(value))
    throw scimInvalid('invalidValue', "'emails.value' must be an email address.");
  return value;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The RFC 7643 User resource of a directory user: unassigned attributes are left out. */
export function scimUserJson(v: ScimUserView, baseUrl: string): JsonObject {
  const u = v.user;
  const name: JsonObject = {};
  if (u.givenName !== null) name['givenName'] = u.givenName;
  if (u.surname !== null) name['familyName'] = u.surname;
  return {
    schemas: [SCIM.user],
    id: u.id,
    ...(v.externalId === null ? {} : { externalId: v.externalId }),
    userName: u.userPrincipalName,
    ...(Object.keys(name).length === 0 ? {} : { name }),
    displayName: u.displayName,
    ...(u.jobTitle === null ? {} : { title: u.jobTitle }),
    ...(u.mail === null ? {} : { emails: [{ value: u.mail, type: 'work', primary: true }] }),
    active: u.accountEnabled,
    meta: {
      resourceType: 'User',
      created: iso(u.createdAt),
      lastModified: iso(u.modifiedAt),
      location: `${baseUrl}/Users/${u.id}`,
      version: `W/"${u.version}"`,
    },
  };
}
