import type { FastifyRequest } from 'fastify';
import type { Caller } from '../app/authorization/caller.js';
import { UnauthenticatedError } from '../domain/shared/errors.js';
import type { Services } from './services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticateHook`; routes read it through `callerOf(request)`. */
    caller?: Caller;
  }
}

/** The authenticated caller; routes call it after the `authenticateHook` ran. @throws UnauthenticatedError */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new UnauthenticatedError();
  return request.caller;
}

/**
 * The `x-elevate-origin` header when it is a short token (`mcp`): what the client says it is, a claim
 * the audit records as `ClientOrigin` (ADR 0036). Anything else is not recorded.
 */
export function clientOriginOf(header: string | string[] | undefined): string | null {
  return typeof header === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(header) ? header : null;
}

/** `onRequest` hook for protected route plugins: verifies the bearer token, sets `request.caller`. */
export function authenticateHook(services: Services) {
  return async (request: FastifyRequest): Promise<void> => {
    const ua = request.headers['user-agent'];
    request.caller = await services.authenticate(request.headers.authorization, {
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
      requestId: request.id,
      clientOrigin: clientOriginOf(request.headers['x-elevate-origin']),
    });
  };
}
