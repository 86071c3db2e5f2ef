import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createElevate } from '../../src/compose.js';
import type { AuditEntry } from '../../src/domain/audit/entry.js';
import { CSV_COLUMNS, csvField } from '../../src/domain/audit-export/csv.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { openDatabase } from '../../src/store/db.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { elevate } from '../helpers/cli.js';
import { dialectName } from '../helpers/db.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';

const T = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;
/** Steps within one token lifetime. */
const STEP = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF record ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else if (c === '"' || c === '\n' || c === '\r') throw new Error(`stray ${JSON.stringify(c)} at ${i}`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('last record lacks CRLF');
  return rows;
}

describe(`on-demand audit export (${dialectName})`, () => {
  let s: TestServer;
  let clock: ManualClock;
  let T: number;
  beforeEach(async () => {
    // Near real time: tokens are minted by the real clock and checked against this one.
    T = Math.floor(Date.now() / 1000) * 1000;
    clock = new ManualClock(T);
    s = await testServer({ clock });
    await s.admin();
  });
  afterEach(() => s.close());

  const addUser = async (displayName: string) => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1.0/users',
      headers: await s.admin(),
      payload: {
        accountEnabled: true,
        displayName,
        userPrincipalName: `u${randomBytes(3).toString('hex')}@contoso.test`,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const get = async (query: string, headers?: Record<string, string>) =>
    s.app.inject({
      method: 'GET',
      url: `/v1.0/auditLogs/export?${query}`,
      headers: headers ?? (await s.admin()),
    });

  it('returns exactly the entries of [from, to) in seq order, as JSON lines and as CSV', async () => {
    clock.set(T + 1 * STEP);
    await addUser('one');
    clock.set(T + 2 * STEP);
    await addUser('=HYPERLINK("http://evil","x"), "two"\nlines');
    clock.set(T + 3 * STEP);
    await addUser('three');

    const range = `from=${iso(T + 2 * STEP)}&to=${iso(T + 3 * STEP)}`;
    const jsonl = await get(`${range}&format=jsonl`);
    expect(jsonl.statusCode, jsonl.body).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const entries = jsonl.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.activityDateTime).toBe(T + 2 * STEP);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect(entries.some((e) => e.targetResources.some((t) => t.displayName?.startsWith('=HYPERLINK')))).toBe(
      true,
    );

    const csv = await get(`${range}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(entries.map((e) => e.seq));
    const names = rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('targetDisplayNames')]);
    expect(names).toContain(`'=HYPERLINK("http://evil","x"), "two"\nlines`);
    expect(rows.slice(1).every((r) => r.length === CSV_COLUMNS.length)).toBe(true);

    const all = await get(`from=${iso(T)}&to=${iso(T + 4 * STEP)}`);
    const allSeqs = all.body
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditEntry).seq);
    expect(allSeqs.length).toBeGreaterThan(entries.length);
  });

  it('rejects bad ranges and callers who may not read the audit log', async () => {
    for (const q of [
      `from=${iso(T)}`,
      `from=${iso(T)}&to=${iso(T)}`,
      'from=yesterday&to=today',
      `from=${iso(T)}&to=${iso(T + 1)}&format=xml`,
    ])
      expect((await get(q)).statusCode, q).toBe(400);
    const outsider = await s.appWith([]);
    expect(
      (await get(`from=${iso(T)}&to=${iso(T + STEP)}`, { authorization: outsider.authorization })).statusCode,
    ).toBe(403);
    const reader = await s.appWith(['AuditLog.Read.All']);
    expect(
      (await get(`from=${iso(T)}&to=${iso(T + STEP)}`, { authorization: reader.authorization })).statusCode,
    ).toBe(200);
  });
});

describe('CSV fields', () => {
  it('guards CSV fields against formulas and quotes what needs quoting', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(-2)).toBe('-2');
    expect(csvField(null)).toBe('');
  });
});

describe('elevate audit export and elevate report compliance (CLI, SQLite file)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'elevate-cli-export-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JSON lines, CSV, and the compliance report as JSON and HTML', async () => {
    const url = `sqlite:${join(dir, 'elevate.db')}`;
    const db = openDatabase(url);
    const e = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: new ManualClock(T),
      logger: false,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
      auditCheckpointIntervalMs: 0,
      expirySweepIntervalMs: 0,
    });
    await e.app.close();
    await db.close();
    const cli = (...args: string[]) => elevate(args, { DATABASE_URL: url, ELEVATE_DATA_DIR: dir });
    const from = iso(T - HOUR);
    const to = iso(T + HOUR);
    const jsonl = await cli('audit', 'export', '--from', from, '--to', to);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const seqs = jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditEntry).seq);
    expect(seqs[0]).toBe(1);
    const csvFile = join(dir, 'out.csv');
    expect(
      (await cli('audit', 'export', '--from', from, '--to', to, '--format', 'csv', '--out', csvFile)).code,
    ).toBe(0);
    expect(parseCsv(readFileSync(csvFile, 'utf8'))).toHaveLength(seqs.length + 1);

    const json = await cli('report', 'compliance');
    expect(json.code).toBe(1); // checks fail on a fresh install
    const report = JSON.parse(json.stdout) as {
      items: { id: string; status: string }[];
      auditChain: { verified: boolean };
    };
    expect(report.auditChain.verified).toBe(true);
    expect(report.items.find((i) => i.id === 'noPermanentPrivilegedAssignments')?.status).toBe('fail');
    const htmlFile = join(dir, 'report.html');
    expect((await cli('report', 'compliance', '--format', 'html', '--out', htmlFile)).code).toBe(1);
    expect(readFileSync(htmlFile, 'utf8')).toMatch(/^<!doctype html>[\s\S]*Head hash/);
  }, 60_000);
});
