// Debian's Chromium, driven by playwright-core (which never downloads a browser here), for the
// browser tests: where it is, when a test is skipped without it, and how it is launched.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** The browser `apt-get install -y chromium` installs (CI's `.ci/run` does). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why a browser test cannot run here (`skipFor(...)`), or undefined. CI installs Chromium and sets
 * `ELEVATE_REQUIRE_BROWSER=1`, so there a browser test is never skipped: it fails instead.
 */
export const browserMissing = (what: string): string | undefined =>
  existsSync(CHROMIUM) || process.env.ELEVATE_REQUIRE_BROWSER === '1'
    ? undefined
    : `${what} (Chromium not found at ${CHROMIUM}: apt-get install -y chromium)`;

/**
 * Chromium, headless, quiet (no background traffic, no updates), with `localhost` resolved to the
 * loopback address where Elevate listens: WebAuthn needs a domain, and `localhost` is a secure
 * context for `crypto.subtle` (PKCE) without TLS.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ],
  });

/** A TCP port free on the loopback address right now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
