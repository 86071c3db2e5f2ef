import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { selfSignedCertificate, type TestCertificate } from '../helpers/tls-certificate.js';
import { startTlsElevate, type TlsElevate } from '../helpers/tls-elevate.js';
import { runChild, stepsOf } from './support/child.js';

/**
 * Microsoft's JavaScript clients, unchanged, against Elevate serving HTTPS with a self-signed
 * certificate this test makes: `@azure/identity` gets a token, the Graph client and Kiota call
 * Graph with it. They run in a child process (test/e2e/support/javascript-sdks.ts) whose only trust
 * setting is `NODE_EXTRA_CA_CERTS`, as docs/sdks.md tells users.
 */
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

// Each run starts Node with tsx; on a loaded machine that takes a while.
// The three runs are independent child processes: concurrent, they overlap their start-up.
describe.concurrent('Microsoft JavaScript SDKs against Elevate over HTTPS', { timeout: 180_000 }, () => {
  let cert: TestCertificate;
  let server: TlsElevate;

  beforeAll(async () => {
    cert = selfSignedCertificate(mkdtempSync(join(tmpdir(), 'elevate-sdk-js-')), 'sdk');
    server = await startTlsElevate({ certFile: cert.certFile, keyFile: cert.keyFile });
  });
  afterAll(async () => server.close());

  const drive = (clientSecret: string, trust: boolean) =>
    runChild(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/e2e/support/javascript-sdks.ts',
        server.base,
        server.boot.tenantId,
        server.boot.app.clientId,
        clientSecret,
      ],
      { PATH: process.env.PATH ?? '', ...(trust ? { NODE_EXTRA_CA_CERTS: cert.certFile } : {}) },
    );

  it('@azure/identity gets a token; the Graph client (customHosts) and Kiota (allowedHosts) list role definitions', async ({
    expect,
  }) => {
    const run = await drive(server.boot.app.clientSecret, true);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const steps = stepsOf(run.stdout);

    const token = steps['azure-identity']?.token as string;
    expect(decodePayload(token)).toMatchObject({
      iss: server.base,
      aud: server.base,
      tid: server.boot.tenantId,
      appid: server.boot.app.clientId,
      idtyp: 'app',
    });
    expect(steps['azure-identity']?.expiresOnTimestamp).toBeGreaterThan(Date.now());

    expect(steps['microsoft-graph-client']?.value).toEqual([
      { id: GLOBAL_ADMINISTRATOR, displayName: 'Global Administrator', templateId: GLOBAL_ADMINISTRATOR },
    ]);

    const kiota = steps.kiota?.value as { id: string; displayName: string }[];
    expect(kiota).toHaveLength(2);
    for (const definition of kiota) expect(Object.keys(definition).sort()).toEqual(['displayName', 'id']);
  });

  it("a wrong secret reaches the caller as Entra's AADSTS7000215, with Elevate's ids", async ({ expect }) => {
    const run = await drive('not-the-secret', true);
    expect(run.code).toBe(1);
    const failed = stepsOf(run.stdout).failed?.error as string;
    expect(failed).toMatch(/^AuthenticationRequiredError|^AuthenticationError|ClientSecretCredential/);
    expect(failed).toContain('AADSTS7000215: Invalid client secret provided.');
    expect(failed).toMatch(/Trace ID: [0-9a-f-]{36}/);
  });

  it('without trusting the certificate, the clients refuse the server (TLS is verified, not bypassed)', async ({
    expect,
  }) => {
    const run = await drive(server.boot.app.clientSecret, false);
    expect(run.code).toBe(1);
    // MSAL cannot fetch the tenant's discovery document over a connection it does not trust (it
    // reports that, not the TLS error underneath).
    expect(stepsOf(run.stdout).failed?.error).toMatch(
      /^CredentialUnavailableError: endpoints_resolution_error/,
    );
  });
});
