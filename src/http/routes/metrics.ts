import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { BuildOptions } from '../build-options.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `/metrics` in the Prometheus text format (connectors' effective times, reconcile errors, drift;
 * docs/connectors.md). Never public by default: it answers only a request bearing the operator's
 * token (`ELEVATE_METRICS_TOKEN`), and 404 when none is configured. Not in OpenAPI (an operator
 * endpoint, not part of the API).
 */
export function metricsRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services } = opts;
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const m = services.metrics;
      if (m.token === undefined) return reply.status(404).send();
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(given), digest(m.token)))
        return reply.status(401).header('www-authenticate', 'Bearer realm="metrics"').send();
      const body = await m.render();
      return reply.header('content-type', m.contentType).send(body);
    });
  };
}
