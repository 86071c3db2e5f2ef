import { z } from 'zod';

// Ids are validated and normalized once, here, in the request schemas: GUIDs in any case are handed
// on in lower case (Graph compares object ids case-insensitively; Elevate stores them lower-case),
// so use cases never lower-case an id. A malformed id is a 400 naming the parameter or property.

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const isGuid = (text: string) => new RegExp(`^${GUID}$`).test(text);
/** A GUID lower-cased, any other text as given (Entra's base64url ids are case-sensitive). */
const lowerGuid = (text: string) => (isGuid(text) ? text.toLowerCase() : text);

/** A GUID (object id) in a path or body, in any case; lower-cased. */
export const guid = z
  .string()
  .regex(new RegExp(`^${GUID}$`), 'must be a GUID such as 62e90394-69f5-4237-9190-012177145e10')
  .transform((text) => text.toLowerCase());

/** `{ id }` of an object whose id is a GUID. */
export const idParams = z.object({ id: guid });

/**
 * A key that is not always a GUID: PIM requests, schedules and instances (Entra's base64url
 * instance ids, and `filterByCurrentUser(on='…')` in the same segment), approvals, role management
 * policies. Bounded; a GUID is lower-cased, anything else is looked up as given.
 */
export const entityKey = z.string().min(1).max(200).transform(lowerGuid);

/** `{ id }` of an object keyed by {@link entityKey}. */
export const keyParams = z.object({ id: entityKey });

/** `GET /users/{id | userPrincipalName}`: the object id (lower-cased) or a userPrincipalName (as given). */
export const userKey = z
  .string()
  .regex(new RegExp(`^(?:${GUID}|[^@\\s/]{1,64}@[^@\\s/]{1,189})$`), 'must be a GUID or a userPrincipalName')
  .transform(lowerGuid);

/**
 * A direct role assignment's id: Entra's `base64url(roleId ‖ principalId)-1` at tenant scope
 * (case-sensitive, as given), a GUID at other scopes (lower-cased).
 */
export const roleAssignmentKey = z
  .string()
  .regex(new RegExp(`^(?:${GUID}|[A-Za-z0-9_-]{43}-1)$`), 'must be a role assignment id')
  .transform(lowerGuid);

/**
 * A policy assignment's id, `{policyId}_{roleDefinitionId}`: bounded, the role definition's GUID
 * after the last `_` lower-cased. Any other text is looked up as given (and is not found, 404).
 */
export const policyAssignmentKey = z
  .string()
  .min(1)
  .max(200)
  .transform((text) => {
    const at = text.lastIndexOf('_');
    return at < 0 ? text : `${text.slice(0, at + 1)}${lowerGuid(text.slice(at + 1))}`;
  });

const REFERENCE = new RegExp(`^(?:.*/(?:directoryObjects|users|groups|servicePrincipals)/)?(${GUID})$`);

/**
 * The `@odata.id` of a `$ref` body: `…/directoryObjects/{id}` (or `/users/`, `/groups/`,
 * `/servicePrincipals/`), or a bare GUID; parsed to the lower-cased id. Anything else is a 400.
 */
export const directoryObjectReference = z
  .string()
  .max(2048)
  .regex(
    REFERENCE,
    'must be a directory object URL such as https://graph.microsoft.com/v1.0/directoryObjects/{id}',
  )
  .transform((text) => (REFERENCE.exec(text)?.[1] ?? text).toLowerCase());
