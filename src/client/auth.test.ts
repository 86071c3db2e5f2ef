import { describe, expect, it } from 'vitest';
import { discoveryOf, userScope } from './auth.js';

describe("a person's sign-in", () => {
  it("asks for Elevate's own scopes, or in Entra mode Graph's .default beside them", () => {
    expect(userScope(undefined)).toBe('openid profile offline_access');
    expect(userScope('https://graph.microsoft.com/')).toBe(
      'https://graph.microsoft.com/.default openid profile offline_access',
    );
  });

  it('finds the device code endpoint beside the token endpoint (Entra and Elevate shapes)', () => {
    const profile = {
      kind: 'user' as const,
      server: 'https://graph.microsoft.com',
      issuer: 'https://login.microsoftonline.com/t/v2.0',
      tokenEndpoint: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
      clientId: 'c',
      accessToken: '',
      expiresAt: 0,
    };
    expect(discoveryOf(profile).deviceAuthorizationEndpoint).toBe(
      'https://login.microsoftonline.com/t/oauth2/v2.0/devicecode',
    );
  });
});
