import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderComplianceHtml } from '../../app/compliance/report-html.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { auditPublicationJson } from '../graph/audit-json.js';
import { errors } from '../graph/json.js';

const controls = z.object({
  soc2: z.array(z.string()),
  iso27001: z.array(z.string()),
  nist80053: z.array(z.string()),
  nistCsf: z.array(z.string()),
});

/** The report as JSON (`format: elevate.compliance.v1`). */
export const complianceReportJson = z.object({
  format: z.literal('elevate.compliance.v1'),
  tenantId: z.string(),
  generatedAt: z.string(),
  auditChain: z.union([
    z.object({
      verified: z.literal(true),
      entries: z.number(),
      headHash: z.string(),
      checkpoints: z.number(),
    }),
    z.object({
      verified: z.literal(false),
      firstBadSeq: z.number(),
      reason: z.string(),
      message: z.string(),
    }),
  ]),
  auditPublication: auditPublicationJson.nullable(),
  summary: z.object({ passed: z.number(), failed: z.number(), total: z.number() }),
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: z.enum(['pass', 'fail']),
      summary: z.string(),
      evidence: z.record(z.string(), z.unknown()),
      controls,
    }),
  ),
  truncated: z.boolean(),
});

/**
 * `GET /v1.0/elevate/complianceReport[?format=html]` (Elevate extension): the PIM validation
 * checklist evaluated over the caller's tenant, with the verified audit chain head.
 */
export function complianceRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services } = opts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    app.get(
      '/elevate/complianceReport',
      {
        schema: {
          tags: ['audit'],
          description:
            'Elevate extension: the PIM deployment validation checklist, item by item, with evidence and control mappings (SOC 2, ISO 27001, NIST 800-53 / CSF). `format=html` returns a self-contained page.',
          querystring: z.object({ format: z.enum(['json', 'html']).default('json') }).strict(),
          response: {
            200: {
              description: 'The report: JSON by default, a self-contained HTML page with `format=html`.',
              content: {
                'application/json': { schema: complianceReportJson },
                'text/html': { schema: z.string() },
              },
            },
            ...errors(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const report = await services.compliance.report(callerOf(request));
        if (request.query.format === 'html')
          return reply
            .type('text/html; charset=utf-8')
            .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
            .send(renderComplianceHtml(report));
        return report;
      },
    );
  };
}
