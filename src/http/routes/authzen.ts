import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessQuestion } from '../../app/authzen/evaluate.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { errors, str } from '../graph/json.js';

const subject = z.object({
  type: str(64),
  id: str(256),
  properties: z.record(str(64), z.unknown()).optional(),
});
const action = z.object({ name: str(256), properties: z.record(str(64), z.unknown()).optional() });
const resource = z.object({
  type: str(64),
  id: str(1024),
  properties: z
    .object({ directoryScopeId: str(200).optional() })
    .catchall(z.unknown())
    .optional(),
});
const context = z.record(str(64), z.unknown()).optional();

const single = z.object({ subject, action, resource, context });
const batch = z.object({
  subject: subject.optional(),
  action: action.optional(),
  resource: resource.optional(),
  context,
  evaluations: z
    .array(
      z
        .object({
          subject: subject.optional(),
          action: action.optional(),
          resource: resource.optional(),
          context,
        })
        // Each needs all three, given here or once at the top level as defaults (AuthZEN 1.0).
        // No schema states "here or there", so none of the three is required here and the
        // handler answers 400 when one is missing in both places.
        .meta({
          description:
            'Each evaluation needs subject, action and resource, given on it or once at the top level as defaults.',
        }),
    )
    .min(1)
    .max(100),
  options: z
    .object({
      evaluations_semantic: z
        .enum(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'])
        .optional(),
    })
    .optional(),
});

const decision = z.object({
  decision: z.boolean(),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});

/**
 * The enforcement path's answers are built here from typed decisions, so they are written with
 * `JSON.stringify` alone; the response schemas above still document them. Re-checking each answer
 * against its zod schema cost a share of a request that a bare route does not pay (issue 16).
 */
const plainJson = () => (data: unknown) => JSON.stringify(data);

/**
 * OpenID AuthZEN Access Evaluation API 1.0: `POST /access/v1/evaluation` and `/evaluations`.
 * Subject = principal; resource = role (+ `directoryScopeId`) with action `hold`, or a resource
 * scope path (`type` `resource`) with an RBAC action, or the directory with a directory permission
 * (docs/enforcement.md).
 */
export function authzenRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  return async (root) => {
    root.get('/.well-known/authzen-configuration', { schema: { hide: true } }, () => ({
      policy_decision_point: publicUrl,
      access_evaluation_endpoint: `${publicUrl}/access/v1/evaluation`,
      access_evaluations_endpoint: `${publicUrl}/access/v1/evaluations`,
    }));
    await root.register(async (base) => {
      const app = base.withTypeProvider<ZodTypeProvider>();
      app.addHook('onRequest', authenticateHook(services));
      const tags = ['enforcement'];
      app.post(
        '/access/v1/evaluation',
        {
          schema: { tags, body: single, response: { 200: decision, ...errors(400, 401, 403) } },
          serializerCompiler: plainJson,
        },
        async (request) => {
          const [answer] = await services.accessEvaluation.evaluate(callerOf(request), [request.body]);
          return answer ?? { decision: false, context: { reason: 'no_answer' } };
        },
      );
      app.post(
        '/access/v1/evaluations',
        {
          schema: {
            tags,
            description:
              'Several questions in one request. Each evaluation needs a subject, action and resource, given on it or once at the top level as defaults (400 when one is missing in both places).',
            body: batch,
            response: { 200: z.object({ evaluations: z.array(decision) }), ...errors(400, 401, 403) },
          },
          serializerCompiler: plainJson,
        },
        async (request) => {
          const b = request.body;
          const questions: AccessQuestion[] = [];
          for (const e of b.evaluations) {
            const q = {
              subject: e.subject ?? b.subject,
              action: e.action ?? b.action,
              resource: e.resource ?? b.resource,
            };
            if (!q.subject || !q.action || !q.resource) {
              throw new ValidationError(
                'Each evaluation needs a subject, action and resource, given on it or as a top-level default.',
                'evaluations',
              );
            }
            questions.push(q as AccessQuestion);
          }
          const answers = await services.accessEvaluation.evaluate(callerOf(request), questions);
          const semantic = b.options?.evaluations_semantic ?? 'execute_all';
          if (semantic === 'execute_all') return { evaluations: answers };
          const stopOn = semantic === 'deny_on_first_deny' ? false : true;
          const cut = answers.findIndex((a) => a.decision === stopOn);
          return { evaluations: cut === -1 ? answers : answers.slice(0, cut + 1) };
        },
      );
    });
  };
}
