import { errors, interactionPolicy } from 'oidc-provider';
import type { Adapter, Configuration, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import type { ClientAuthThrottle } from '../../app/sign-in/client-auth-throttle.js';
import type { Clock } from '../../domain/time/clock.js';
import { ClientDirectoryAdapter } from './client-directory-adapter.js';
import { successSource, userCodeConfirmSource, userCodeInputSource } from '../pages/device-flow-pages.js';
import { InMemoryProviderAdapter } from './in-memory-provider-adapter.js';
import { logoutSource, postLogoutSuccessSource } from '../pages/logout-pages.js';
import type {
  AccountDirectory,
  ActiveDirectoryRoles,
  AuthenticationContextDirectory,
  ClientDirectory,
  SigningKeyRecord,
} from '../ports.js';
import { acrsForSignIn, requestedContexts } from '../../domain/authn/authentication-context.js';
import { canonicalResource, resolveDefaultScope } from './resource-scopes.js';
import type { ScopeRejection } from './resource-scopes.js';
import { currentTokenRequestContext } from './token-request-context.js';

/** Entra's paths, so Entra-style clients and SDKs find the endpoints where they expect them. */
export const providerRoutes = {
  token: '/oauth2/v2.0/token',
  authorization: '/oauth2/v2.0/authorize',
  device_authorization: '/oauth2/v2.0/devicecode',
  code_verification: '/oauth2/v2.0/deviceauth',
  end_session: '/oauth2/v2.0/logout',
  revocation: '/oauth2/v2.0/revoke',
  jwks: '/discovery/v2.0/keys',
} as const;

/** What the provider configuration is built from; one snapshot per signing-key set. */
export interface ProviderConfigurationInput {
  issuer: string;
  clients: ClientDirectory;
  /** Read at each issuance for the `wids` claim. */
  activeRoles: ActiveDirectoryRoles;
  clock: Clock;
  accessTokenTtlSeconds: number;
  /** Canonical resource URIs (see `canonicalResource`) a token may be requested for. */
  allowedResources: ReadonlySet<string>;
  /** Every key to publish; `signingKid` names the one that signs. */
  keys: readonly SigningKeyRecord[];
  signingKid: string;
  /** Non-client models, shared across provider rebuilds. */
  memoryAdapters: Map<string, InMemoryProviderAdapter>;
  unusableClientSecret: string;
  /** People who sign in; without it the authorization endpoint cannot complete. */
  accounts: AccountDirectory | undefined;
  /** Authentication contexts, for the `acrs` claim and step-up; without it tokens carry no `acrs`. */
  contexts: AuthenticationContextDirectory | undefined;
  /** Shared storage for sessions, codes, grants and refresh tokens (several replicas); else in memory. */
  artifacts: ((model: string) => Adapter) | undefined;
  /** Keys that sign oidc-provider's cookies, newest first; the same on every replica. */
  cookieKeys: readonly string[];
  /** Redirect URIs of Elevate's own public client; empty leaves it unregistered. */
  firstPartyRedirectUris: readonly string[];
  /** Where the sign-in pages live, e.g. `/identity/interaction`. */
  interactionPath: string;
  refreshTokenTtlSeconds: number;
  /** Back-off for failed client authentication (by client id and address); none without it. */
  clientThrottle: ClientAuthThrottle | undefined;
  /**
   * Told of every access token a refresh-token grant issues to a user (break-glass use, ADR 0033);
   * an interactive sign-in is recorded by the sign-in itself.
   */
  userTokenRefreshed?: (tenantId: string, userId: string, ip: string | null) => Promise<void>;
}

const OIDC_SCOPES = ['openid', 'profile', 'offline_access'];

function toProviderError(rejection: ScopeRejection, scope: string): Error {
  return rejection.error === 'invalid_request'
    ? new errors.InvalidRequest(rejection.description)
    : new errors.InvalidScope(rejection.description, scope);
}

function requestedScope(ctx: KoaContextWithOIDC): string | undefined {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope : undefined;
}

function isClientCredentials(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.params?.grant_type === 'client_credentials';
}

/**
 * oidc-provider's default prompts, with one more reason to show the sign-in pages: the request asks
 * (`claims` parameter) for an authentication context that the session's sign-in does not satisfy
 * now, e.g. `c1` (a passkey) while the session was a password and a one-time code, or a passkey
 * sign-in older than the context's maximum age. The pages then ask for exactly what is missing.
 */
function loginPolicy(input: ProviderConfigurationInput) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.add(
    new interactionPolicy.Check(
      'authentication_context',
      'The requested authentication context needs a new sign-in',
      async (ctx) => {
        const requested = requestedContexts(ctx.oidc.params?.claims);
        const { session } = ctx.oidc;
        if (requested.length === 0 || session?.accountId === undefined || ctx.oidc.result?.login) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        const account = await input.accounts?.findById(session.accountId);
        if (account === undefined) return interactionPolicy.Check.REQUEST_PROMPT;
        const contexts = (await input.contexts?.forTenant(account.tenantId)) ?? [];
        const authTime = session.authTime();
        const satisfied = acrsForSignIn(
          contexts,
          session.amr ?? [],
          typeof authTime === 'number' ? authTime * 1000 : null,
          input.clock.now(),
        );
        return requested.every((id) => satisfied.includes(id))
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
}

/**
 * oidc-provider configuration for Elevate: client credentials for applications; for people (when
 * `accounts` is given) authorization code + PKCE, the device flow, refresh tokens, revocation and
 * RP-initiated logout, with Elevate's own interaction pages. Features whose proof Elevate's
 * verifier would not check (DPoP) or that need plaintext client secrets (`client_secret_jwt`, HS*
 * algorithms) are off.
 */
export function buildProviderConfiguration(input: ProviderConfigurationInput): Configuration {
  const { issuer, clock, accessTokenTtlSeconds, allowedResources } = input;
  const clientAdapter = new ClientDirectoryAdapter(
    input.clients,
    input.unusableClientSecret,
    input.firstPartyRedirectUris,
    input.clientThrottle,
  );
  const { accounts } = input;
  const adapterFor = (name: string): Adapter => {
    if (name === 'Client') return clientAdapter;
    if (input.artifacts !== undefined) return input.artifacts(name);
    let adapter = input.memoryAdapters.get(name);
    if (adapter === undefined) {
      adapter = new InMemoryProviderAdapter(name, clock);
      input.memoryAdapters.set(name, adapter);
    }
    return adapter;
  };
  const issuerResource = canonicalResource(issuer) ?? issuer;
  const issuerOrigin = new URL(issuer).origin;

  const resourceServer: ResourceServer = {
    // Empty: the `.default` scope names the resource; it is not echoed back as a granted scope,
    // matching Entra's client-credentials response.
    scope: '',
    audience: issuer,
    accessTokenTTL: accessTokenTtlSeconds,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256', kid: input.signingKid } },
  };

  return {
    adapter: adapterFor,
    jwks: { keys: input.keys.map((key) => key.privateJwk) },
    routes: providerRoutes,
    // `none`: Elevate's own public client (PKCE instead of a secret); directory apps always have secrets.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_post',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      introspectionSigningAlgValues: ['ES256'],
      authorizationSigningAlgValues: ['ES256'],
      requestObjectSigningAlgValues: ['ES256'],
    },
    // Applications call the token endpoint from servers; browsers only from Elevate's own portal
    // (same origin, but browsers still send `Origin` on POST).
    clientBasedCORS: (_ctx, origin) => origin === issuerOrigin,
    // Only the authorization-code flow will use the authorization endpoint; no implicit grant.
    responseTypes: ['code'],
    findAccount: async (_ctx, sub) => {
      const account = await accounts?.findById(sub);
      if (account === undefined || !account.accountEnabled) return undefined;
      return {
        accountId: account.userId,
        claims: () => ({
          sub: account.userId,
          oid: account.userId,
          tid: account.tenantId,
          preferred_username: account.userPrincipalName,
          name: account.displayName,
        }),
      };
    },
    claims: { openid: ['sub', 'oid', 'tid'], profile: ['name', 'preferred_username'] },
    interactions: {
      url: (_ctx, interaction) => `${input.interactionPath}/${interaction.uid}`,
      policy: loginPolicy(input),
    },
    // Entra's claims request (`claims={"access_token":{"acrs":…}}`), which oidc-provider's own
    // claims feature (ID token and userinfo only) would refuse: passed through to the login check
    // and the sign-in pages, which read only the requested `acrs` (ADR 0021).
    extraParams: ['claims'],
    cookies: {
      keys: [...input.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    pkce: { required: () => true },
    // Elevate's own client is first-party: signing in is consent. Other clients never reach here
    // (only the first-party client has the authorization_code grant).
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId !== undefined) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found !== undefined) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(OIDC_SCOPES.join(' '));
      grant.addResourceScope(issuerResource, '');
      await grant.save();
      return grant;
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Each refresh returns a new refresh token; presenting a used one revokes the whole grant
    // (oidc-provider's reuse detection), ending the family.
    rotateRefreshToken: true,
    renderError: (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
    ttl: {
      ClientCredentials: accessTokenTtlSeconds,
      AccessToken: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 15 * 60,
      Session: 24 * 3600,
      Grant: input.refreshTokenTtlSeconds,
      RefreshToken: input.refreshTokenTtlSeconds,
      IdToken: accessTokenTtlSeconds,
    },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: accounts !== undefined, logoutSource, postLogoutSuccessSource },
      revocation: { enabled: true },
      // The CLI signs in through a browser elsewhere (RFC 8628).
      deviceFlow: {
        enabled: accounts !== undefined,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource,
        userCodeConfirmSource,
        successSource,
      },
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        defaultResource: (ctx) => {
          const scope = requestedScope(ctx);
          if (!isClientCredentials(ctx)) return issuerResource;
          const resolved = resolveDefaultScope(scope, allowedResources);
          if ('error' in resolved) throw toProviderError(resolved, scope ?? '');
          return resolved.resource;
        },
        getResourceServerInfo: (ctx, resourceIndicator) => {
          const resource = canonicalResource(resourceIndicator);
          if (resource === undefined || !allowedResources.has(resource)) {
            throw new errors.InvalidTarget('The requested resource is not recognized.');
          }
          const scope = requestedScope(ctx);
          if (isClientCredentials(ctx) && scope !== undefined && scope.length > 0) {
            const resolved = resolveDefaultScope(scope, allowedResources);
            if ('error' in resolved) throw toProviderError(resolved, scope);
            if (resolved.resource !== resource) {
              throw new errors.InvalidScope('The scope does not match the requested resource.', scope);
            }
          }
          return resourceServer;
        },
      },
    },
    formats: {
      customizers: {
        jwt: async (ctx, token, parts) => {
          const clientId = token.clientId ?? '';
          if (token.kind === 'AccessToken' && accounts !== undefined) {
            const entities = ctx?.oidc.entities;
            const source = entities?.RefreshToken ?? entities?.AuthorizationCode ?? entities?.DeviceCode;
            const account = await accounts.findById(token.accountId ?? '');
            if (account === undefined || !account.accountEnabled || source === undefined) {
              throw new Error('No signed-in account for this access token.');
            }
            const now = clock.now();
            const wids = await input.activeRoles.templateIdsAt(account.tenantId, account.userId, now);
            const groups = groupsClaim(
              await input.activeRoles.groupIdsAt(account.tenantId, account.userId, now),
              input.issuer,
              account.userId,
            );
            if (ctx?.oidc.params?.grant_type === 'refresh_token')
              await input.userTokenRefreshed?.(account.tenantId, account.userId, ctx.ip ?? null);
            const amr = [...(source.amr ?? [])];
            const authTimeMs = typeof source.authTime === 'number' ? source.authTime * 1000 : null;
            const contexts = (await input.contexts?.forTenant(account.tenantId)) ?? [];
            const acrs = acrsForSignIn(contexts, amr, authTimeMs, now);
            Object.assign(parts.payload, {
              sub: account.userId,
              oid: account.userId,
              tid: account.tenantId,
              upn: account.userPrincipalName,
              name: account.displayName,
              appid: clientId,
              azp: clientId,
              amr,
              auth_time: source.authTime,
              ...(acrs.length > 0 ? { acrs } : {}),
              wids,
              ...groups,
              idtyp: 'user',
              nbf: parts.payload.iat,
            });
            return;
          }
          const principal = currentTokenRequestContext()?.principals.get(clientId);
          if (token.kind !== 'ClientCredentials' || principal === undefined) {
            // Fail closed: only application tokens are issued so far, always within a request.
            throw new Error('No authenticated application for this access token.');
          }
          // Roles active *now*, from live state: an activation shows up in the next token, an
          // expiry drops out of it (tokens are short-lived for exactly this reason).
          const now = clock.now();
          const wids = await input.activeRoles.templateIdsAt(
            principal.tenantId,
            principal.servicePrincipalId,
            now,
          );
          const groups = groupsClaim(
            await input.activeRoles.groupIdsAt(principal.tenantId, principal.servicePrincipalId, now),
            input.issuer,
            principal.servicePrincipalId,
          );
          Object.assign(parts.payload, {
            sub: principal.servicePrincipalId,
            oid: principal.servicePrincipalId,
            tid: principal.tenantId,
            appid: principal.appId,
            azp: principal.appId,
            roles: [...principal.appPermissions],
            wids,
            ...groups,
            idtyp: 'app',
            nbf: parts.payload.iat,
          });
        },
      },
    },
  };
}

/** At most this many group ids travel in a token; beyond it the claim names where to read them. */
export const MAX_GROUPS_IN_TOKEN = 200;

/**
 * The `groups` claim: ids of the groups held at issuance (transitively, standing or through an
 * active PIM membership). Over {@link MAX_GROUPS_IN_TOKEN}, Entra's overage convention: no
 * `groups`, and `_claim_names`/`_claim_sources` name the endpoint that lists them. No groups, no
 * claim.
 */
export function groupsClaim(
  groupIds: readonly string[],
  publicUrl: string,
  principalId: string,
): Record<string, unknown> {
  if (groupIds.length === 0) return {};
  if (groupIds.length <= MAX_GROUPS_IN_TOKEN) return { groups: [...groupIds] };
  return {
    _claim_names: { groups: 'src1' },
    _claim_sources: {
      src1: { endpoint: `${publicUrl}/v1.0/directoryObjects/${principalId}/getMemberObjects` },
    },
  };
}
