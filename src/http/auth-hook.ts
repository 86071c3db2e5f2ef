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

/** `onRequest` hook for protected route plugins: verifies the bearer token, sets `request.caller`. */
export function authenticateHook(services: Services) {
  return async (request: FastifyRequest): Promise<void> => {
    const ua = request.headers['user-agent'];
    request.caller = await services.authenticate(request.headers.authorization, {
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
      requestId: request.id,
    });
  };
}
