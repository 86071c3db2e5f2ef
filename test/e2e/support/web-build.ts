import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWeb, ROOT, whyBuildWeb } from '../../../scripts/build.mjs';

/** A build that held the lock this long is taken as crashed and its lock removed. */
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds the portal when it is missing or older than web/, once across the test files that run in
 * parallel: Vite refuses a second build of the same project while one runs ("Found another Vite
 * build process"), so each browser test takes a lock file first, and a file that finds it taken
 * waits, then uses the build the other one made.
 * @throws Error when the build fails or another one holds the lock for too long
 */
export async function ensureWebBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist', '.web-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    if (whyBuildWeb() === undefined) return;
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = (() => {
        try {
          return Date.now() - statSync(lock).mtimeMs;
        } catch {
          return 0; // released meanwhile: look again
        }
      })();
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() - started > 2 * STALE_LOCK_MS)
        throw new Error('another portal build held its lock for too long');
      await sleep(250);
      continue;
    }
    try {
      if (whyBuildWeb() !== undefined && buildWeb() !== 0) throw new Error('the portal did not build');
      return;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}
