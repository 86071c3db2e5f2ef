// The SQLite database holds sealed secrets and hashed artefacts, but also everything else Elevate
// knows: its folder and files are readable by the server's own user only, whatever the umask.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';

let root: string;
let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'elevate-modes-'));
  umask = process.umask(0o022); // the usual default, which would give 0755 / 0644
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

it('a new SQLite database gets a 0700 folder and 0600 db, -wal and -shm files', async () => {
  const folder = join(root, 'data');
  const path = join(folder, 'elevate.db');
  for (let round = 0; round < 2; round += 1) {
    // Twice: SQLite deletes -wal and -shm on a clean close and creates them again on the next open.
    const db = openDatabase(`sqlite:${path}`);
    try {
      await sql`create table if not exists t (x text)`.execute(db.kysely);
      await sql`insert into t (x) values ('secret')`.execute(db.kysely);
      expect(mode(folder)).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(mode(file), file).toBe(0o600);
      }
      expect(process.umask(0o022)).toBe(0o022); // the umask is given back
    } finally {
      await db.close();
    }
  }
});
