import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../src/domain/roles/built-in-roles.js';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  call,
  expectGraphError,
  filterQuery,
  followPages,
  type Headers,
  type Page,
} from './support/graph.js';
import { createCustomRole, GLOBAL_ADMINISTRATOR, ROLES } from './support/fixtures.js';

const URL = `${ROLES}/roleDefinitions`;
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

interface Role {
  id: string;
  displayName: string;
  isBuiltIn: boolean;
  isEnabled: boolean;
  isPrivileged: boolean;
  templateId: string;
}

describe('OData on /v1.0/roleManagement/directory/roleDefinitions', () => {
  let s: TestServer;
  let h: Headers;
  let all: Role[];
  const ids = (roles: { id: unknown }[]) => roles.map((r) => r.id as string).sort();
  const list = async (query: string) => {
    const res = await call(s, 'GET', `${URL}?${query}`, h);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res.json<Page<Role>>();
  };

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    await createCustomRole(s, h, { displayName: 'Security helper', isEnabled: false });
    await createCustomRole(s, h, { displayName: 'Name fixer' });
    all = (await list('$top=999')).value;
    expect(all).toHaveLength(BUILT_IN_ROLES.length + 2);
  });
  afterAll(() => s.close());

  const cases: [string, string, (r: Role) => boolean][] = [
    ['isBuiltIn eq true', 'isBuiltIn eq true', (r) => r.isBuiltIn],
    ['isBuiltIn eq false', 'isBuiltIn eq false', (r) => !r.isBuiltIn],
    ['displayName eq', "displayName eq 'global administrator'", (r) => r.id === GLOBAL_ADMINISTRATOR],
    ['startswith', "startswith(displayName,'Security')", (r) => r.displayName.startsWith('Security')],
    ['id eq a GUID', `id eq ${GLOBAL_ADMINISTRATOR}`, (r) => r.id === GLOBAL_ADMINISTRATOR],
    [
      'templateId in GUIDs',
      `templateId in ('${GLOBAL_ADMINISTRATOR}', '${USER_ADMINISTRATOR.toUpperCase()}')`,
      (r) => [GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR].includes(r.templateId),
    ],
    [
      'and with not',
      'isPrivileged eq true and not (isEnabled eq false)',
      (r) => r.isPrivileged && r.isEnabled,
    ],
    [
      'or with parentheses',
      "(isBuiltIn eq false or startswith(displayName,'Global')) and isEnabled eq true",
      (r) => (!r.isBuiltIn || r.displayName.startsWith('Global')) && r.isEnabled,
    ],
    ['ne', 'isPrivileged ne true', (r) => !r.isPrivileged],
  ];

  it.each(cases)('$filter %s returns exactly the matching roles', async (_name, expression, matches) => {
    const expected = ids(all.filter(matches));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    const body = await list(`${filterQuery(expression)}&$count=true&$top=999`);
    expect(ids(body.value)).toEqual(expected);
    expect(body['@odata.count']).toBe(expected.length);
  });

  it('$select=id,templateId projects; built-ins carry id == templateId', async () => {
    const body = await list(`$select=id,templateId&${filterQuery('isBuiltIn eq true')}&$top=999`);
    expect(body.value).toHaveLength(BUILT_IN_ROLES.length);
    for (const r of body.value) {
      expect(Object.keys(r).sort()).toEqual(['id', 'templateId']);
      expect(r.templateId).toBe(r.id);
    }
  });

  it('pages with $top=7 through every role once, in $orderby order, with the count on each page', async () => {
    const expected = [...all].sort((a, b) => (a.templateId < b.templateId ? 1 : -1)).map((r) => r.id);
    const pages = await followPages(s, h, `${URL}?$top=7&$orderby=templateId desc&$count=true`);
    expect(pages).toHaveLength(Math.ceil(all.length / 7));
    expect(pages.flatMap((p) => p.value.map((r) => r.id))).toEqual(expected);
    for (const p of pages) expect(p['@odata.count']).toBe(all.length);
    expect(pages.at(-1)).not.toHaveProperty('@odata.nextLink');
  });

  it('pages by the default page size of 100 when $top is absent', async () => {
    const body = await list('');
    expect(body.value).toHaveLength(all.length);
    expect(body).not.toHaveProperty('@odata.nextLink');
  });

  it.each([
    [
      'a property that is not filterable',
      filterQuery("description eq 'x'"),
      'invalidFilter',
      /description/,
      '$filter',
    ],
    ['a malformed expression', filterQuery('isBuiltIn eq eq true'), 'invalidFilter', /position/, '$filter'],
    ['a bad GUID literal', filterQuery('id eq 62e90394-zzzz'), 'invalidFilter', /position/, '$filter'],
    [
      'a number for a boolean',
      filterQuery('isBuiltIn eq 1'),
      'invalidFilter',
      /isBuiltIn|boolean/i,
      '$filter',
    ],
    [
      'an unknown $orderby property',
      '$orderby=rolePermissions',
      'invalidOrderBy',
      /rolePermissions/,
      '$orderby',
    ],
    ['a bad $top', '$top=ten', 'invalidTop', /'\$top'/, '$top'],
    ['a forged $skiptoken', '$skiptoken=djE6LTE', 'invalidSkipToken', /\$skiptoken/, '$skiptoken'],
    ['$search', '$search=admin', 'unsupportedQueryOption', /\$search/, '$search'],
  ])('rejects %s with 400', async (_name, query, code, message, target) => {
    expectGraphError(await call(s, 'GET', `${URL}?${query}`, h), 400, code, message, { target });
  });
});
