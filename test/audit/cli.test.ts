import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAuditLog } from '../../src/app/audit/audit-log.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { auditKeyring } from '../../src/store/audit/audit-keyring.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrator.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { elevate } from '../helpers/cli.js';
import { dialectName, TEST_DATABASE_URL } from '../helpers/db.js';
import { draft, T0 } from './support.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TENANT = '33333333-3333-4333-8333-333333333333';

/** `elevate audit …` as an operator runs it, against the test database. */
describe(`elevate audit (CLI) on ${dialectName}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'elevate-cli-'));
  const dataKey = randomBytes(32).toString('base64');
  let url: string;
  let db: Db;
  let dropSchema: (() => Promise<void>) | undefined;

  const cli = (...args: string[]) =>
    elevate(['audit', ...args], { DATABASE_URL: url, ELEVATE_DATA_KEY: dataKey, ELEVATE_DATA_DIR: dir });

  beforeAll(async () => {
    if (TEST_DATABASE_URL) {
      const schema = `t_${randomBytes(8).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const sep = TEST_DATABASE_URL.includes('?') ? '&' : '?';
      url = `${TEST_DATABASE_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      db = openDatabase(TEST_DATABASE_URL, { pgSchema: schema });
      dropSchema = async () => {
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`drop schema ${schema} cascade`);
        await c.end();
      };
    } else {
      url = `sqlite:${join(dir, 'elevate.db')}`;
      db = openDatabase(url);
    }
    await migrate(db, { clock: new ManualClock(T0) });
    const uow = createUnitOfWork(db);
    for (let n = 1; n <= 10; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
  });
  afterAll(async () => {
    await db.close();
    await dropSchema?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an untouched chain, signs a checkpoint and exports it; then names the first bad seq', async () => {
    const ok = await cli('verify');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(
      new RegExp(`tenant ${TENANT}: ok, 10 entries, 0 checkpoints, head [0-9a-f]{64}`),
    );

    const cp = await cli('checkpoint');
    expect(cp.code).toBe(0);
    expect(cp.stdout).toContain(`tenant ${TENANT}: checkpoint at seq 10`);
    // The key was generated on first use and is stored sealed under the data key.
    const key = await db.kysely.selectFrom('audit_signing_keys').selectAll().executeTakeFirstOrThrow();
    expect(key.alg).toBe('Ed25519');
    expect(key.private_key_enc).toMatch(/^v1\./);
    expect(key.private_key_enc).not.toContain('PRIVATE KEY');
    const box = createSecretBox(Buffer.from(dataKey, 'base64'));
    expect(box.open(key.private_key_enc, `audit-checkpoint-key:${key.key_id}`)).toContain(
      'BEGIN PRIVATE KEY',
    );

    const file = join(dir, 'checkpoints.json');
    expect((await cli('export-checkpoints', '--out', file)).code).toBe(0);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: { seq: number }[] };
    expect(exported).toMatchObject({
      format: 'elevate.audit.checkpoints.v1',
      publicKeys: [{ keyId: key.key_id, alg: 'Ed25519' }],
      checkpoints: [{ tenantId: TENANT, seq: 10 }],
    });
    expect((await cli('verify', '--json')).stdout).toContain('"checkpoints": 1');

    // Truncate the tail, wind the head back and delete the stored checkpoints: only the export knows.
    const seven = await db.kysely
      .selectFrom('audit_entries')
      .select('hash')
      .where('seq', '=', 7)
      .executeTakeFirstOrThrow();
    await db.kysely.deleteFrom('audit_entries').where('seq', '>', 7).execute();
    await db.kysely.updateTable('audit_head').set({ seq: 7, hash: seven.hash }).execute();
    await db.kysely.deleteFrom('audit_checkpoints').execute();
    expect((await cli('verify')).code).toBe(0);
    const caught = await cli('verify', '--checkpoints', file);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`tenant ${TENANT}: BROKEN at seq 8 (truncated)`);

    await db.kysely.deleteFrom('audit_entries').where('seq', '=', 4).execute();
    const broken = await cli('verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`tenant ${TENANT}: BROKEN at seq 4 (removed)`);
    const refused = await cli('checkpoint');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('broken at seq 4 (removed)');
  }, 60_000);
});

describe('audit keyring', () => {
  it('signs with one key, generated once, and lists it for verification', async () => {
    const db = openDatabase('sqlite::memory:');
    try {
      await migrate(db, { clock: new ManualClock(T0) });
      const keyring = auditKeyring(db.kysely, createSecretBox(randomBytes(32)));
      const first = await keyring.signingKey(T0);
      const again = await keyring.signingKey(T0 + 1);
      expect(again).toEqual(first);
      expect(await keyring.publicKeys()).toEqual(new Map([[first.keyId, first.publicKeyPem]]));
      const log = makeAuditLog({ uow: createUnitOfWork(db), clock: new ManualClock(T0), keyring });
      expect(await log.checkpoint(TENANT)).toBeUndefined();
      await expect(
        auditKeyring(db.kysely, createSecretBox(randomBytes(32))).signingKey(T0),
      ).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});

describe('the elevate bin', () => {
  // Every other CLI test calls runCli in-process; this one runs the bin the way an operator does,
  // so arguments, environment, output and the exit code still cross a real process boundary.
  it('runs a command as a process and exits with its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-bin-'));
    try {
      const url = `sqlite:${join(dir, 'elevate.db')}`;
      const db = openDatabase(url);
      try {
        await migrate(db, { clock: new ManualClock(T0) });
        const uow = createUnitOfWork(db);
        for (let n = 1; n <= 3; n += 1) await uow.run((tx) => tx.audit.append(draft(TENANT, n)));
        await db.kysely.deleteFrom('audit_entries').where('seq', '=', 2).execute();
      } finally {
        await db.close();
      }
      const bin = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', '--tenant', TENANT],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, ELEVATE_DATA_DIR: dir } },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: unknown) => e as { code: number; stdout: string; stderr: string },
      );
      expect(bin.code, bin.stderr).toBe(1);
      expect(bin.stdout).toMatch(new RegExp(`^tenant ${TENANT}: BROKEN at seq 2 \\(removed\\): .+\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
