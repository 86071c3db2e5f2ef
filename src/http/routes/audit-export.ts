import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { MAX_DATETIME_TEXT_LENGTH, parseDateTime } from '../../domain/time/datetime.js';
import { errors } from '../graph/json.js';

/** A DateTimeOffset, parsed by the domain (real calendar days, a zone required) to epoch ms. */
const dateTime = z
  .string()
  .max(MAX_DATETIME_TEXT_LENGTH)
  .transform((v, ctx) => {
    try {
      return parseDateTime(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  })
  .meta({ format: 'date-time' });

const exportQuery = z
  .object({ from: dateTime, to: dateTime, format: z.enum(['jsonl', 'csv']).default('jsonl') })
  .strict()
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] });

/**
 * `GET /v1.0/auditLogs/export?from=&to=&format=jsonl|csv` (Elevate extension): the caller's tenant's
 * audit entries with `from <= activityDateTime < to`, in seq order, streamed.
 */
export function auditExportRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services } = opts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    app.get(
      '/auditLogs/export',
      {
        schema: {
          tags: ['audit'],
          description:
            'Elevate extension: audit entries of a time range [from, to) as JSON lines or CSV (RFC 4180), in seq order. ' +
            'Also refused (400 `invalidRequest`): a range whose `to` must be after `from` but is not.',
          querystring: exportQuery,
          response: {
            200: {
              description: 'The entries: one JSON object a line (`format=jsonl`), or CSV (`format=csv`).',
              content: { 'application/x-ndjson': { schema: z.string() }, 'text/csv': { schema: z.string() } },
            },
            ...errors(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const { from, to, format } = request.query;
        const lines = await services.auditExport.forCaller(callerOf(request), {
          fromMs: from,
          toMs: to,
          format,
        });
        const name = `audit-${new Date(from).toISOString().slice(0, 10)}-${new Date(to).toISOString().slice(0, 10)}`;
        // The body is a stream (Fastify does not serialize streams); the 200 schema documents its text.
        return (reply as FastifyReply)
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.${format}"`)
          .send(Readable.from(lines));
      },
    );
  };
}
