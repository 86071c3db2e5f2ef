import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { BuildOptions, RouteMount } from './build-options.js';
import { makeClientErrorHandler } from './client-errors.js';
import { clientRequestId, makeErrorHandler } from './errors.js';
import { countSegments } from './graph/count.js';
import { rejectNulCharacters } from './graph/nul-guard.js';
import { apiRateLimitHook, DEFAULT_API_RATE_LIMITS } from './rate-limit.js';
import { openApiOptions } from './openapi.js';
import { registerPortal } from './portal.js';
import { RouteTable, unknownRouteHandler } from './route-table.js';
import { opsRoutes } from './routes/ops.js';

export type App = FastifyInstance;
export type { BuildOptions } from './build-options.js';

/** Default for {@link BuildOptions.requestTimeoutMs}. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Where a route plugin is mounted: a `/v1.0` plugin also under `/beta`, as Graph serves every v1.0
 * path there too. The `/beta` copy is left out of the OpenAPI document (its description says so).
 */
function mounts({ prefix }: RouteMount): { prefix: string | undefined; documented: boolean }[] {
  return prefix === '/v1.0'
    ? [
        { prefix: '/v1.0', documented: true },
        { prefix: '/beta', documented: false },
      ]
    : [{ prefix, documented: true }];
}

/** Registers `plugin` in a scope whose routes are hidden from the OpenAPI document. */
const undocumented =
  (plugin: FastifyPluginAsync): FastifyPluginAsync =>
  async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await scope.register(plugin);
  };

/** Builds the HTTP application without listening (tests use `app.inject()`). */
export async function buildApp(opts: BuildOptions): Promise<App> {
  const handleError = makeErrorHandler(opts.clock, `${opts.publicUrl}/oauth2/v2.0/authorize`);
  const requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const routeTable = new RouteTable();
  // Set on the raw response, so that routes which hijack the reply (the authorization server
  // hands it to oidc-provider) carry them too; headers a route sets itself still take precedence.
  // The fixed ones are built once: this runs on every request, AuthZEN's included (issue 16).
  const fixedHeaders = Object.entries({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...(opts.publicUrl.startsWith('https://')
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
  });
  const setHeaders = (request: FastifyRequest, reply: FastifyReply) => {
    const raw = reply.raw;
    raw.setHeader('request-id', request.id);
    const crid = clientRequestId(request);
    if (crid) raw.setHeader('client-request-id', crid);
    for (const [name, value] of fixedHeaders) raw.setHeader(name, value);
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
    // A whole request (headers and body) must arrive in time (slow clients hold connections);
    // Node checks at this interval, so it is a fraction of the timeout.
    requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeoutMs / 4))) },
    // 431 (headers too large), 408 (too slow) and other parser errors come before any request
    // exists: answered with the Graph envelope too.
    clientErrorHandler: makeClientErrorHandler(opts.clock),
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
  // Every route is recorded (405 vs unknown path), and every collection gets its `/$count`.
  app.addHook('onRoute', routeTable.record);
  app.addHook('onRoute', countSegments);
  app.setNotFoundHandler(unknownRouteHandler(routeTable, opts.clock));

  // Callback hooks where nothing is awaited: an async hook costs a promise and a microtask per request.
  app.addHook('onRequest', (request, reply, done) => {
    setHeaders(request, reply);
    done();
  });
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('preParsing', apiRateLimitHook(opts.rateLimits ?? DEFAULT_API_RATE_LIMITS, opts.clock));

  await app.register(swagger, openApiOptions(opts.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  if (opts.registerAuthorizationServer) await opts.registerAuthorizationServer(base);
  await app.register(opsRoutes(opts.services));
  for (const mount of opts.routes) {
    for (const { prefix, documented } of mounts(mount)) {
      const plugin = mount.plugin({ ...opts, serviceRoot: `${opts.publicUrl}${prefix ?? ''}` });
      await app.register(documented ? plugin : undocumented(plugin), prefix === undefined ? {} : { prefix });
    }
  }
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  if (opts.portalDir !== undefined) registerPortal(base, opts.portalDir);
  return base;
}
