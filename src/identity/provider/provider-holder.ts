import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Provider } from 'oidc-provider';
import type { ClientAuthThrottle } from '../../app/sign-in/client-auth-throttle.js';
import type { Clock } from '../../domain/time/clock.js';
import type { InMemoryProviderAdapter } from './in-memory-provider-adapter.js';
import type { Adapter } from 'oidc-provider';
import type {
  AccountDirectory,
  AuthenticationContextDirectory,
  ActiveDirectoryRoles,
  ClientDirectory,
  SigningKeyRecord,
  SigningKeyStore,
  TenantDirectory,
} from '../ports.js';
import { secretVerdict } from './client-secret-verification.js';
import { buildProviderConfiguration, providerRoutes } from './provider-configuration.js';
import { ensureActiveSigningKey, selectSigningKey } from '../tokens/signing-keys.js';
import { currentTokenRequestContext, type TokenRequestContext } from './token-request-context.js';
import { useEntraErrors } from './entra-error-middleware.js';

/** The part of a Koa context the client-authentication throttle reads and rewrites. */
interface ProviderResponse {
  status: number;
  body: unknown;
  set(field: string, value: string): void;
  remove(field: string): void;
}

/**
 * After the provider answered: a client id refused by the throttle (the adapter found it blocked)
 * gets 429 with Retry-After instead of `invalid_client`; a failed client authentication (unknown
 * client, wrong secret: flagged by the adapter and `compareClientSecret`) counts a failure for the
 * client id it named, from this address; a success clears its counters.
 */
async function throttleClientAuthentication(
  ctx: ProviderResponse,
  context: TokenRequestContext,
  throttle: ClientAuthThrottle | undefined,
): Promise<void> {
  const { attemptedClientId: clientId, ip } = context;
  if (throttle === undefined || clientId === undefined || ip === undefined) return;
  if (context.throttledForSeconds !== undefined) {
    ctx.status = 429;
    ctx.remove('www-authenticate');
    ctx.set('retry-after', String(context.throttledForSeconds));
    ctx.body = {
      error: 'temporarily_unavailable',
      error_description: 'Too many failed client authentications. Try again later.',
    };
    return;
  }
  if (context.clientAuthenticationFailed) await throttle.failed(clientId, ip);
  else if (ctx.status === 200) await throttle.succeeded(clientId, ip);
}

/** Node request handler of one oidc-provider instance (a Koa app). */
export type ProviderRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** See `AuthorizationServerOptions`; here with every default resolved. */
export interface ProviderHolderOptions {
  issuer: string;
  clients: ClientDirectory;
  tenants: TenantDirectory;
  activeRoles: ActiveDirectoryRoles;
  keys: SigningKeyStore;
  clock: Clock;
  accessTokenTtlSeconds: number;
  allowedResources: ReadonlySet<string>;
  keyRefreshIntervalSeconds: number;
  onServerError: (error: unknown) => void;
  accounts: AccountDirectory | undefined;
  contexts: AuthenticationContextDirectory | undefined;
  artifacts: ((model: string) => Adapter) | undefined;
  /** See `ProviderConfigurationInput.userTokenRefreshed`. */
  userTokenRefreshed?: (tenantId: string, userId: string, ip: string | null) => Promise<void>;
  cookieKeys: readonly string[];
  firstPartyRedirectUris: readonly string[];
  interactionPath: string;
  refreshTokenTtlSeconds: number;
  clientThrottle: ClientAuthThrottle | undefined;
}

interface Built {
  fingerprint: string;
  provider: Provider;
  handler: ProviderRequestHandler;
  checkedAtMs: number;
}

function fingerprintOf(keys: readonly SigningKeyRecord[]): string {
  return keys
    .map((key) => `${key.kid}:${key.status}`)
    .sort()
    .join(',');
}

/**
 * Holds the oidc-provider instance for the current set of signing keys.
 *
 * oidc-provider reads its keystore once, at construction, so a key rotation (by this replica or
 * another one) means building a new instance. The key store is re-read at most once per
 * `keyRefreshIntervalSeconds` (or on `reload()`); a new instance is built only when the set of
 * kids or their status changed. In-memory artifacts live in adapters shared across instances.
 */
export class ProviderHolder {
  private built: Built | undefined;
  private pending: Promise<Built> | undefined;
  private readonly memoryAdapters = new Map<string, InMemoryProviderAdapter>();
  /** Satisfies oidc-provider's client schema; never compared (see ClientDirectoryAdapter). */
  private readonly unusableClientSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: ProviderHolderOptions) {}

  /**
   * The request handler for the current keys, refreshing them when the interval has passed. If a
   * refresh fails (key store unreachable) after a first successful load, the error is reported and
   * the previous keys keep serving: they are still valid, merely possibly not the newest.
   */
  async handler(): Promise<ProviderRequestHandler> {
    return (await this.current()).handler;
  }

  /** The oidc-provider instance for the current keys (the interaction pages call its API). */
  async provider(): Promise<Provider> {
    return (await this.current()).provider;
  }

  private async current(): Promise<Built> {
    const built = this.built;
    const intervalMs = this.options.keyRefreshIntervalSeconds * 1000;
    if (built !== undefined && this.options.clock.now() - built.checkedAtMs < intervalMs) {
      return built;
    }
    try {
      return await this.reload();
    } catch (error) {
      if (built === undefined) throw error;
      this.options.onServerError(error);
      return built;
    }
  }

  /** Re-reads the key store now (single-flight), e.g. right after `rotateSigningKeys`. */
  async reload(): Promise<Built> {
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<Built> {
    const { clock } = this.options;
    const keys = await ensureActiveSigningKey(this.options.keys, clock);
    const fingerprint = fingerprintOf(keys);
    const checkedAtMs = clock.now();
    if (this.built?.fingerprint === fingerprint) {
      this.built = { ...this.built, checkedAtMs };
      return this.built;
    }
    this.built = { fingerprint, ...this.build(keys), checkedAtMs };
    return this.built;
  }

  private build(keys: readonly SigningKeyRecord[]): { provider: Provider; handler: ProviderRequestHandler } {
    const { options } = this;
    const signing = selectSigningKey(keys);
    if (signing === undefined) throw new Error('No active signing key.');
    const ordered = [signing, ...keys.filter((key) => key.kid !== signing.kid)];
    const provider = new Provider(
      options.issuer,
      buildProviderConfiguration({
        issuer: options.issuer,
        clients: options.clients,
        activeRoles: options.activeRoles,
        clock: options.clock,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        allowedResources: options.allowedResources,
        keys: ordered,
        signingKid: signing.kid,
        memoryAdapters: this.memoryAdapters,
        unusableClientSecret: this.unusableClientSecret,
        accounts: options.accounts,
        contexts: options.contexts,
        artifacts: options.artifacts,
        cookieKeys: options.cookieKeys,
        firstPartyRedirectUris: options.firstPartyRedirectUris,
        interactionPath: options.interactionPath,
        refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
        clientThrottle: options.clientThrottle,
        ...(options.userTokenRefreshed ? { userTokenRefreshed: options.userTokenRefreshed } : {}),
      }),
    );
    // Public URLs in discovery come from the issuer, not from the Host header, and `ctx.ip` from
    // the edge's `request.ip`: authorization-server.ts overwrites the X-Forwarded-* headers it
    // hands over, so a client's own X-Forwarded-For never reaches the provider.
    provider.proxy = true;
    provider.use(async (ctx, next) => {
      const context = currentTokenRequestContext();
      if (context !== undefined) context.ip = ctx.ip;
      await next();
      if (context !== undefined) await throttleClientAuthentication(ctx, context, options.clientThrottle);
    });

    // Elevate stores only SHA-256 hashes of client secrets, so the plaintext comparison oidc-provider
    // would do is replaced by a check against the principal the Client adapter loaded for this
    // request. `compareClientSecret` is oidc-provider's typed hook for exactly this (issue #631).
    const clock = options.clock;
    provider.Client.prototype.compareClientSecret = function compareClientSecret(presented: string): boolean {
      const context = currentTokenRequestContext();
      const principal = context?.principals.get(this.clientId);
      if (context === undefined || principal === undefined) {
        if (context !== undefined) context.clientAuthenticationFailed = true;
        return false;
      }
      const verdict = secretVerdict(principal, presented, clock.now());
      if (verdict !== 'valid') {
        context.clientRejection = verdict === 'expired' ? 'expiredSecret' : 'wrongSecret';
        context.clientAuthenticationFailed = true;
      }
      return verdict === 'valid';
    };

    // Entra's token response also carries `ext_expires_in`; some clients read it.
    provider.use(async (ctx, next) => {
      await next();
      const body: unknown = ctx.body;
      if (
        ctx.method === 'POST' &&
        ctx.path === providerRoutes.token &&
        ctx.status === 200 &&
        typeof body === 'object' &&
        body !== null &&
        'expires_in' in body &&
        typeof body.expires_in === 'number'
      ) {
        Object.assign(body, { ext_expires_in: body.expires_in });
      }
    });

    useEntraErrors(provider, { clock, tenants: options.tenants });
    provider.on('server_error', (_ctx: unknown, error: unknown) => options.onServerError(error));
    return { provider, handler: provider.callback() };
  }
}
