import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Where `npm run test:pg` finds PostgreSQL when TEST_DATABASE_URL is not set (CI's service). */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Two projects: `unit`, the pure domain and OData tests beside the code (`npm run test:unit`), and
 * `integration`, `test/` (stores, use cases, HTTP, end-to-end). `npm test` runs both on SQLite.
 * `--mode postgres` (`npm run test:pg`) runs the database-backed suites, `test/` and `src/odata`,
 * on PostgreSQL instead.
 *
 * Test files do not get a fresh worker each (`isolate: false`): importing Fastify, oidc-provider
 * and the whole of `src/` again for every file cost more than the tests themselves. Files still
 * share nothing but loaded modules: each builds its own server over its own database, none mocks a
 * module, and `test/helpers/shared-worker-guard.ts` fails a file that leaves fake timers or a
 * changed environment behind for the next one.
 *
 * A test that cannot run here (no PostgreSQL, no Chromium, no python3) is skipped with a reason,
 * `describe(name, skipFor(reason), …)`; the run's summary lists the reasons.
 */
export default defineConfig(({ mode }) => {
  const postgres = mode === 'postgres';
  return {
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // `expect.poll` waits up to 5 s (Vitest's default is 1 s): the browser tests poll for what a
      // page shows after a server round trip, which can take longer than a second on a loaded CI
      // machine. A poll still fails once its condition does not hold in time.
      expect: { poll: { timeout: 5_000 } },
      pool: 'forks',
      isolate: false,
      // Vitest's default is one worker fewer than the cores: a single worker on 2 cores.
      maxWorkers: Math.max(2, availableParallelism()),
      setupFiles: ['test/helpers/shared-worker-guard.ts'],
      // The default summary, then which tests were skipped and why (test/helpers/skip.ts).
      reporters: ['default', './test/helpers/skip-reporter.ts'],
      env: postgres ? { TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? LOCAL_POSTGRES } : {},
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: postgres ? ['src/odata/**/*.test.ts'] : ['src/**/*.test.ts'],
          },
        },
        { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
      ],
    },
  };
});
