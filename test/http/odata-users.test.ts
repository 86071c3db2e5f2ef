import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, testServer, type TestServer } from '../helpers/server.js';
import {
  call,
  expectGraphError,
  filterQuery,
  followPages,
  type Headers,
  type Page,
} from './support/graph.js';
import { createUser } from './support/fixtures.js';

interface User {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  createdDateTime: string;
}

// [displayName, givenName, surname, jobTitle, mail?, accountEnabled]; first letters differ, so
// every collation sorts them alike.
const SEED: [string, string | null, string | null, string | null, boolean, boolean][] = [
  ['Ann Archer', 'Ann', 'Archer', 'Engineer', true, true],
  ['Bob Baker', 'Bob', 'Baker', 'Manager', false, true],
  ['Cid Carter', 'Cid', null, 'Engineer', true, false],
  ['Dee Dunn', null, 'Dunn', null, false, true],
  ['Fay Fox', 'Fay', 'Fox', 'Designer', true, true],
  ['Gus Gray', 'Gus', null, null, false, false],
  ['Hal Hill', 'Hal', 'Hill', 'Engineer', true, true],
  ["Ian O'Neil", 'Ian', "O'Neil", 'Manager', false, true],
  ['Jo Jones', 'Jo', 'Jones', 'Designer', true, false],
  ['Kim Kay', 'Kim', 'Kay', null, false, false],
  ['Lou Lee', 'Lou', 'Lee', 'Engineer', true, true],
];

describe('OData on /v1.0/users', () => {
  const clock = new ManualClock(Date.now());
  let s: TestServer;
  let h: Headers;
  let all: User[];
  const byName = (name: string) => all.find((u) => u.displayName === name)!;
  const ids = (users: { id: unknown }[]) => users.map((u) => u.id as string).sort();
  const list = async (query: string) => {
    const res = await call(s, 'GET', `/v1.0/users?${query}`, h);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res.json<Page<User>>();
  };

  beforeAll(async () => {
    s = await testServer({ clock });
    h = await s.admin();
    for (const [displayName, givenName, surname, jobTitle, hasMail, accountEnabled] of SEED) {
      clock.advance(1000);
      const first = displayName.split(' ')[0]!.toLowerCase();
      await createUser(s, h, {
        displayName,
        givenName,
        surname,
        jobTitle,
        accountEnabled,
        userPrincipalName: `${first}@contoso.test`,
        mail: hasMail ? `${first}@contoso.test` : null,
      });
    }
    all = (await list('$top=999')).value;
    expect(all).toHaveLength(SEED.length + 1);
  });
  afterAll(() => s.close());

  const at = (name: string) => byName(name).createdDateTime;
  const cases: [string, () => string, (u: User) => boolean][] = [
    ['eq', () => "displayName eq 'Bob Baker'", (u) => u.displayName === 'Bob Baker'],
    [
      'eq on a UPN, case-insensitively',
      () => "userPrincipalName eq 'ANN@Contoso.Test'",
      (u) => u.displayName === 'Ann Archer',
    ],
    ["eq with an escaped quote ('')", () => "surname eq 'O''Neil'", (u) => u.surname === "O'Neil"],
    ['ne (which also matches null)', () => "jobTitle ne 'Engineer'", (u) => u.jobTitle !== 'Engineer'],
    [
      'and',
      () => "jobTitle eq 'Engineer' and accountEnabled eq true",
      (u) => u.jobTitle === 'Engineer' && u.accountEnabled,
    ],
    [
      'or',
      () => "jobTitle eq 'Manager' or surname eq 'Fox'",
      (u) => u.jobTitle === 'Manager' || u.surname === 'Fox',
    ],
    ['not', () => "not (jobTitle eq 'Engineer')", (u) => u.jobTitle !== 'Engineer'],
    ['not startswith', () => "not startswith(displayName,'A')", (u) => !u.displayName.startsWith('A')],
    ['in', () => "givenName in ('Ann','Cid','Nobody')", (u) => ['Ann', 'Cid'].includes(u.givenName ?? '')],
    ['startswith', () => "startswith(displayName,'G')", (u) => u.displayName.startsWith('G')],
    [
      'startswith, case-insensitive property',
      () => "startswith(userPrincipalName,'H')",
      (u) => u.userPrincipalName.startsWith('h'),
    ],
    ['eq null', () => 'mail eq null', (u) => u.mail === null],
    ['ne null', () => 'mail ne null', (u) => u.mail !== null],
    [
      'parentheses over precedence',
      () => "(jobTitle eq 'Engineer' or jobTitle eq 'Manager') and surname ne null",
      (u) => (u.jobTitle === 'Engineer' || u.jobTitle === 'Manager') && u.surname !== null,
    ],
    [
      'and binding tighter than or',
      () => "jobTitle eq 'Engineer' or jobTitle eq 'Manager' and surname ne null",
      (u) => u.jobTitle === 'Engineer' || (u.jobTitle === 'Manager' && u.surname !== null),
    ],
    ['a GUID literal', () => `id eq ${byName('Bob Baker').id}`, (u) => u.displayName === 'Bob Baker'],
    [
      'a quoted GUID in upper case',
      () => `id eq '${byName('Fay Fox').id.toUpperCase()}'`,
      (u) => u.displayName === 'Fay Fox',
    ],
    [
      'GUIDs in a list',
      () => `id in (${byName('Ann Archer').id}, ${byName('Lou Lee').id})`,
      (u) => ['Ann Archer', 'Lou Lee'].includes(u.displayName),
    ],
    ['a boolean literal', () => 'accountEnabled eq false', (u) => !u.accountEnabled],
    [
      'a date-time literal (ge)',
      () => `createdDateTime ge ${at('Fay Fox')}`,
      (u) => u.createdDateTime >= at('Fay Fox'),
    ],
    [
      'a date-time literal (lt)',
      () => `createdDateTime lt ${at('Cid Carter')}`,
      (u) => u.createdDateTime < at('Cid Carter'),
    ],
    ['a date-time with an offset', () => 'createdDateTime gt 2020-01-01T01:00:00+01:00', () => true],
  ];

  it.each(cases)('$filter with %s returns exactly the matching users', async (_name, expression, matches) => {
    const expected = ids(all.filter(matches));
    expect(expected.length, 'the case must match something').toBeGreaterThan(0);
    expect(expected.length, 'the case must not match everything').toBeLessThanOrEqual(all.length);
    const body = await list(`${filterQuery(expression())}&$count=true`);
    expect(ids(body.value)).toEqual(expected);
    expect(body['@odata.count']).toBe(expected.length);
  });

  it('$select projects exactly the named properties, nulls included, in any letter case', async () => {
    const body = await list('$select=displayName,ID,mail');
    expect(body.value).toHaveLength(all.length);
    for (const u of body.value) expect(Object.keys(u).sort()).toEqual(['displayName', 'id', 'mail']);
    expect(body.value.find((u: User) => u.displayName === 'Bob Baker')).toStrictEqual({
      id: byName('Bob Baker').id,
      displayName: 'Bob Baker',
      mail: null,
    });
  });

  it('$top with @odata.nextLink pages through everything once, keeping $filter, $orderby and $count', async () => {
    const expected = all
      .filter((u) => u.accountEnabled)
      .sort((a, b) => (a.displayName < b.displayName ? -1 : 1));
    const pages = await followPages(
      s,
      h,
      `/v1.0/users?$top=3&${filterQuery('accountEnabled eq true')}&$orderby=displayName&$count=true`,
    );
    expect(expected.length % 3, 'the last page must be partial').not.toBe(0);
    const sizes = pages.map((p) => p.value.length);
    expect(sizes).toEqual(
      [...Array(Math.ceil(expected.length / 3)).keys()].map((i) => Math.min(3, expected.length - 3 * i)),
    );
    expect(pages.flatMap((p) => p.value.map((u) => u.id))).toEqual(expected.map((u) => u.id));
    for (const p of pages) expect(p['@odata.count']).toBe(expected.length);
    expect(pages[0]!['@odata.nextLink']).toMatch(/\$filter=accountEnabled%20eq%20true.*\$skiptoken=/);
  });

  it('pages without $orderby too, with neither duplicates nor gaps', async () => {
    const pages = await followPages(s, h, '/v1.0/users?$top=5');
    const seen = pages.flatMap((p) => p.value.map((u) => u.id as string));
    expect(seen).toHaveLength(all.length);
    expect([...seen].sort()).toEqual(ids(all));
  });

  it('$orderby sorts ascending with nulls first, descending, and by several keys', async () => {
    const names = (body: { value: User[] }) => body.value.map((u) => u.displayName);
    const sorted = [...all]
      .sort((a, b) => (a.displayName < b.displayName ? -1 : 1))
      .map((u) => u.displayName);
    expect(names(await list('$orderby=displayName desc'))).toEqual([...sorted].reverse());
    const byJob = [...all].sort((a, b) => {
      const ja = a.jobTitle ?? '';
      const jb = b.jobTitle ?? '';
      return ja === jb ? (a.displayName < b.displayName ? -1 : 1) : ja < jb ? -1 : 1;
    });
    expect(names(await list('$orderby=jobTitle asc,displayName'))).toEqual(byJob.map((u) => u.displayName));
    const newest = [...all].sort((a, b) => (a.createdDateTime < b.createdDateTime ? 1 : -1));
    expect(names(await list('$orderby=createdDateTime desc'))).toEqual(newest.map((u) => u.displayName));
  });

  it('$count=true counts without paging limits', async () => {
    const body = await list('$top=2&$count=true');
    expect(body['@odata.count']).toBe(all.length);
    expect(body.value).toHaveLength(2);
    expect(await list('$count=false')).not.toHaveProperty('@odata.count');
  });

  it.each([
    ['an unknown property', filterQuery('shoeSize eq 42'), 'invalidFilter', /shoeSize/, '$filter'],
    ['a dangling operator', filterQuery('displayName eq'), 'invalidFilter', /position 14/, '$filter'],
    ['an unterminated string', filterQuery("displayName eq 'Ann"), 'invalidFilter', /position/, '$filter'],
    ['an unclosed parenthesis', filterQuery("(displayName eq 'Ann'"), 'invalidFilter', /position/, '$filter'],
    [
      'a type mismatch',
      filterQuery("accountEnabled eq 'yes'"),
      'invalidFilter',
      /accountEnabled|boolean/i,
      '$filter',
    ],
    ['a malformed GUID', filterQuery("id eq 'not-a-guid'"), 'invalidFilter', /GUID/, '$filter'],
    [
      'an unsupported function',
      filterQuery("endswith(mail,'@contoso.test')"),
      'invalidFilter',
      /endswith/,
      '$filter',
    ],
    ['a negative $top', '$top=-1', 'invalidTop', /'\$top' must be a whole number from 0 to 999/, '$top'],
    ['a $top over 999', '$top=1000', 'invalidTop', /'\$top'/, '$top'],
    ['a fractional $top', '$top=1.5', 'invalidTop', /'\$top'/, '$top'],
    ['$top twice', '$top=1&$top=2', 'invalidTop', /only once/, '$top'],
    [
      'a made-up $skiptoken',
      '$skiptoken=garbage',
      'invalidSkipToken',
      /\$skiptoken is invalid/,
      '$skiptoken',
    ],
    [
      '$skip (Graph pages these by $skiptoken only)',
      '$skip=1&$skiptoken=djE6Mw',
      'unsupportedQueryOption',
      /'\$skip' is not supported by the service\./,
      '$skip',
    ],
    ['$search', '$search=%22Ann%22', 'unsupportedQueryOption', /\$search/, '$search'],
    ['$format', '$format=json', 'unsupportedQueryOption', /\$format/, '$format'],
    ['$select of an unknown property', '$select=id,password', 'invalidSelect', /password/, '$select'],
    ['$orderby of an unknown property', '$orderby=shoeSize', 'invalidOrderBy', /shoeSize/, '$orderby'],
    [
      '$orderby with a bad direction',
      '$orderby=displayName%20sideways',
      'invalidOrderBy',
      /sideways|direction/,
      '$orderby',
    ],
    [
      'a $count that is not a boolean',
      '$count=yes',
      'invalidCount',
      /\$count must be true or false/,
      '$count',
    ],
    ['$expand of an unknown navigation', '$expand=manager', 'invalidExpand', /manager/, '$expand'],
  ])('rejects %s with 400 naming the problem', async (_name, query, code, message, target) => {
    expectGraphError(await call(s, 'GET', `/v1.0/users?${query}`, h), 400, code, message, { target });
  });

  it('rejects a tampered $skiptoken taken from a real nextLink', async () => {
    const link = (await list('$top=2'))['@odata.nextLink'] ?? '';
    const token = /\$skiptoken=([^&]+)/.exec(link)![1]!;
    const decoded = Buffer.from(token, 'base64url').toString();
    expect(decoded).toBe('v1:2');
    const tampered = [
      `e${token.slice(1)}`,
      Buffer.from('v1:-5').toString('base64url'),
      Buffer.from('v2:2').toString('base64url'),
      Buffer.from('v1:2').toString('base64'),
      `${token}x`,
    ];
    for (const t of tampered) {
      expectGraphError(
        await call(s, 'GET', `/v1.0/users?$skiptoken=${t}`, h),
        400,
        'invalidSkipToken',
        undefined,
        {
          target: '$skiptoken',
        },
      );
    }
    expect((await call(s, 'GET', `/v1.0/users?$skiptoken=${token}`, h)).statusCode).toBe(200);
  });
});
