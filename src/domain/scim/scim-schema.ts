import { ValidationError } from '../shared/errors.js';

/** RFC 7643 schema and message URNs Elevate speaks. */
export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
} as const;

/**
 * RFC 7644 §3.12 `scimType`s. Domain errors carry one as their `code` (a `ValidationError`, or a
 * `ConflictError` for `uniqueness`), and the SCIM edge puts it in the error body.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const scimInvalid = (scimType: ScimType, detail: string): ValidationError =>
  new ValidationError(detail, undefined, scimType);

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads attributes of a SCIM body case-insensitively (RFC 7643 §2.1: attribute names are
 * case-insensitive; Entra and Okta differ in case), checking each type and bound.
 * @throws ValidationError (`invalidValue`)
 */
export class AttributeReader {
  private readonly keys: Map<string, string>;
  constructor(
    private readonly obj: JsonObject,
    private readonly where: string,
  ) {
    this.keys = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
  }

  raw(name: string): unknown {
    const key = this.keys.get(name.toLowerCase());
    return key === undefined ? undefined : this.obj[key];
  }

  /** A string of at most `max` characters, or `null` when absent, null or empty. */
  string(name: string, max: number): string | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw scimInvalid('invalidValue', `'${this.path(name)}' must be a string.`);
    const trimmed = v.trim();
    if (trimmed.length > max)
      throw scimInvalid('invalidValue', `'${this.path(name)}' must be at most ${max} characters.`);
    if ([...trimmed].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
      throw scimInvalid('invalidValue', `'${this.path(name)}' must not contain control characters.`);
    return trimmed === '' ? null : trimmed;
  }

  /** A boolean; Entra sends `"True"`/`"False"` strings, which count as booleans too. */
  boolean(name: string): boolean | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    throw scimInvalid('invalidValue', `'${this.path(name)}' must be a boolean.`);
  }

  /** A complex attribute, or `null` when absent or null. */
  object(name: string): AttributeReader | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    if (!isObject(v)) throw scimInvalid('invalidValue', `'${this.path(name)}' must be an object.`);
    return new AttributeReader(v, this.path(name));
  }

  /** A multi-valued complex attribute of at most `max` items. */
  objects(name: string, max: number): AttributeReader[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw scimInvalid('invalidValue', `'${this.path(name)}' must be an array.`);
    if (v.length > max)
      throw scimInvalid('invalidValue', `'${this.path(name)}' may have at most ${max} values.`);
    return v.map((item, i) => {
      if (!isObject(item)) throw scimInvalid('invalidValue', `'${this.path(name)}[${i}]' must be an object.`);
      return new AttributeReader(item, `${this.path(name)}[${i}]`);
    });
  }

  private path(name: string): string {
    return this.where === '' ? name : `${this.where}.${name}`;
  }
}

/**
 * Checks `schemas` names the resource's core schema (RFC 7643 §3: required on every resource).
 * Extension schemas (Entra adds the enterprise user) are accepted and their values ignored.
 * @throws ValidationError (`invalidSyntax`)
 */
export function checkSchemas(body: JsonObject, core: string): void {
  const schemas = body['schemas'];
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === core.toLowerCase())
  )
    throw scimInvalid('invalidSyntax', `'schemas' must include '${core}'.`);
}
