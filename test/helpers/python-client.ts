import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The published Entra-style client, kept unchanged in the repository. */
export const ENTRA_STYLE_CLIENT = fileURLToPath(
  new URL('../../examples/entra_style_client.py', import.meta.url),
);

/** Why the Python client cannot run on this machine, or undefined when it can. */
export const pythonClientMissing: string | undefined = !existsSync(ENTRA_STYLE_CLIENT)
  ? `${ENTRA_STYLE_CLIENT} is missing`
  : spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status !== 0
    ? 'python3 with the requests package is not installed'
    : undefined;

/**
 * Why the Python client tests are skipped (test/helpers/skip.ts), or undefined when they run. A
 * contributor without python3 skips them, told why in the summary; CI (`CI=true`) never does: there
 * the tests run and fail with {@link requirePythonClient}'s message.
 */
export const pythonClientSkipped =
  pythonClientMissing !== undefined && process.env.CI !== 'true'
    ? `the Entra-style Python client (${pythonClientMissing}: apt-get install -y python3 python3-requests)`
    : undefined;

/** Call first in each test: in CI a missing python3 or client fails the test. */
export function requirePythonClient(): void {
  if (pythonClientMissing !== undefined)
    throw new Error(`cannot run the Entra-style Python client: ${pythonClientMissing}`);
}
