import { filter as compileFilter, parse, type Filter } from 'scim2-parse-filter';
import { scimPatch, ScimError as PatchLibraryError, type ScimPatchOperation } from 'scim-patch';
import {
  attributeOf,
  CASE_INSENSITIVE,
  FILTERABLE,
  isWritable,
  type ScimResourceType,
} from './scim-attributes.js';
import { isObject, scimInvalid, SCIM, type JsonObject } from './scim-schema.js';

export const MAX_FILTER_LENGTH = 1000;
export const MAX_PATCH_OPERATIONS = 100;

/** A compiled filter: true for the resources (their SCIM JSON) it keeps. */
export type ScimPredicate = (resource: JsonObject) => boolean;

/**
 * Parses an RFC 7644 §3.4.2.2 filter over the attributes Elevate keeps. String comparisons of
 * case-insensitive attributes (`userName`, `displayName`…) ignore case, as RFC 7643 says, so
 * Entra's `userName eq "Alice@Contoso.com"` finds `alice@contoso.com`.
 * @throws ValidationError (`invalidFilter`)
 */
export function parseScimFilter(type: ScimResourceType, text: string): ScimPredicate {
  if (text.length > MAX_FILTER_LENGTH)
    throw scimInvalid('invalidFilter', `The filter must be at most ${MAX_FILTER_LENGTH} characters.`);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw scimInvalid('invalidFilter', 'The filter is not a valid SCIM filter expression.');
  }
  const folded = fold(type, ast, '');
  const test = compileFilter(folded);
  return (resource) => test(lowered(type, resource));
}

/** Checks every attribute of the filter is filterable, lower-casing case-insensitive comparisons. */
function fold(type: ScimResourceType, f: Filter, prefix: string): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map((g) => fold(type, g, prefix)) };
    case 'not':
      return { ...f, filter: fold(type, f.filter, prefix) };
    case '[]':
      checkFilterable(type, `${prefix}${f.attrPath}`);
      return { ...f, valFilter: fold(type, f.valFilter, `${prefix}${f.attrPath}.`) };
    case 'pr':
      checkFilterable(type, `${prefix}${f.attrPath}`);
      return f;
    default: {
      const path = checkFilterable(type, `${prefix}${f.attrPath}`);
      return typeof f.compValue === 'string' && CASE_INSENSITIVE[type].has(path)
        ? { ...f, compValue: f.compValue.toLowerCase() }
        : f;
    }
  }
}

function checkFilterable(type: ScimResourceType, attrPath: string): string {
  const core = (type === 'User' ? SCIM.user : SCIM.group).toLowerCase();
  let path = attrPath.toLowerCase();
  if (path.startsWith(`${core}:`)) path = path.slice(core.length + 1);
  if (!FILTERABLE[type].has(path))
    throw scimInvalid(
      'invalidFilter',
      `The filter names an attribute Elevate does not filter on: '${attrPath.slice(0, 100)}'.`,
    );
  return path;
}

/** A copy of the resource with its case-insensitive string attributes lower-cased (for filtering only). */
function lowered(type: ScimResourceType, r: JsonObject): JsonObject {
  const copy: JsonObject = { ...r };
  const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
  for (const key of Object.keys(copy)) {
    const k = key.toLowerCase();
    if (CASE_INSENSITIVE[type].has(k)) copy[key] = lower(copy[key]);
  }
  if (type === 'User') {
    const name = copy['name'];
    if (isObject(name))
      copy['name'] = { ...name, givenName: lower(name['givenName']), familyName: lower(name['familyName']) };
    const emails = copy['emails'];
    if (Array.isArray(emails))
      copy['emails'] = emails.map((e: unknown) => (isObject(e) ? { ...e, value: lower(e['value']) } : e));
  }
  return copy;
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5): comma-separated attribute names. */
export interface Projection {
  attributes: string[] | null;
  excludedAttributes: string[] | null;
}

/**
 * Keeps the asked-for attributes of a resource (`id`, `schemas` and `meta` always returned) or
 * drops the excluded ones. Only top-level names and `name.sub` paths: enough for what clients ask.
 * @throws ValidationError (`invalidValue`) for a name that is not an attribute of the resource
 */
export function project(type: ScimResourceType, resource: JsonObject, p: Projection): JsonObject {
  if (p.attributes === null && p.excludedAttributes === null) return resource;
  const names = (list: string[]) =>
    list.map((n) => {
      const ref = attributeOf(type, n);
      if (ref === undefined || ref.extension)
        throw scimInvalid('invalidValue', `'${n.slice(0, 100)}' is not an attribute of ${type}.`);
      return ref.attribute;
    });
  const always = new Set(['id', 'schemas', 'meta']);
  const out: JsonObject = {};
  if (p.attributes !== null) {
    const keep = new Set(names(p.attributes));
    for (const [k, v] of Object.entries(resource)) if (always.has(k) || keep.has(k.toLowerCase())) out[k] = v;
    return out;
  }
  const drop = new Set(names(p.excludedAttributes ?? []));
  for (const [k, v] of Object.entries(resource)) if (always.has(k) || !drop.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** A PATCH body (RFC 7644 §3.5.2), its operations checked. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string | null;
  value: unknown;
}

/**
 * Reads a PatchOp body: the `schemas` URN, 1 to 100 operations, each `add`/`remove`/`replace` in any
 * case (Entra writes `Replace`), a path naming a writable attribute of the resource's schemas.
 * @throws ValidationError (`invalidSyntax`, `invalidPath`, `mutability`, `noTarget`, `invalidValue`)
 */
export function readPatch(type: ScimResourceType, body: unknown): PatchOperation[] {
  if (!isObject(body)) throw scimInvalid('invalidSyntax', 'The body must be a PatchOp object.');
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(SCIM.patchOp))
    throw scimInvalid('invalidSyntax', `'schemas' must be ['${SCIM.patchOp}'].`);
  const ops = body['Operations'] ?? body['operations'];
  if (!Array.isArray(ops) || ops.length === 0)
    throw scimInvalid('invalidSyntax', "'Operations' must be a non-empty array.");
  if (ops.length > MAX_PATCH_OPERATIONS)
    throw scimInvalid('invalidSyntax', `At most ${MAX_PATCH_OPERATIONS} operations per request.`);
  return ops.map((raw: unknown, i: number): PatchOperation => {
    if (!isObject(raw)) throw scimInvalid('invalidSyntax', `Operation ${i} must be an object.`);
    const op = typeof raw['op'] === 'string' ? raw['op'].toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace')
      throw scimInvalid('invalidSyntax', `Operation ${i}: 'op' must be add, remove or replace.`);
    const path = raw['path'];
    if (path !== undefined && path !== null && (typeof path !== 'string' || path.length > 500))
      throw scimInvalid('invalidPath', `Operation ${i}: 'path' must be a string of at most 500 characters.`);
    const value = raw['value'];
    if (typeof path !== 'string' || path.trim() === '') {
      if (op === 'remove') throw scimInvalid('noTarget', `Operation ${i}: remove needs a 'path'.`);
      if (!isObject(value))
        throw scimInvalid('invalidValue', `Operation ${i}: without a 'path', 'value' must be an object.`);
      for (const key of Object.keys(value)) checkPath(type, key, i, true);
      return { op, path: null, value };
    }
    checkPath(type, path, i, false);
    if (op !== 'remove' && value === undefined)
      throw scimInvalid('invalidValue', `Operation ${i}: '${op}' needs a 'value'.`);
    return { op, path, value };
  });
}

function checkPath(type: ScimResourceType, path: string, i: number, key: boolean): void {
  const ref = attributeOf(type, path);
  if (ref === undefined)
    throw scimInvalid(
      'invalidPath',
      `Operation ${i}: '${path.slice(0, 100)}' is not an attribute of ${type}.`,
    );
  // `id`, `schemas` and `meta` inside a whole-resource value (Okta sends `id`) are ignored, not refused.
  if (!isWritable(ref) && !(key && ['id', 'schemas', 'meta'].includes(ref.attribute)))
    throw scimInvalid('mutability', `Operation ${i}: '${path.slice(0, 100)}' is read-only.`);
}

/**
 * Applies attribute operations to a resource's SCIM JSON (`scim-patch`): the result is read again
 * like a PUT body, so every type and bound is checked the same way.
 * @throws ValidationError (`invalidPath`, `noTarget`, `invalidValue`, `invalidSyntax`)
 */
export function applyPatch(resource: JsonObject, ops: readonly PatchOperation[]): JsonObject {
  if (ops.length === 0) return resource;
  const meta = { created: new Date(0), lastModified: new Date(0) };
  const doc = { schemas: [] as string[], ...structuredClone(resource), meta };
  const operations = ops.map((o) => {
    const value = o.path === null && isObject(o.value) ? withoutReadOnly(o.value) : o.value;
    return (o.path === null ? { op: o.op, value } : { op: o.op, path: o.path, value }) as ScimPatchOperation;
  });
  try {
    const patched: JsonObject = {
      ...scimPatch(doc, operations, { mutateDocument: false, treatMissingAsAdd: true }),
    };
    delete patched['meta'];
    return patched;
  } catch (e) {
    if (!(e instanceof PatchLibraryError)) throw e;
    const code =
      e.scimCode === 'noTarget' ? 'noTarget' : e.scimCode === 'invalidValue' ? 'invalidValue' : 'invalidPath';
    throw scimInvalid(code, `The operation cannot be applied: ${e.message.slice(0, 200)}`);
  }
}

const withoutReadOnly = (v: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(v).filter(([k]) => !['id', 'schemas', 'meta'].includes(k.toLowerCase())));

/**
 * The one equality a filter is, when it is one (`userName eq "…"`, `externalId eq "…"`, `id eq "…"`):
 * the lookups identity providers make before every create, answered by an index rather than by
 * reading every resource of the client. The whole filter still runs on what comes back.
 */
export function narrowingOf(
  text: string,
): { attribute: 'userName' | 'externalId' | 'id' | 'displayName'; value: string } | null {
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    return null;
  }
  if (ast.op !== 'eq' || typeof ast.compValue !== 'string') return null;
  const path = ast.attrPath
    .toLowerCase()
    .replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '');
  const attribute = (
    { username: 'userName', externalid: 'externalId', id: 'id', displayname: 'displayName' } as const
  )[path];
  return attribute === undefined ? null : { attribute, value: ast.compValue };
}
