import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientAuthThrottle } from '../../app/sign-in/client-auth-throttle.js';
import { FIRST_PARTY_CLIENT_ID, firstPartyClientMetadata } from './first-party-client.js';
import type { ClientDirectory } from '../ports.js';
import { currentTokenRequestContext } from './token-request-context.js';

const MAX_CLIENT_ID_LENGTH = 256;

/**
 * oidc-provider's `Client` model, read from Elevate's directory through the {@link ClientDirectory}
 * port instead of from oidc-provider's own storage.
 *
 * Clients are looked up on every request (oidc-provider calls `find` each time; it only memoizes
 * the parsed metadata by content hash), so a disabled principal, a tenant mismatch or a removed
 * secret is effective immediately. An unknown, disabled or wrong-tenant client all look the same to
 * oidc-provider ("not found", one `invalid_client`); the lookup records which it was in the request
 * context, so that the error body can say it as Entra does (ADR 0016).
 *
 * The metadata never contains a real secret: Elevate stores only SHA-256 hashes, and the secret is
 * checked by the `compareClientSecret` override against the principal this lookup stashed in the
 * request context. `client_secret` is set to `unusableSecret` only because oidc-provider's client
 * schema requires one for secret-based authentication; it is random, never published and never
 * compared, so if the override were ever lost, authentication would fail closed.
 *
 * With a `throttle`, an application client id that failed too often from the request's address is
 * refused before the directory is read ("not found" too; the provider holder turns the answer into
 * 429). Unknown ids are throttled alike, so the answer never tells whether an application exists.
 */
export class ClientDirectoryAdapter implements Adapter {
  constructor(
    private readonly clients: ClientDirectory,
    private readonly unusableSecret: string,
    private readonly firstPartyRedirectUris: readonly string[] = [],
    private readonly throttle?: ClientAuthThrottle,
  ) {}

  async find(appId: string): Promise<AdapterPayload | undefined> {
    const context = currentTokenRequestContext();
    if (context === undefined) return undefined;
    context.presentedClientId = appId;
    const notFound = () => {
      context.clientRejection = 'notFound';
      return undefined;
    };
    if (appId.length === 0 || appId.length > MAX_CLIENT_ID_LENGTH) return notFound();
    if (appId === FIRST_PARTY_CLIENT_ID) {
      return this.firstPartyRedirectUris.length === 0
        ? notFound()
        : firstPartyClientMetadata(this.firstPartyRedirectUris);
    }
    context.attemptedClientId = appId;
    if (this.throttle !== undefined && context.ip !== undefined) {
      const wait = await this.throttle.wait(appId, context.ip);
      if (wait !== null) {
        context.throttledForSeconds = wait;
        return undefined;
      }
    }
    const principal = await this.clients.findByAppId(appId);
    // An application of another tenant is not found in this one (Entra: AADSTS700016).
    if (
      principal === undefined ||
      (context.pathTenantId !== undefined &&
        context.pathTenantId.toLowerCase() !== principal.tenantId.toLowerCase())
    ) {
      context.clientAuthenticationFailed = true;
      return notFound();
    }
    if (!principal.accountEnabled) {
      context.clientAuthenticationFailed = true;
      context.clientRejection = 'disabled';
      return undefined;
    }
    context.principals.set(appId, principal);
    return {
      client_id: appId,
      client_name: principal.displayName,
      client_secret: this.unusableSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    };
  }

  upsert(): Promise<void> {
    return Promise.reject(
      new Error('Clients are managed in the Elevate directory, not through oidc-provider.'),
    );
  }

  findByUserCode(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  findByUid(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  consume(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    return Promise.reject(
      new Error('Clients are managed in the Elevate directory, not through oidc-provider.'),
    );
  }

  revokeByGrantId(): Promise<void> {
    return Promise.resolve();
  }
}
