// The compiler and paging helpers against real databases: SQLite always, PostgreSQL when
// TEST_DATABASE_URL is set. The same table of filters runs on both.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqlBool } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyQuery, countQuery, readCount, splitPage } from './apply-query.js';
import type { FieldMap, LambdaCompiler } from './field-map.js';
import type { IsOfCompiler } from './filter-compiler.js';
import { nextLink } from './next-link.js';
import { ODataError } from './odata-error.js';
import { parseQueryOptions, type QuerySpec } from './query-options.js';
import { encodeSkipToken } from './skip-token.js';

interface Tables {
  members: {
    id: string;
    display_name: string;
    upn: string;
    account_enabled: number;
    created_at: number;
    kind: string;
    manager_id: string | null;
    logins: number;
  };
  member_tags: { member_id: string; tag: string };
}

const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ms = (iso: string): number => Date.parse(iso);

// prettier-ignore
const MEMBERS: Tables['members'][] = [
  { id: id(1), display_name: 'Alice', upn: 'alice@contoso.com', account_enabled: 1, created_at: ms('2022-01-01T00:00:00Z'), kind: 'user', manager_id: null, logins: 10 },
  { id: id(2), display_name: 'Bob', upn: 'Bob@Contoso.com', account_enabled: 0, created_at: ms('2022-06-01T00:00:00Z'), kind: 'user', manager_id: id(1), logins: 0 },
  { id: id(3), display_name: '100% Carol', upn: 'carol@contoso.com', account_enabled: 1, created_at: ms('2023-01-01T00:00:00Z'), kind: 'group', manager_id: id(1), logins: 5 },
  { id: id(4), display_name: 'Carol_x', upn: 'carol_x@contoso.com', account_enabled: 1, created_at: ms('2023-01-01T00:00:00Z'), kind: 'group', manager_id: id(2), logins: 5 },
  { id: id(5), display_name: 'Carolyn', upn: 'carolyn@fabrikam.com', account_enabled: 0, created_at: ms('2024-01-01T00:00:00Z'), kind: 'servicePrincipal', manager_id: null, logins: 7 },
  { id: id(6), display_name: "Dan O'Brien", upn: 'dan@contoso.com', account_enabled: 1, created_at: ms('2023-01-01T00:00:00Z'), kind: 'user', manager_id: id(3), logins: 1 },
  { id: id(7), display_name: 'Zoe\\back', upn: 'zoe@contoso.com', account_enabled: 1, created_at: ms('2025-01-01T00:00:00Z'), kind: 'user', manager_id: null, logins: 3 },
];
const TAGS = [
  { member_id: id(1), tag: 'admin' },
  { member_id: id(1), tag: 'ops' },
  { member_id: id(2), tag: 'ops' },
  { member_id: id(3), tag: 'Admin' },
];

/** `tags/any(t: …)` over the member_tags child table; a bare `t` is the tag. */
const tagsLambda: LambdaCompiler = (eb, lambda) => {
  const body = lambda.compileBody({ $this: { column: 'member_tags.tag', type: 'string' } });
  const tags = eb
    .selectFrom('member_tags')
    .select(sql.lit(1).as('one'))
    .where(sql.ref('member_tags.member_id'), '=', sql.ref('members.id'));
  return lambda.op === 'any' ? eb.exists(tags.where(body)) : eb.not(eb.exists(tags.where(eb.not(body))));
};

const isof: IsOfCompiler = (_eb, { target, typeName }) => {
  const kind = typeName.replace(/^#?microsoft\.graph\./i, '');
  if (target !== undefined)
    throw new ODataError('invalidFilter', 'isof on a property is not supported', '$filter');
  return sql<SqlBool>`${sql.ref('kind')} = ${kind}`;
};

const fields: FieldMap = {
  id: { column: 'id', type: 'guid' },
  displayName: { column: 'display_name', type: 'string' },
  userPrincipalName: { column: 'upn', type: 'string', caseInsensitive: true },
  accountEnabled: { column: 'account_enabled', type: 'boolean' },
  createdDateTime: { column: 'created_at', type: 'datetime' },
  kind: { column: 'kind', type: 'enum', values: ['user', 'group', 'servicePrincipal'] },
  managerId: { column: 'manager_id', type: 'guid', nullable: true },
  'manager/id': { column: 'manager_id', type: 'guid', nullable: true },
  signInCount: { column: 'logins', type: 'int' },
  tags: { column: 'id', type: 'string', filterable: false, sortable: false, any: tagsLambda },
};
const spec: QuerySpec = { fields, functions: { isof } };

interface Target {
  name: string;
  open: () => Promise<{ db: Kysely<Tables>; close: () => Promise<void> }>;
}

const sqlite: Target = {
  name: 'sqlite',
  open: () => {
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    return Promise.resolve({ db, close: () => db.destroy() });
  },
};

const postgresUrl = process.env.TEST_DATABASE_URL;
const postgres: Target = {
  name: 'postgres',
  open: async () => {
    const schema = `odata_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const pool = new pg.Pool({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    const close = async (): Promise<void> => {
      await db.destroy();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    };
    return { db, close };
  },
};

describe.each(postgresUrl ? [sqlite, postgres] : [sqlite])('OData on $name', (target) => {
  let db: Kysely<Tables>;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ db, close } = await target.open());
    await db.schema
      .createTable('members')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('upn', 'text', (c) => c.notNull())
      .addColumn('account_enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('manager_id', 'text')
      .addColumn('logins', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('member_tags')
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .execute();
    await db.insertInto('members').values(MEMBERS).execute();
    await db.insertInto('member_tags').values(TAGS).execute();
  });

  afterAll(async () => {
    await close?.();
  });

  /** Ids (by their row number) that `$filter` selects, in id order. */
  const select = async (filter: string): Promise<number[]> => {
    const options = parseQueryOptions({ $filter: filter, $top: '999' }, spec);
    const rows = await applyQuery(db.selectFrom('members').select('id'), options, fields, spec).execute();
    return rows.map((row) => Number(row.id.slice(-12))).sort((a, b) => a - b);
  };

  // prettier-ignore
  const FILTERS: [string, number[]][] = [
    [`id eq '${id(1)}'`, [1]],
    [`id eq ${id(2).toUpperCase()}`, [2]],
    [`id in ('${id(1)}', '${id(2).toUpperCase()}')`, [1, 2]],
    [`displayName eq 'alice'`, []],
    [`displayName eq 'Dan O''Brien'`, [6]],
    [`displayName ne 'Alice'`, [2, 3, 4, 5, 6, 7]],
    [`userPrincipalName eq 'BOB@contoso.COM'`, [2]],
    [`userPrincipalName in ('ALICE@CONTOSO.COM', 'dan@contoso.com')`, [1, 6]],
    [`accountEnabled eq false`, [2, 5]],
    [`accountEnabled ne true`, [2, 5]],
    [`kind eq 'GROUP'`, [3, 4]],
    [`kind in ('group', 'SERVICEPRINCIPAL')`, [3, 4, 5]],
    [`signInCount gt 5`, [1, 5]],
    [`signInCount le 1`, [2, 6]],
    [`signInCount eq -1`, []],
    [`createdDateTime ge 2023-01-01T00:00:00Z`, [3, 4, 5, 6, 7]],
    [`createdDateTime lt 2023-01-01T01:00:00+01:00`, [1, 2]],
    [`createdDateTime eq 2023-01-01T00:00:00.0000000Z`, [3, 4, 6]],
    [`2024-01-01T00:00:00Z le createdDateTime`, [5, 7]],
    [`createdDateTime gt 2022-12-31T23:59:59.999-00:00 and createdDateTime lt 2023-01-01T00:00:00.001Z`, [3, 4, 6]],
    [`managerId eq null`, [1, 5, 7]],
    [`managerId ne null`, [2, 3, 4, 6]],
    [`managerId eq '${id(1)}'`, [2, 3]],
    [`managerId ne '${id(1)}'`, [1, 4, 5, 6, 7]],
    [`not (managerId eq '${id(1)}')`, [1, 4, 5, 6, 7]],
    [`not (managerId ne '${id(1)}')`, [2, 3]],
    [`manager/id in ('${id(1)}', '${id(3)}')`, [2, 3, 6]],
    [`not (manager/id in ('${id(1)}'))`, [1, 4, 5, 6, 7]],
    [`null eq managerId`, [1, 5, 7]],
    [`startswith(displayName, 'carol')`, [4, 5]],
    [`startswith(displayName, 'Carol_')`, [4]],
    [`startswith(displayName, '%')`, []],
    [`startswith(displayName, '100%')`, [3]],
    [`startswith(displayName, 'zoe\\')`, [7]],
    [`startswith(displayName, 'zoe\\\\')`, []],
    [`startswith(displayName, '')`, [1, 2, 3, 4, 5, 6, 7]],
    [`not startswith(displayName, 'C')`, [1, 2, 3, 6, 7]],
    [`(kind eq 'user' or kind eq 'group') and not (accountEnabled eq false)`, [1, 3, 4, 6, 7]],
    [`kind eq 'group' or kind eq 'user' and accountEnabled eq false`, [2, 3, 4]],
    [`(kind eq 'group' or kind eq 'user') and accountEnabled eq false`, [2]],
    [`not (not (kind eq 'user'))`, [1, 2, 6, 7]],
    [`tags/any(t: t eq 'ops')`, [1, 2]],
    [`tags/any(t: startswith(t, 'ADM'))`, [1, 3]],
    [`tags/any()`, [1, 2, 3]],
    [`tags/all(t: t eq 'ops')`, [2, 4, 5, 6, 7]],
    [`not tags/any(t: t eq 'ops' or t eq 'admin')`, [3, 4, 5, 6, 7]],
    [`isof('microsoft.graph.group')`, [3, 4]],
    [`isof('microsoft.graph.user') and accountEnabled eq true`, [1, 6, 7]],
    [`displayName eq 'x'' or 1=1 --'`, []],
    [`displayName eq 'x''; drop table members; --'`, []],
  ];

  it.each(FILTERS)('$filter=%s', async (filter, expected) => {
    expect(await select(filter)).toEqual(expected);
  });

  it('leaves the table in place after injection attempts', async () => {
    expect(await select(`displayName eq 'x'' or 1=1 --'`)).toEqual([]);
    const row = await countQuery(db.selectFrom('members'), {}, fields).executeTakeFirst();
    expect(readCount(row)).toBe(MEMBERS.length);
  });

  it('binds every value as a parameter', () => {
    const options = parseQueryOptions(
      { $filter: `displayName eq 'x'' or 1=1 --' or signInCount gt 42` },
      spec,
    );
    const compiled = applyQuery(db.selectFrom('members').select('id'), options, fields).compile();
    expect(compiled.sql).not.toContain('1=1');
    expect(compiled.sql).not.toContain('42');
    expect(compiled.parameters).toEqual(expect.arrayContaining(["x' or 1=1 --", 42]));
  });

  /** Follows @odata.nextLink from `url` to the end; returns row numbers in the order served. */
  const crawl = async (url: string): Promise<{ rows: number[]; pages: number }> => {
    const rows: number[] = [];
    let pages = 0;
    for (let next: string | undefined = url; next !== undefined; pages += 1) {
      const query = Object.fromEntries(new URL(next, 'https://pim.example').searchParams);
      const options = parseQueryOptions(query, {
        ...spec,
        defaultOrderBy: [{ field: 'createdDateTime', direction: 'asc' }],
      });
      const fetched = await applyQuery(db.selectFrom('members').select('id'), options, fields).execute();
      const page = splitPage(fetched, options);
      expect(page.items.length).toBeLessThanOrEqual(options.top);
      rows.push(...page.items.map((row) => Number(row.id.slice(-12))));
      next = page.hasMore ? nextLink(next, 'https://pim.example', page.nextOffset) : undefined;
    }
    return { rows, pages };
  };

  it.each([
    ['/m?$top=2&$orderby=createdDateTime desc', [7, 5, 3, 4, 6, 2, 1], 4],
    ['/m?$top=2', [1, 2, 3, 4, 6, 5, 7], 4],
    ['/m?$top=3&$orderby=signInCount', [2, 6, 7, 3, 4, 5, 1], 3],
    ['/m?$top=1&$orderby=managerId desc,displayName', [6, 4, 3, 2, 1, 5, 7], 7],
    ['/m?$top=7&$orderby=managerId', [1, 5, 7, 2, 3, 4, 6], 1],
    [`/m?$top=2&$filter=kind eq 'user'&$skiptoken=${encodeSkipToken(1)}`, [2, 6, 7], 2],
    ['/m?$top=999', [1, 2, 3, 4, 6, 5, 7], 1],
  ])('pages %s without repeating or skipping a row', async (url, expected, pages) => {
    expect(await crawl(url)).toEqual({ rows: expected, pages });
  });

  it('returns no rows and no next page for $top=0', async () => {
    const options = parseQueryOptions({ $top: '0' }, spec);
    const rows = await applyQuery(db.selectFrom('members').select('id'), options, fields).execute();
    expect(splitPage(rows, options)).toEqual({ items: [], hasMore: false, nextOffset: 0 });
  });

  it.each([
    [{}, 7],
    [{ $filter: `kind eq 'user'` }, 4],
    [
      {
        $filter: `managerId ne '${id(1)}'`,
        $top: '1',
        $skiptoken: encodeSkipToken(2),
        $orderby: 'displayName',
      },
      5,
    ],
  ])('counts %j for $count=true', async (query, expected) => {
    const options = parseQueryOptions({ ...query, $count: 'true' }, spec);
    expect(options.count).toBe(true);
    const base = db.selectFrom('members').select('id').orderBy('id');
    expect(readCount(await countQuery(base, options, fields, spec).executeTakeFirst())).toBe(expected);
  });
});
