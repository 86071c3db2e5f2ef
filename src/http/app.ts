import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Caller } from '../app/auth/caller.js';
import type { Clock } from '../domain/time/clock.js';
import { UnauthenticatedError } from '../domain/shared/errors.js';
import { clientRequestId, graphError, makeErrorHandler } from './errors.js';
import type { Services } from './services.js';
import { directoryRoutes } from './routes/directory.js';
import { opsRoutes } from './routes/ops.js';
import { roleRoutes } from './routes/roles.js';

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; routes read it through `callerOf(request)`. */
    caller?: Caller;
  }
}

export interface BuildOptions {
  clock: Clock;
  logger: Logger | false;
  publicUrl: string;
  services: Services;
  /** Mounts the embedded authorization server (token endpoint, discovery, JWKS). */
  registerAuthorizationServer?: (app: FastifyInstance) => Promise<void>;
  bodyLimitBytes?: number;
}

/** Builds the HTTP application without listening (tests use `app.inject()`). */
export async function buildApp(opts: BuildOptions): Promise<App> {
  // Typed as the default instance: pino's Logger type is wider than Fastify's base logger type.
  const base = Fastify({
    ...(opts.logger === false ? { logger: false } : { loggerInstance: opts.logger }),
    genReqId: () => randomUUID(),
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(makeErrorHandler(opts.clock));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        graphError(
          request,
          opts.clock.now(),
          'NotFound',
          `No resource matches ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}.`,
        ),
      ),
  );

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('request-id', request.id);
    const crid = clientRequestId(request);
    if (crid) void reply.header('client-request-id', crid);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cache-control', 'no-store');
    if (opts.publicUrl.startsWith('https://')) {
      void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Elevate',
        version: '0.1.0',
        description: 'Privileged Identity Management with a Microsoft Graph-compatible API.',
      },
      servers: [{ url: opts.publicUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  if (opts.registerAuthorizationServer) await opts.registerAuthorizationServer(base);
  await app.register(opsRoutes(opts.services));
  await app.register(directoryRoutes(opts), { prefix: '/v1.0' });
  await app.register(roleRoutes(opts), { prefix: '/v1.0' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return base;
}

/** The authenticated caller; routes call it after the `authenticate` hook ran. */
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
