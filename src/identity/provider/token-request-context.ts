import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServicePrincipalCredentials } from '../ports.js';

/**
 * What one HTTP request handed to oidc-provider carries alongside it. oidc-provider calls our hooks
 * (adapter `find`, `compareClientSecret`, the JWT customizer) without a request argument, so this
 * request-scoped state is how they share what was looked up for *this* request, and nothing leaks
 * from one request to the next.
 */
export interface TokenRequestContext {
  /** The `{tenant}` path segment, when the request came in on a tenant-scoped path. */
  readonly pathTenantId: string | undefined;
  /** Principals loaded from the directory during this request, by appId. */
  readonly principals: Map<string, ServicePrincipalCredentials>;
  /**
   * The client's address (oidc-provider's `ctx.ip`, which the Fastify edge sets from `request.ip`,
   * so only trusted proxies' `X-Forwarded-For` counts); undefined outside the provider's requests.
   */
  ip: string | undefined;
  /** The application client id the request authenticated as (or tried to), once looked up. */
  attemptedClientId: string | undefined;
  /** Set when that client id is throttled from this address: the seconds to wait. */
  throttledForSeconds: number | undefined;
  /** The client id named no usable application, or its secret did not match. */
  clientAuthenticationFailed: boolean;
}

const storage = new AsyncLocalStorage<TokenRequestContext>();

/** Runs `fn` (the oidc-provider request handler) with a fresh request context. */
export function runWithTokenRequestContext<T>(pathTenantId: string | undefined, fn: () => T): T {
  return storage.run(
    {
      pathTenantId,
      principals: new Map(),
      ip: undefined,
      attemptedClientId: undefined,
      throttledForSeconds: undefined,
      clientAuthenticationFailed: false,
    },
    fn,
  );
}

/** The current request's context, or `undefined` outside a request (callers then fail closed). */
export function currentTokenRequestContext(): TokenRequestContext | undefined {
  return storage.getStore();
}
