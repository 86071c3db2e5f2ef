import { buildWeb, whyBuildWeb } from '../../../scripts/build.mjs';
import { buildOnce } from '../../helpers/build-lock.js';

/**
 * Builds the portal when it is missing or older than web/, once across the test files that run in
 * parallel (see `buildOnce`).
 * @throws Error when the build fails or another one holds the lock for too long
 */
export function ensureWebBuilt(): Promise<void> {
  return buildOnce(() => whyBuildWeb() !== undefined, buildWeb, 'the portal');
}
