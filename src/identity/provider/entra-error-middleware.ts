import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Clock } from '../../domain/time/clock.js';
import type { TenantDirectory } from '../ports.js';
import { entraTokenError, repeatable, type TokenErrorFacts } from './entra-token-error.js';
import { providerRoutes } from './provider-configuration.js';
import { currentTokenRequestContext, type TokenRequestContext } from './token-request-context.js';

/** The endpoints whose error bodies clients parse (MSAL, azure-identity, the device-flow CLI). */
const ENTRA_SHAPED: ReadonlySet<string> = new Set([
  providerRoutes.token,
  providerRoutes.device_authorization,
]);

/** oidc-provider's reason for an error it answered with (`error_detail`), if it gave one. */
function detailOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('error_detail' in error)) return undefined;
  return typeof error.error_detail === 'string' ? error.error_detail : undefined;
}

/** A parameter oidc-provider parsed from the request, read after it ran (it set `ctx.oidc`). */
function paramOf(ctx: object, name: string): unknown {
  try {
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    return oidc?.params?.[name];
  } catch {
    return undefined;
  }
}

/**
 * oidc-provider says "the grant type is not allowed for this client" with `invalid_request`;
 * RFC 6749 §5.2 has `unauthorized_client` for exactly that.
 */
function rfcError(error: string, description: string | undefined): string {
  return error === 'invalid_request' && description === 'requested grant type is not allowed for this client'
    ? 'unauthorized_client'
    : error;
}

/** The Entra-shaped body for a refusal of this request (see `entraTokenError`). */
export function entraBodyFor(
  context: TokenRequestContext,
  facts: Omit<TokenErrorFacts, 'rejection' | 'tenant' | 'clientId'> & Partial<TokenErrorFacts>,
  nowMs: number,
) {
  return entraTokenError(
    {
      rejection: context.clientRejection,
      tenant: repeatable(context.pathTenantId),
      clientId: repeatable(context.presentedClientId),
      ...facts,
    },
    { traceId: context.traceId, correlationId: context.correlationId, nowMs },
  );
}

/**
 * Makes the token and device-code endpoints answer errors in Entra's shape (`error_codes`,
 * `trace_id`, `correlation_id`, `timestamp`, an AADSTS code in `error_description`) and refuse a
 * tenant in the path that does not exist (AADSTS90002) before looking at the client.
 *
 * oidc-provider renders JSON errors itself; this middleware sits outside its router, so it sees
 * the status and body it wrote, and the reason (`error_detail`) reaches it through the request
 * context, where the error events put it. Nothing of oidc-provider is replaced.
 */
export function useEntraErrors(provider: Provider, deps: { clock: Clock; tenants: TenantDirectory }): void {
  const remember = (_ctx: unknown, error: unknown) => {
    const context = currentTokenRequestContext();
    if (context !== undefined) context.providerError = error;
  };
  provider.on('grant.error', remember);
  provider.on('device_authorization.error', remember);
  provider.on('server_error', remember);

  provider.use(async (ctx, next) => {
    const context = currentTokenRequestContext();
    if (context === undefined || ctx.method !== 'POST' || !ENTRA_SHAPED.has(ctx.path)) {
      await next();
      return;
    }
    if (context.pathTenantId !== undefined && !(await deps.tenants.exists(context.pathTenantId))) {
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.body = entraBodyFor(
        context,
        {
          error: 'invalid_request',
          description: undefined,
          detail: undefined,
          grantType: undefined,
          tenantProblem: true,
        },
        deps.clock.now(),
      );
      return;
    }
    await next();
    const body: unknown = ctx.body;
    if (ctx.status < 400 || typeof body !== 'object' || body === null || !('error' in body)) return;
    if (typeof body.error !== 'string') return;
    const description =
      'error_description' in body && typeof body.error_description === 'string'
        ? body.error_description
        : undefined;
    ctx.body = entraBodyFor(
      context,
      {
        error: rfcError(body.error, description),
        description,
        detail: detailOf(context.providerError),
        grantType: repeatable(paramOf(ctx, 'grant_type')),
      },
      deps.clock.now(),
    );
  });
}
