import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../services.js';

/** Liveness and readiness for orchestrators; no authentication, no detail beyond a reason. */
export function opsRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const r = await services.ready();
      return reply
        .status(r.ready ? 200 : 503)
        .send(r.ready ? { status: 'ready' } : { status: 'not ready', reason: r.reason });
    });
  };
}
