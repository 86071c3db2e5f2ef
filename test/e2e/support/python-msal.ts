import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The published MSAL example, run unchanged by the tests. */
export const MSAL_EXAMPLE = fileURLToPath(
  new URL('../../../examples/msal_client_credentials.py', import.meta.url),
);

/**
 * The first interpreter with both `msal` and `requests`: `python3` on PATH, else Debian's own
 * (`apt-get install python3-msal` installs for /usr/bin/python3, which a pyenv or venv python3 on
 * PATH does not see).
 */
function findInterpreter(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import msal, requests'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export const msalPython: string | undefined = existsSync(MSAL_EXAMPLE) ? findInterpreter() : undefined;

/** Why the MSAL example cannot run here, or undefined when it can. */
export const msalMissing: string | undefined = !existsSync(MSAL_EXAMPLE)
  ? `${MSAL_EXAMPLE} is missing`
  : msalPython === undefined
    ? 'no python3 with the msal and requests packages (Debian: apt-get install python3-msal)'
    : undefined;

/**
 * A contributor without MSAL for Python skips these tests, with a warning; CI (`CI=true`) never
 * does: there they run and fail with {@link requireMsalPython}'s message.
 */
export const skipMsalPython = msalMissing !== undefined && process.env.CI !== 'true';
if (skipMsalPython) console.warn(`Skipping the MSAL for Python tests: ${msalMissing}.`);

/** Call first in each test: in CI a missing interpreter or package fails the test. */
export function requireMsalPython(): string {
  if (msalPython === undefined) throw new Error(`cannot run the MSAL for Python example: ${msalMissing}`);
  return msalPython;
}
