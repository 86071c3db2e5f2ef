import type { AdapterPayload } from 'oidc-provider';

/**
 * Elevate's own public client (the portal and the CLI): no secret, authorization code + PKCE
 * (S256) and refresh tokens. It is part of the product rather than of any tenant's directory, so
 * it is defined here, not stored; its redirect URIs come from configuration.
 */
export const FIRST_PARTY_CLIENT_ID = 'elevate-portal';

export function firstPartyClientMetadata(redirectUris: readonly string[]): AdapterPayload {
  return {
    client_id: FIRST_PARTY_CLIENT_ID,
    client_name: 'Elevate',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: [...redirectUris],
    post_logout_redirect_uris: [...redirectUris],
  };
}
