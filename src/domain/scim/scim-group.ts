import { parse } from 'scim2-parse-filter';
import type { Group } from '../directory/types.js';
import { parseScimFilter, type PatchOperation } from './scim-query.js';
import {
  AttributeReader,
  checkSchemas,
  isObject,
  scimInvalid,
  SCIM,
  type JsonObject,
} from './scim-schema.js';

/** At most this many members in one request (a larger group is sent in several PATCHes, as Entra does). */
export const MAX_MEMBERS_PER_REQUEST = 1000;

export interface ScimGroupInput {
  displayName: string;
  externalId: string | null;
  /** Member ids, or `null` when the body has no `members` (PUT then keeps them, as Okta expects). */
  members: string[] | null;
}

/**
 * Reads a SCIM Group body (POST, PUT, or a group after attribute operations).
 * @throws ValidationError (`invalidSyntax`, `invalidValue`)
 */
export function readScimGroup(body: JsonObject): ScimGroupInput {
  checkSchemas(body, SCIM.group);
  const r = new AttributeReader(body, '');
  const displayName = r.string('displayName', 256);
  if (displayName === null) throw scimInvalid('invalidValue', "'displayName' is required.");
  return {
    displayName,
    externalId: r.string('externalId', 256),
    members: r.raw('members') === undefined ? null : memberIds(r.raw('members'), 'members'),
  };
}

/** The ids in a `members` value: `[{"value": "<id>"}, …]`. @throws ValidationError (`invalidValue`) */
export function memberIds(value: unknown, where: string): string[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_MEMBERS_PER_REQUEST)
    throw scimInvalid(
      'invalidValue',
      `'${where}' may name at most ${MAX_MEMBERS_PER_REQUEST} members per request.`,
    );
  return [
    ...new Set(
      list.map((m: unknown, i) => {
        const id = isObject(m) ? new AttributeReader(m, `${where}[${i}]`).string('value', 36) : null;
        if (id === null) throw scimInvalid('invalidValue', `'${where}[${i}].value' must be a member id.`);
        return id.toLowerCase();
      }),
    ),
  ];
}

/** What PATCH operations on `members` do to a group's members; the rest are attribute operations. */
export interface MemberChanges {
  /** Every member replaced by these (`replace` of `members`), applied before `add` and `remove`. */
  replaceWith: string[] | null;
  add: string[];
  remove: string[];
  /** Operations on other attributes (`displayName`, `externalId`). */
  attributeOps: PatchOperation[];
}

/**
 * Splits a group's PATCH operations into member changes and attribute operations. Members are
 * changed through the directory's own add/remove, never by rewriting the whole list, so a PATCH
 * that adds one member to a large group touches one row. Understood, as Entra and Okta send them:
 * `add`/`remove`/`replace` of `members` with a value list, `remove` of `members[value eq "id"]`
 * (any filter on `value`), `remove` of `members` without a value (all), and `members` inside a
 * path-less value object. `currentMembers` resolves a filter path.
 * @throws ValidationError (`invalidPath`, `invalidFilter`, `invalidValue`)
 */
export function memberChanges(
  ops: readonly PatchOperation[],
  currentMembers: () => readonly string[],
): MemberChanges {
  const out: MemberChanges = { replaceWith: null, add: [], remove: [], attributeOps: [] };
  const apply = (op: PatchOperation['op'], value: unknown, where: string) => {
    if (op === 'replace') out.replaceWith = memberIds(value, where);
    else if (op === 'add') out.add.push(...memberIds(value, where));
    else if (value === undefined || value === null) out.replaceWith = [];
    else out.remove.push(...memberIds(value, where));
  };
  for (const o of ops) {
    if (o.path === null) {
      const value = o.value as JsonObject;
      const rest: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        if (k.toLowerCase() === 'members') apply(o.op, v, 'value.members');
        else rest[k] = v;
      }
      if (Object.keys(rest).length > 0) out.attributeOps.push({ ...o, value: rest });
      continue;
    }
    const path = o.path.trim().replace(new RegExp(`^${SCIM.group}:`, 'i'), '');
    if (/^members$/i.test(path)) {
      apply(o.op, o.value, 'members');
      continue;
    }
    const filtered = /^members\[(.+)\]$/i.exec(path);
    if (filtered) {
      if (o.op !== 'remove')
        throw scimInvalid('invalidPath', `Only 'remove' takes a filtered 'members' path.`);
      out.remove.push(...matchingMembers(filtered[1]!, currentMembers()));
      continue;
    }
    if (/^members\./i.test(path))
      throw scimInvalid('invalidPath', `'${path.slice(0, 100)}' cannot be patched.`);
    out.attributeOps.push(o);
  }
  return out;
}

/** Members whose `value` the filter keeps: `value eq "id"` and any combination of it. */
function matchingMembers(filterText: string, members: readonly string[]): string[] {
  try {
    parse(filterText);
  } catch {
    throw scimInvalid('invalidFilter', 'The members filter is not a valid SCIM filter expression.');
  }
  const keep = parseScimFilter('Group', `members[${filterText}]`);
  return members.filter((id) => keep({ members: [{ value: id }] }));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The RFC 7643 Group resource of a directory group and its standing members. */
export function scimGroupJson(
  g: Group,
  externalId: string | null,
  members: readonly { id: string; type: 'User' | 'Group' }[],
  baseUrl: string,
): JsonObject {
  return {
    schemas: [SCIM.group],
    id: g.id,
    ...(externalId === null ? {} : { externalId }),
    displayName: g.displayName,
    members: members.map((m) => ({ value: m.id, $ref: `${baseUrl}/${m.type}s/${m.id}`, type: m.type })),
    meta: {
      resourceType: 'Group',
      created: iso(g.createdAt),
      lastModified: iso(g.modifiedAt),
      location: `${baseUrl}/Groups/${g.id}`,
      version: `W/"${g.version}"`,
    },
  };
}
