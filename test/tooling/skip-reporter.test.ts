// `npm test` says which tests it skipped and why: vitest itself runs a fixture with every kind of
// skip, through the same reporters as vitest.config.ts, and its printed summary is checked.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the skip summary (test/helpers/skip-reporter.ts)', () => {
  it('lists each reason with its count and files, and names skips that give none', () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('VITEST') && name !== 'TEST_DATABASE_URL',
      ),
    );
    const run = spawnSync(
      process.execPath,
      [
        fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url)),
        'run',
        '--config',
        'test/tooling/fixtures/vitest.skips.config.ts',
      ],
      { cwd: ROOT, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, encoding: 'utf8', timeout: 120_000 },
    );
    const out = run.stdout;
    expect(run.status, run.stderr).toBe(0);
    expect(out).toMatch(/Tests +1 passed \| 4 skipped \(5\)/);
    const summary = out.slice(out.indexOf(' Skipped tests, and why:')).trimEnd().split('\n');
    expect(summary).toEqual([
      ' Skipped tests, and why:',
      '   2 skipped: a thing this machine lacks (apt-get install thing)',
      '       test/tooling/fixtures/skips.fixture.ts',
      '   1 skipped: decided at run time',
      '       test/tooling/fixtures/skips.fixture.ts',
      '   1 skipped without a reason (.skip, .only or -t; use skipFor(reason)):',
      '       test/tooling/fixtures/skips.fixture.ts › a test skipped without a reason',
    ]);
  }, 120_000);
});
