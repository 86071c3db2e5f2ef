import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/build.mjs';

/** A build that held the lock this long is taken as crashed and its lock removed. */
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `build` when `needed()` says so, once across the test files that run in parallel: tsc and
 * Vite write the same dist/ (Vite refuses a second build of the project while one runs, "Found
 * another Vite build process", and a build removes the stamp others read), so each build takes
 * one lock file first (the same for the whole build and the portal's alone), and a file that finds
 * it taken waits, then uses what the other one built.
 * @param what named in the error when the build fails
 * @throws Error when the build fails or another one holds the lock for too long
 */
export async function buildOnce(needed: () => boolean, build: () => number, what: string): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist', '.build.lock');
  const started = Date.now();
  for (;;) {
    if (!needed()) return;
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
        throw new Error(`another build held its lock for too long (${what})`);
      await sleep(250);
      continue;
    }
    try {
      if (needed() && build() !== 0) throw new Error(`${what} did not build`);
      return;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}
