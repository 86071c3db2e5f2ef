import { describe, expect, it } from 'vitest';
import {
  describeTokenError,
  entraTimestamp,
  entraTokenError,
  repeatable,
  type TokenErrorFacts,
} from './entra-token-error.js';

const facts = (overrides: Partial<TokenErrorFacts>): TokenErrorFacts => ({
  error: 'invalid_request',
  description: undefined,
  detail: undefined,
  rejection: undefined,
  tenant: undefined,
  clientId: undefined,
  grantType: undefined,
  ...overrides,
});

describe('Entra codes for token endpoint errors', () => {
  // The HTTP cases are in test/identity/entra-token-errors.test.ts; these are the rows no request
  // of the test suite reaches today (oidc-provider does not raise them in Elevate's set-up).
  it.each<[Partial<TokenErrorFacts>, number]>([
    [{ error: 'expired_token' }, 70019],
    [{ error: 'slow_down' }, 70016],
    [{ error: 'access_denied' }, 65004],
    [{ error: 'server_error' }, 90033],
    [{ error: 'temporarily_unavailable' }, 90033],
    [{ error: 'invalid_grant', detail: 'refresh token is expired' }, 70008],
    [{ error: 'invalid_grant', detail: 'authorization code is expired' }, 70008],
    [{ error: 'invalid_grant', detail: 'code_verifier must be provided' }, 501481],
    [{ error: 'invalid_client', detail: 'client not found' }, 50012],
    [{ error: 'something_new' }, 9002313],
    [{ error: 'invalid_client', rejection: 'wrongSecret', tenantProblem: true, tenant: 'x' }, 90002],
  ])('%j → AADSTS%i', (given, code) => {
    expect(describeTokenError(facts(given)).code).toBe(code);
  });

  it('repeats only short values of a safe alphabet', () => {
    expect(repeatable('0f2d4e0c-20a2-42dd-ad40-75600e8cd71a')).toBe('0f2d4e0c-20a2-42dd-ad40-75600e8cd71a');
    expect(repeatable('contoso.onmicrosoft.com')).toBe('contoso.onmicrosoft.com');
    expect(repeatable("x' or '1")).toBeUndefined();
    expect(repeatable('<script>')).toBeUndefined();
    expect(repeatable('a'.repeat(129))).toBeUndefined();
    expect(repeatable(42)).toBeUndefined();
  });

  it("writes Entra's timestamp and appends the ids to the description", () => {
    expect(entraTimestamp(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02 03:04:05Z');
    const body = entraTokenError(
      facts({ error: 'invalid_scope', description: 'The provided resource is not recognized.' }),
      {
        traceId: 't-1',
        correlationId: 'c-1',
        nowMs: Date.parse('2026-01-02T03:04:05Z'),
      },
    );
    expect(body).toEqual({
      error: 'invalid_scope',
      error_description:
        "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The provided resource is not recognized." +
        '\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2026-01-02 03:04:05Z',
      error_codes: [70011],
      timestamp: '2026-01-02 03:04:05Z',
      trace_id: 't-1',
      correlation_id: 'c-1',
    });
  });
});
