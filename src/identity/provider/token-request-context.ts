import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ServicePrincipalCredentials } from '../ports.js';

/**
 * Why client authentication failed, as the hook that decided it saw it. oidc-provider reports all
 * of these as one `invalid_client`; Entra (and so Elevate's error body) tells them apart.
 */
export type ClientRejection = 'notFound' | 'disabled' | 'expiredSecret' | 'wrongSecret';

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
  /** Entra's `trace_id`: this request's id (the `request-id` response header). */
  readonly traceId: string;
  /** Entra's `correlation_id`: the caller's `client-request-id` when it sent one, else generated. */
  readonly correlationId: string;
  /** Set by the client lookup and the secret check when they refuse the client. */
  clientRejection: ClientRejection | undefined;
  /** The client id the client lookup was asked for (form body or HTTP Basic alike). */
  presentedClientId: string | undefined;
  /** The error oidc-provider answered this request with (its `error_detail` says which check failed). */
  providerError: unknown;
}

const storage = new AsyncLocalStorage<TokenRequestContext>();

/** Runs `fn` (the oidc-provider request handler) with a fresh request context. */
export function runWithTokenRequestContext<T>(
  pathTenantId: string | undefined,
  fn: () => T,
  ids: { traceId?: string; correlationId?: string } = {},
): T {
  return storage.run(
    {
      pathTenantId,
      principals: new Map(),
      ip: undefined,
      attemptedClientId: undefined,
      throttledForSeconds: undefined,
      clientAuthenticationFailed: false,
      traceId: ids.traceId ?? randomUUID(),
      correlationId: ids.correlationId ?? randomUUID(),
      clientRejection: undefined,
      presentedClientId: undefined,
      providerError: undefined,
    },
    fn,
  );
}

/** The current request's context, or `undefined` outside a request (callers then fail closed). */
export function currentTokenRequestContext(): TokenRequestContext | undefined {
  return storage.getStore();
}
