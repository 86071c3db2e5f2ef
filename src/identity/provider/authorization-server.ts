import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Adapter } from 'oidc-provider';
import type { SignIn } from '../../app/sign-in/sign-in.js';
import type { ClientAuthThrottle } from '../../app/sign-in/client-auth-throttle.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Sealer } from '../../app/sign-in/ports.js';
import type { FederatedSignIn } from '../../app/federation/federated-sign-in.js';
import { registerFederationRoutes, type PortalIssuer } from '../federation/federation-routes.js';
import { registerInteractionRoutes } from '../pages/interaction-routes.js';
import type {
  AccountDirectory,
  ActiveDirectoryRoles,
  AuthenticationContextDirectory,
  ClientDirectory,
  SigningKeyStore,
  TenantDirectory,
} from '../ports.js';
import { ProviderHolder } from './provider-holder.js';
import { providerRoutes } from './provider-configuration.js';
import { entraTokenError, repeatable } from './entra-token-error.js';
import { canonicalResource } from './resource-scopes.js';
import { runWithTokenRequestContext } from './token-request-context.js';

/** Inputs of {@link createAuthorizationServer}; the ports are implemented by the store, wired in main.ts. */
export interface AuthorizationServerOptions {
  /** Public base URL, an origin without path or trailing slash, e.g. `http://127.0.0.1:8080`. Also the token audience. */
  issuer: string;
  clients: ClientDirectory;
  /** Which tenants exist: an unknown `{tenant}` in the path is its own error (AADSTS90002). */
  tenants: TenantDirectory;
  /** Directory roles active at issuance, for the `wids` claim (see `ActiveDirectoryRoles`). */
  activeRoles: ActiveDirectoryRoles;
  keys: SigningKeyStore;
  clock: Clock;
  /** Access-token lifetime; default 600 s (10 minutes), short because roles in tokens follow activations. */
  accessTokenTtlSeconds?: number;
  /** Resources accepted in `scope=<resource>/.default`; default `[issuer, 'https://graph.microsoft.com']`. */
  allowedScopeResources?: string[];
  /** How often the key store is re-read to pick up rotations by other replicas; default 60 s. */
  keyRefreshIntervalSeconds?: number;
  /** Where 5xx causes go; default the Fastify instance's logger. */
  onServerError?: (error: unknown) => void;
  /** Local sign-in of people (authorization code + PKCE); without it only client credentials work. */
  signIn?: LocalSignInOptions;
  /**
   * Back-off for failed client authentication by client id and address (429 with Retry-After
   * while blocked); without it, failures are not counted.
   */
  clientThrottle?: ClientAuthThrottle;
}

/** What people's sign-in on the embedded server needs. */
export interface LocalSignInOptions {
  accounts: AccountDirectory;
  /** Authentication contexts: the `acrs` of user tokens and step-up for a `claims` request. */
  contexts?: AuthenticationContextDirectory;
  steps: SignIn;
  /** Shared storage of sessions, interactions, codes, grants and refresh tokens (every replica). */
  artifacts: (model: string) => Adapter;
  /** Cookie-signing keys, newest first; the same on every replica. */
  cookieKeys: readonly string[];
  /** Redirect URIs of Elevate's own public client (`elevate-portal`). */
  redirectUris: readonly string[];
  /** Refresh-token (and grant) lifetime; default 14 days. */
  refreshTokenTtlSeconds?: number;
  /** Sign-in through trusted external issuers (those with a client id). */
  federation?: {
    issuers: readonly PortalIssuer[];
    signIn: FederatedSignIn;
    /** Seals the round-trip `state` (the data key's SecretBox). */
    sealer: Sealer;
  };
}

/** Where the sign-in pages are served. */
export const INTERACTION_PATH = '/identity/interaction';

/** What main.ts mounts into the Fastify app (before `listen`). */
export interface AuthorizationServer {
  readonly issuer: string;
  /**
   * Registers the OAuth/OIDC routes on `fastify` (at its root; see the file comment for the list).
   * The plugin is encapsulated, so its body-parser override does not affect other routes.
   */
  registerAuthorizationRoutes(fastify: PluginHost): Promise<void>;
  /** The same, as a plugin: `await app.register(server.plugin)`. */
  readonly plugin: FastifyPluginAsync;
  /** Re-reads the signing keys now (after `rotateSigningKeys`), instead of at the next interval. */
  reloadSigningKeys(): Promise<void>;
}

/** Any Fastify instance, whatever its logger and type provider (only `register` is used). */
export interface PluginHost {
  register(plugin: FastifyPluginAsync): PromiseLike<unknown>;
}

const GET: HTTPMethods[] = ['GET', 'OPTIONS'];
const ANY: HTTPMethods[] = ['GET', 'POST', 'OPTIONS'];

function assertIssuer(issuer: string): URL {
  const url = new URL(issuer);
  if (url.pathname !== '/' || issuer.endsWith('/') || url.search !== '' || url.hash !== '') {
    throw new Error('issuer must be an origin without path or trailing slash, e.g. http://127.0.0.1:8080');
  }
  return url;
}

/** A `client-request-id` we echo: a short token of a safe alphabet (it lands in bodies and logs). */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Entra's `trace_id` (this request's id, also the `request-id` header) and `correlation_id` (the
 * caller's `client-request-id`, which MSAL always sends, or a fresh one) for error bodies.
 */
function requestIds(request: FastifyRequest): { traceId: string; correlationId: string } {
  const sent = request.headers['client-request-id'];
  return {
    traceId: request.id,
    correlationId: typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID(),
  };
}

/**
 * The embedded OAuth 2.0 / OpenID Connect authorization server (oidc-provider), mounted into
 * Fastify. Served paths (Entra's, so Entra-style clients only change their base URL):
 *
 * - `POST /oauth2/v2.0/token` and `POST /{tenant}/oauth2/v2.0/token` (client credentials, secret
 *   in the form body or HTTP Basic); a `{tenant}` that does not exist is `400 invalid_request`
 *   (AADSTS90002), an application of another tenant is not found in this one (`401
 *   invalid_client`, AADSTS700016). Errors of the token and device-code endpoints have Entra's
 *   shape (`entra-error-middleware.ts`, ADR 0016).
 * - `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server`,
 *   `/{tenant}/v2.0/.well-known/openid-configuration` (discovery);
 * - `/discovery/v2.0/keys` and `/{tenant}/discovery/v2.0/keys` (JWKS, the discovery `jwks_uri`);
 * - everything else under `/oauth2/v2.0/` goes to oidc-provider too (authorization endpoint for
 *   the later code + PKCE flow).
 *
 * oidc-provider reads the request body itself from the raw stream, so these routes register a
 * pass-through content-type parser (scoped to this plugin), hijack the reply and hand the raw
 * request and response to the provider. Discovery URLs are built from `issuer`, never from the
 * request's Host header, and the provider's client address from `request.ip`.
 */
export function createAuthorizationServer(opts: AuthorizationServerOptions): AuthorizationServer {
  const issuerUrl = assertIssuer(opts.issuer);
  const resources = opts.allowedScopeResources ?? [opts.issuer, 'https://graph.microsoft.com'];
  const allowedResources = new Set<string>();
  for (const resource of resources) {
    const canonical = canonicalResource(resource);
    if (canonical === undefined) throw new Error(`allowedScopeResources: not a resource URI: ${resource}`);
    allowedResources.add(canonical);
  }
  let logServerError: (error: unknown) => void = opts.onServerError ?? (() => undefined);
  const holder = new ProviderHolder({
    issuer: opts.issuer,
    clients: opts.clients,
    tenants: opts.tenants,
    activeRoles: opts.activeRoles,
    keys: opts.keys,
    clock: opts.clock,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 600,
    allowedResources,
    keyRefreshIntervalSeconds: opts.keyRefreshIntervalSeconds ?? 60,
    onServerError: (error) => logServerError(error),
    accounts: opts.signIn?.accounts,
    ...(opts.signIn
      ? {
          userTokenRefreshed: (tenantId: string, userId: string, ip: string | null) =>
            opts.signIn!.steps.tokenRefreshed(tenantId, userId, ip),
        }
      : {}),
    contexts: opts.signIn?.contexts,
    artifacts: opts.signIn?.artifacts,
    cookieKeys: opts.signIn?.cookieKeys ?? [randomBytes(32).toString('base64url')],
    firstPartyRedirectUris: opts.signIn?.redirectUris ?? [],
    interactionPath: INTERACTION_PATH,
    refreshTokenTtlSeconds: opts.signIn?.refreshTokenTtlSeconds ?? 14 * 24 * 3600,
    clientThrottle: opts.clientThrottle,
  });

  async function handOver(
    request: FastifyRequest,
    reply: FastifyReply,
    providerPath: string,
    tenantId: string | undefined,
  ): Promise<void> {
    const handler = await holder.handler();
    reply.hijack();
    const raw = request.raw;
    const url = raw.url ?? '/';
    const queryAt = url.indexOf('?');
    raw.url = providerPath + (queryAt === -1 ? '' : url.slice(queryAt));
    raw.headers['x-forwarded-proto'] = issuerUrl.protocol.slice(0, -1);
    raw.headers['x-forwarded-host'] = issuerUrl.host;
    // The provider trusts X-Forwarded-* (`proxy = true`): its `ctx.ip` becomes the address Fastify
    // resolved (X-Forwarded-For honoured only from ELEVATE_TRUSTED_PROXIES), never the client's own.
    raw.headers['x-forwarded-for'] = request.ip;
    try {
      await runWithTokenRequestContext(tenantId, () => handler(raw, reply.raw), requestIds(request));
    } catch (error) {
      logServerError(error);
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ error: 'server_error', error_description: 'An unexpected error occurred.' }),
        );
      }
    }
  }

  const wildcard = (request: FastifyRequest): string => {
    const params = request.params as Record<string, string | undefined>;
    return params['*'] ?? '';
  };
  /** A tenant path segment: its id, or a domain name (never reflected otherwise). */
  const TENANT_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/;

  const tenantOf = (request: FastifyRequest): string => {
    const params = request.params as Record<string, string | undefined>;
    return params.tenant ?? '';
  };

  const plugin: FastifyPluginAsync = async (instance) => {
    if (opts.onServerError === undefined) {
      logServerError = (error) => instance.log.error({ err: error }, 'authorization server error');
    }
    await instance.register(oauthRoutes);
    const signIn = opts.signIn;
    if (signIn !== undefined) {
      const progress = signIn.artifacts('ElevateSignInProgress');
      await instance.register((child) => {
        registerInteractionRoutes(child, {
          path: INTERACTION_PATH,
          provider: () => holder.provider(),
          signIn: signIn.steps,
          accounts: signIn.accounts,
          ...(signIn.contexts === undefined ? {} : { contexts: signIn.contexts }),
          progress,
          clock: opts.clock,
          onServerError: (error) => logServerError(error),
          issuerUrl,
          federationLinks: (uid) =>
            (signIn.federation?.issuers ?? []).map((i) => ({
              href: `${INTERACTION_PATH}/${uid}/federation/${i.policy.id}`,
              label: `Sign in with ${i.policy.displayName}`,
            })),
        });
        if (signIn.federation !== undefined && signIn.federation.issuers.length > 0) {
          registerFederationRoutes(child, {
            issuers: signIn.federation.issuers,
            signIn: signIn.federation.signIn,
            provider: () => holder.provider(),
            progress,
            roundTrips: signIn.artifacts('ElevateFederationRoundTrip'),
            sealer: signIn.federation.sealer,
            interactionPath: INTERACTION_PATH,
            issuerUrl,
            onServerError: (error) => logServerError(error),
          });
        }
        return Promise.resolve();
      });
    }
  };

  const oauthRoutes: FastifyPluginAsync = (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null));

    const oauthPrefix = '/oauth2/v2.0/';
    instance.route({
      method: ANY,
      url: `${oauthPrefix}*`,
      handler: (request, reply) => handOver(request, reply, oauthPrefix + wildcard(request), undefined),
    });
    instance.route({
      method: ANY,
      url: `/:tenant${oauthPrefix}*`,
      handler: (request, reply) =>
        handOver(request, reply, oauthPrefix + wildcard(request), tenantOf(request)),
    });
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      instance.route({
        method: GET,
        url: path,
        handler: (request, reply) => handOver(request, reply, path, undefined),
      });
    }
    instance.route({
      method: GET,
      url: '/:tenant/v2.0/.well-known/openid-configuration',
      handler: async (request, reply) => {
        // As Entra's tenant discovery does, the OAuth endpoints are listed under the tenant
        // (`{base}/{tenant}/oauth2/v2.0/token`): MSAL and azure-identity build their token URL
        // from this document, and Elevate serves every OAuth path under the tenant too.
        // Entra answers a tenant it does not know here already (MSAL and azure-identity stop at this
        // document, before any token request), with the same AADSTS90002.
        const tenant = tenantOf(request);
        if (!TENANT_SEGMENT.test(tenant) || !(await opts.tenants.exists(tenant))) {
          const facts = {
            error: 'invalid_tenant',
            description: undefined,
            detail: undefined,
            rejection: undefined,
            tenant: TENANT_SEGMENT.test(tenant) ? repeatable(tenant) : undefined,
            clientId: undefined,
            grantType: undefined,
            tenantProblem: true,
          };
          return reply
            .code(400)
            .send(entraTokenError(facts, { ...requestIds(request), nowMs: opts.clock.now() }));
        }
        const discovery = await instance.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
        if (discovery.statusCode !== 200) return reply.code(discovery.statusCode).send(discovery.body);
        const oauthBase = `${opts.issuer.replace(/\/$/, '')}/oauth2/v2.0/`;
        const perTenant = `${opts.issuer.replace(/\/$/, '')}/${tenant}/oauth2/v2.0/`;
        const document = JSON.parse(discovery.body) as Record<string, unknown>;
        for (const [key, value] of Object.entries(document)) {
          if (typeof value === 'string' && value.startsWith(oauthBase)) {
            document[key] = perTenant + value.slice(oauthBase.length);
          }
        }
        return reply.header('cache-control', 'no-store').send(document);
      },
    });
    instance.route({
      method: GET,
      url: providerRoutes.jwks,
      handler: (request, reply) => handOver(request, reply, providerRoutes.jwks, undefined),
    });
    instance.route({
      method: GET,
      url: `/:tenant${providerRoutes.jwks}`,
      handler: (request, reply) => handOver(request, reply, providerRoutes.jwks, tenantOf(request)),
    });
    return Promise.resolve();
  };

  return {
    issuer: opts.issuer,
    plugin,
    registerAuthorizationRoutes: async (fastify) => {
      await fastify.register(plugin);
    },
    reloadSigningKeys: async () => {
      await holder.reload();
    },
  };
}
