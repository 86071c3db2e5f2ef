import { sql, type SqlBool } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { FieldMap } from './field-map.js';
import { ODataError } from './odata-error.js';
import { parseQueryOptions, type QueryOptions, type QuerySpec } from './query-options.js';
import { encodeSkipToken } from './skip-token.js';

const fields: FieldMap = {
  id: { column: 'r.id', type: 'guid' },
  principalId: { column: 'r.principal_id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string' },
  status: { column: 'status', type: 'enum', values: ['Provisioned', 'PendingApproval', 'Revoked'] },
  isEnabled: { column: 'is_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime', nullable: true },
  priority: { column: 'priority', type: 'int' },
  justification: { column: 'justification', type: 'string', filterable: false, sortable: false },
  'initiatedBy/user/id': { column: 'initiated_by', type: 'guid', sortable: false },
  targetResources: {
    column: 'id',
    type: 'string',
    filterable: false,
    any: (_eb, lambda) => lambda.compileBody({ id: { column: 'tr.id', type: 'guid' } }),
  },
};
const spec: QuerySpec = {
  fields,
  expandable: ['principal', 'roleDefinition', 'policy', 'policy/rules', 'policy/rules/target'],
  defaultOrderBy: [{ field: 'createdDateTime', direction: 'desc' }],
};
const G = '62e90394-69f5-4237-9190-012177145e10';

const parse = (query: Record<string, unknown>, over: Partial<QuerySpec> = {}): QueryOptions =>
  parseQueryOptions(query, { ...spec, ...over });

const failure = (run: () => unknown): ODataError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ODataError) return error;
    throw error;
  }
  throw new Error('expected an ODataError');
};

describe('parseQueryOptions', () => {
  it('applies defaults', () => {
    expect(parse({ other: 'x', 'api-version': '1' })).toEqual({
      expand: [],
      orderBy: [{ field: 'createdDateTime', column: 'created_at', direction: 'desc' }],
      top: 100,
      skip: 0,
      count: false,
    });
  });

  // prettier-ignore
  const ACCEPTED: [Record<string, unknown>, Partial<QueryOptions>][] = [
    [{ $select: 'principalId, STATUS,principalid' }, { select: ['principalId', 'status'] }],
    [{ $select: '*' }, {}],
    [{ $select: 'initiatedBy,principal' }, { select: ['initiatedBy', 'principal'] }],
    [{ $expand: 'principal' }, { expand: [{ name: 'principal' }] }],
    [{ $expand: 'Principal($select=id,displayName),roleDefinition' }, { expand: [{ name: 'principal', select: ['id', 'displayName'] }, { name: 'roleDefinition' }] }],
    [{ $expand: 'policy($expand=rules)' }, { expand: [{ name: 'policy', expand: [{ name: 'rules' }] }] }],
    [{ $expand: 'policy($select=id;$expand=rules($expand=target))' }, { expand: [{ name: 'policy', select: ['id'], expand: [{ name: 'rules', expand: [{ name: 'target' }] }] }] }],
    [{ $expand: '*' }, { expand: [{ name: 'principal' }, { name: 'roleDefinition' }, { name: 'policy' }] }],
    [{ $orderby: 'displayName' }, { orderBy: [{ field: 'displayName', column: 'display_name', direction: 'asc' }] }],
    [{ $orderby: 'status DESC, id  asc' }, { orderBy: [{ field: 'status', column: 'status', direction: 'desc' }, { field: 'id', column: 'r.id', direction: 'asc' }] }],
    [{ $top: '0' }, { top: 0 }],
    [{ $top: '999' }, { top: 999 }],
    [{ $TOP: '5', $SkipToken: encodeSkipToken(10) }, { top: 5, skip: 10 }],
    [{ $skiptoken: encodeSkipToken(200) }, { skip: 200 }],
    [{ $count: 'true' }, { count: true }],
    [{ $count: 'FALSE' }, { count: false }],
    [{ $top: ['7'] }, { top: 7 }],
    [{ $filter: `principalId eq '${G}' and status eq 'pendingapproval'` }, { filter: expect.objectContaining({ kind: 'and' }) as never }],
  ];
  it.each(ACCEPTED)('%j', (query, expected) => {
    expect(parse(query)).toMatchObject(expected);
  });

  it('honours maxTop and defaultTop', () => {
    expect(parse({}, { defaultTop: 20 }).top).toBe(20);
    expect(parse({ $top: '50' }, { maxTop: 50 }).top).toBe(50);
    expect(failure(() => parse({ $top: '51' }, { maxTop: 50 })).message).toContain('from 0 to 50');
  });

  // prettier-ignore
  const REJECTED: [Record<string, unknown>, string, string][] = [
    [{ $search: '"x"' }, 'unsupportedQueryOption', "Query option '$search' is not supported."],
    [{ $format: 'json' }, 'unsupportedQueryOption', 'not supported'],
    [{ $apply: 'x' }, 'unsupportedQueryOption', 'not supported'],
    [{ $top: '1000' }, 'invalidTop', 'from 0 to 999'],
    [{ $top: '-1' }, 'invalidTop', 'whole number'],
    [{ $top: '1.5' }, 'invalidTop', 'whole number'],
    [{ $top: ' 5' }, 'invalidTop', 'whole number'],
    [{ $top: '' }, 'invalidTop', 'is empty'],
    [{ $top: '99999999999999999999' }, 'invalidTop', 'whole number'],
    [{ $top: ['1', '2'] }, 'invalidTop', 'only once'],
    [{ $top: '1', $TOP: '2' }, 'invalidTop', 'only once'],
    [{ $top: 5 }, 'invalidTop', 'must be text'],
    [{ $skip: '5' }, 'unsupportedQueryOption', "'$skip' is not supported by the service."],
    [{ $SKIP: 'abc' }, 'unsupportedQueryOption', "'$skip' is not supported by the service."],
    [{ $count: 'yes' }, 'invalidCount', 'true or false'],
    [{ $skiptoken: 'garbage!' }, 'invalidSkipToken', 'invalid'],
    [{ $skiptoken: encodeSkipToken(5) + 'A' }, 'invalidSkipToken', 'invalid'],
    [{ $skiptoken: encodeSkipToken(5), $skip: '5' }, 'unsupportedQueryOption', "'$skip' is not supported"],
    [{ $select: 'password' }, 'invalidSelect', "named 'password'"],
    [{ $select: 'id,,status' }, 'invalidSelect', "named ''"],
    [{ $select: 'id/x' }, 'invalidSelect', "named 'id/x'"],
    [{ $select: 'x'.repeat(4097) }, 'invalidSelect', 'longer than 4096'],
    [{ $expand: 'manager' }, 'invalidExpand', "navigation property named 'manager'"],
    [{ $expand: 'rules' }, 'invalidExpand', "named 'rules'"],
    [{ $expand: 'policy($expand=target)' }, 'invalidExpand', "named 'target'"],
    [{ $expand: 'principal(' }, 'invalidExpand', 'unbalanced parentheses'],
    [{ $expand: 'principal($filter=id eq 1)' }, 'invalidExpand', "option '$filter' is not supported inside $expand"],
    [{ $expand: 'principal($select=a;$select=b)' }, 'invalidExpand', 'given twice'],
    [{ $expand: 'principal($select=a b)' }, 'invalidExpand', "cannot select 'a b'"],
    [{ $expand: 'principal,Principal' }, 'invalidExpand', 'expanded twice'],
    [{ $expand: 'principal;roleDefinition' }, 'invalidExpand', 'cannot read'],
    [{ $orderby: 'secret' }, 'invalidOrderBy', "named 'secret'"],
    [{ $orderby: 'justification' }, 'invalidOrderBy', 'cannot be sorted'],
    [{ $orderby: 'initiatedBy/user/id' }, 'invalidOrderBy', 'cannot be sorted'],
    [{ $orderby: 'id sideways' }, 'invalidOrderBy', "cannot read 'id sideways'"],
    [{ $orderby: 'id,ID desc' }, 'invalidOrderBy', 'appears twice'],
    [{ $orderby: 'id,' }, 'invalidOrderBy', "cannot read ''"],
    [{ $filter: '' }, 'invalidFilter', 'the expression is empty'],
    [{ $filter: 'x'.repeat(5000) }, 'invalidFilter', 'longer than 4096'],
  ];
  it.each(REJECTED)('rejects %j', (query, code, message) => {
    const error = failure(() => parse(query));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('$filter against the field map', () => {
  // prettier-ignore
  const REJECTED: [string, string][] = [
    ["foo eq 'x'", "Invalid $filter at position 0: could not find a property named 'foo'"],
    ["initiatedBy/user/name eq 'x'", "position 0: could not find a property named 'initiatedBy/user/name'"],
    ["isEnabled eq 'x'", "position 13: property 'isEnabled' holds boolean values; the string 'x' does not fit"],
    ['isEnabled eq 1', 'the number 1 does not fit'],
    ["principalId eq 'not-a-guid'", "position 15: 'not-a-guid' is not a valid GUID"],
    ['principalId eq 1', 'holds guid values'],
    ["status eq 'Deleted'", "'Deleted' is not a valid value for property 'status'"],
    ["status in ('Revoked', 'x')", "position 22: 'x' is not a valid value"],
    ['status eq Revoked', "could not find a property named 'Revoked'"],
    ["createdDateTime eq '2022-04-10T00:00:00Z'", 'holds datetime values'],
    ['priority eq 2022-04-10T00:00:00Z', 'the date/time 2022-04-10T00:00:00Z does not fit'],
    [`displayName eq 2022-04-10T00:00:00Z`, 'holds string values'],
    ['displayName eq true', 'holds string values'],
    ["priority eq '1'", 'holds int values'],
    ['priority gt null', 'null can only be compared with eq or ne'],
    ['isEnabled gt false', "operator 'gt' is not supported on property 'isEnabled'"],
    [`principalId lt ${G}`, "operator 'lt' is not supported"],
    ["justification eq 'x'", "property 'justification' cannot be used in $filter"],
    ['displayName eq principalId', 'comparing two properties is not supported'],
    ["'a' eq 'a'", 'a comparison needs a property on one side'],
    ["startswith(priority, '1')", "startswith needs a string property; 'priority' is not"],
    ['startswith(displayName, 1)', 'startswith needs a quoted string'],
    ["status in ('Revoked', null)", "null is not allowed in an 'in' list"],
    ["isof('microsoft.graph.user')", 'isof is not supported on this collection'],
    ["displayName/any(d: d eq 'x')", "property 'displayName' does not support any/all"],
    [`targetResources/any(t: id eq '${G}')`, "inside this lambda, properties must start with its variable 't'"],
    [`targetResources/any(t: t/name eq 'x')`, "could not find a property named 'name'"],
    [`targetResources/any(t: t/id eq 'x')`, "'x' is not a valid GUID"],
  ];
  it.each(REJECTED)('%s', (filter, message) => {
    const error = failure(() => parse({ $filter: filter }));
    expect(error.code).toBe('invalidFilter');
    expect(error.message).toContain(message);
  });

  it('accepts what fits, resolving names case-insensitively', () => {
    const ok = [
      `PRINCIPALID eq '${G.toUpperCase()}' and Status eq 'revoked'`,
      `initiatedby/USER/id eq ${G}`,
      `targetResources/any(t: t/ID eq '${G}')`,
      `createdDateTime ne null and priority ge -3 and isEnabled eq true`,
      `displayName eq ${G}`,
    ];
    for (const filter of ok) expect(() => parse({ $filter: filter })).not.toThrow();
  });

  it('uses the isof hook when the collection supplies one', () => {
    const isof = (_eb: unknown, args: { typeName: string }) => sql<SqlBool>`kind = ${args.typeName}`;
    expect(() => parse({ $filter: "isof('microsoft.graph.user')" }, { functions: { isof } })).not.toThrow();
  });
});
