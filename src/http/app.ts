import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { BuildOptions } from './build-options.js';
import { clientRequestId, graphError, makeErrorHandler } from './errors.js';
import { rejectNulCharacters } from './graph/nul-guard.js';
import { apiRateLimitHook, DEFAULT_API_RATE_LIMITS } from './rate-limit.js';
import { opsRoutes } from './routes/ops.js';

export type App = FastifyInstance;
export type { BuildOptions } from './build-options.js';

/** Builds the HTTP application without listening (tests use `app.inject()`). */
export async function buildApp(opts: BuildOptions): Promise<App> {
  const handleError = makeErrorHandler(opts.clock);
  // Set on the raw response, so that routes which hijack the reply (the authorization server
  // hands it to oidc-provider) carry them too; headers a route sets itself still take precedence.
  const setHeaders = (request: FastifyRequest, reply: FastifyReply) => {
    const crid = clientRequestId(request);
    const headers: Record<string, string> = {
      'request-id': request.id,
      ...(crid ? { 'client-request-id': crid } : {}),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...(opts.publicUrl.startsWith('https://')
        ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
        : {}),
    };
    for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
  };
  // Typed as the default instance: pino's Logger type is wider than Fastify's base logger type.
  const base = Fastify({
    ...(opts.logger === false ? { logger: false } : { loggerInstance: opts.logger }),
    genReqId: () => randomUUID(),
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    return503OnClosing: true,
    // X-Forwarded-For counts only from these peers; `request.ip` is right everywhere after this.
    trustProxy: opts.trustedProxies?.length ? [...opts.trustedProxies] : false,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Errors the router raises before any hook runs (bad percent-encoding, over-long path
    // parameter) get the same headers and Graph envelope as every other response.
    frameworkErrors: (err, request, reply) => {
      setHeaders(request, reply);
      void handleError(err, request, reply);
    },
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
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

  app.addHook('onRequest', async (request, reply) => setHeaders(request, reply));
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('preParsing', apiRateLimitHook(opts.rateLimits ?? DEFAULT_API_RATE_LIMITS, opts.clock));

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
  for (const { plugin, prefix } of opts.routes) {
    await app.register(plugin(opts), prefix === undefined ? {} : { prefix });
  }
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return base;
}
