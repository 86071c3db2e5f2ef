import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TestCertificate } from '../helpers/tls-certificate.js';
import { startTlsElevate, type TlsElevate } from '../helpers/tls-elevate.js';
import { runChild } from './support/child.js';
import { MSAL_EXAMPLE, requireMsalPython, skipMsalPython } from './support/python-msal.js';

/**
 * Microsoft's MSAL for Python (Debian's python3-msal), driven by examples/msal_client_credentials.py
 * unchanged, against Elevate serving HTTPS with a self-signed certificate this test makes: a token
 * by client credentials, then a Graph call with `requests`.
 */
describe.skipIf(skipMsalPython)('MSAL for Python against Elevate over HTTPS', { timeout: 60_000 }, () => {
  let cert: TestCertificate;
  let server: TlsElevate;

  beforeAll(async () => {
    cert = selfSignedCertificate(mkdtempSync(join(tmpdir(), 'elevate-sdk-py-')), 'sdk');
    server = await startTlsElevate({ certFile: cert.certFile, keyFile: cert.keyFile });
  });
  afterAll(async () => server?.close());

  // Only these variables: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (set on many machines)
  // override MSAL's `verify`, see docs/sdks.md.
  const run = (overrides: Record<string, string | undefined> = {}) => {
    const env: Record<string, string> = {};
    const all: Record<string, string | undefined> = {
      PATH: process.env.PATH ?? '',
      ELEVATE_URL: server.base,
      ELEVATE_TENANT_ID: server.boot.tenantId,
      ELEVATE_CLIENT_ID: server.boot.app.clientId,
      ELEVATE_CLIENT_SECRET: server.boot.app.clientSecret,
      ELEVATE_CA_FILE: cert.certFile,
      ...overrides,
    };
    for (const [key, value] of Object.entries(all)) if (value !== undefined) env[key] = value;
    return runChild(requireMsalPython(), [MSAL_EXAMPLE], env);
  };

  it('acquires a token with ConfidentialClientApplication and lists the built-in roles with it', async () => {
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as {
      token_type: string;
      expires_in: number;
      roleDefinitions: { id: string; displayName: string }[];
    };
    expect(out.token_type).toBe('Bearer');
    expect(out.expires_in).toBe(600);
    expect(out.roleDefinitions).toContainEqual({
      id: '62e90394-69f5-4237-9190-012177145e10',
      displayName: 'Global Administrator',
    });
    expect(out.roleDefinitions.length).toBeGreaterThan(10);
  });

  it("a wrong secret comes back through MSAL as Entra's error: AADSTS7000215 with trace and correlation ids", async () => {
    const result = await run({ ELEVATE_CLIENT_SECRET: 'not-the-secret' });
    expect(result.code).toBe(1);
    const error = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(error).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(error.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(error.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.error_description).toContain(`Correlation ID: ${String(error.correlation_id)}`);
    expect(error.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unknown tenant stops MSAL at the discovery document, with AADSTS90002', async () => {
    const result = await run({ ELEVATE_TENANT_ID: '00000000-0000-4000-8000-000000000000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unable to get authority configuration');
    expect(result.stderr).toContain('AADSTS90002');
  });

  it('without the certificate to trust, the connection is refused (verification is on)', async () => {
    const result = await run({ ELEVATE_CA_FILE: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CERTIFICATE_VERIFY_FAILED');
  });
});
