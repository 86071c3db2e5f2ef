import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BadRequestError } from '../../domain/shared/errors.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  decisionJson,
  decisionToJson,
  DEFINITION_RELATIONS,
  definitionBody,
  definitionJson,
  definitionToJson,
  instanceJson,
  instanceToJson,
  toDefinitionInput,
} from '../graph/access-review-json.js';
import { entityKey, guid } from '../graph/ids.js';
import { collectionOf, context, errors, str, withContext } from '../graph/json.js';

const SET = 'identityGovernance/accessReviews/definitions';
const REVIEWER = "filterByCurrentUser(on='reviewer')";

const definitionParams = z.object({ id: guid });
const instanceParams = z.object({ id: guid, instanceId: entityKey });
const instanceOnly = z.object({ id: guid, instanceId: guid });
const decisionParams = z.object({ id: guid, instanceId: guid, decisionId: entityKey });

const listQuery = z
  .object({
    // Query values are strings: whole numbers by pattern, read as numbers by the handler.
    $top: z
      .string()
      .regex(/^(?:[1-9]\d?|100)$/, 'must be a whole number from 1 to 100')
      .optional(),
    $skip: z
      .string()
      .regex(/^\d{1,5}$/, 'must be a whole number from 0 to 99999')
      .optional(),
    $filter: str(300).optional().describe("`displayName eq '…'` or `status eq '…'`."),
  })
  .strict();

/** An id segment that is not `filterByCurrentUser(…)` must be a GUID: else 400, as for any bad key. */
function expectGuid(value: string, name: string): void {
  if (!guid.safeParse(value).success) {
    throw new BadRequestError('BadRequest', `Invalid ${name}: '${value.slice(0, 60)}' is not a valid GUID.`);
  }
}

const FILTER = /^(displayName|status) eq '((?:[^']|'')*)'$/;

const decisionBody = z
  .object({
    decision: z.enum(['Approve', 'Deny', 'DontKnow']),
    justification: str(1000).nullable().optional(),
  })
  .strict();
const batchBody = decisionBody.extend({ principalId: guid.optional(), resourceId: guid.optional() }).strict();

const none = { 204: z.null(), ...errors(400, 401, 403, 404, 409) };

/**
 * Access reviews of directory roles in Graph's v1.0 shapes: definitions (create, list with `$top`
 * and a `displayName`/`status` filter, get, replace, delete), their instances and decision items,
 * the reviewer's `filterByCurrentUser(on='reviewer')` views, and the instance actions.
 */
export function accessReviewRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot, publicUrl } = opts;
  const defs = services.accessReviewDefinitions;
  const instances = services.accessReviewInstances;
  const decisions = services.accessReviewDecisions;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['accessReviews'];

    app.post(
      '/identityGovernance/accessReviews/definitions',
      {
        schema: {
          tags,
          body: definitionBody,
          response: { 201: withContext(definitionJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const d = await defs.create(callerOf(request), toDefinitionInput(request.body));
        return reply
          .status(201)
          .send({ '@odata.context': context(serviceRoot, `${SET}/$entity`), ...definitionToJson(d) });
      },
    );

    app.get(
      '/identityGovernance/accessReviews/definitions',
      {
        schema: {
          tags,
          querystring: listQuery,
          response: { 200: collectionOf(definitionJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = request.query;
        let filter: ((d: ReturnType<typeof definitionToJson>) => boolean) | undefined;
        if (q.$filter !== undefined) {
          const m = FILTER.exec(q.$filter.trim());
          if (!m)
            throw new BadRequestError(
              'invalidFilter',
              "Supported filters: displayName eq '…', status eq '…'.",
            );
          const value = m[2]!.replace(/''/g, "'");
          filter = (d) => (m[1] === 'displayName' ? d.displayName === value : d.status === value);
        }
        const all = (await defs.list(callerOf(request))).map(definitionToJson).filter(filter ?? (() => true));
        const skip = q.$skip === undefined ? 0 : Number(q.$skip);
        const top = q.$top === undefined ? 100 : Number(q.$top);
        const value = all.slice(skip, skip + top);
        const more = skip + top < all.length;
        return {
          '@odata.context': context(serviceRoot, SET),
          ...(more ? { '@odata.nextLink': nextLink(request, publicUrl, skip + top) } : {}),
          value,
        };
      },
    );

    app.get(
      '/identityGovernance/accessReviews/definitions/:id',
      {
        schema: {
          tags,
          description: `Also \`definitions/${REVIEWER}\`: the definitions the caller reviews items in.`,
          params: z.object({ id: entityKey }),
          response: {
            200: z.union([withContext(definitionJson), collectionOf(definitionJson)]),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        if (request.params.id === REVIEWER) {
          const list = await decisions.definitionsForReviewer(caller);
          return { '@odata.context': context(serviceRoot, SET), value: list.map(definitionToJson) };
        }
        expectGuid(request.params.id, 'id');
        const d = await defs.get(caller, request.params.id);
        return { '@odata.context': context(serviceRoot, `${SET}/$entity`), ...definitionToJson(d) };
      },
    );

    app.put(
      '/identityGovernance/accessReviews/definitions/:id',
      {
        schema: {
          tags,
          description: DEFINITION_RELATIONS,
          params: definitionParams,
          body: definitionBody,
          response: none,
        },
      },
      async (request, reply) => {
        await defs.update(callerOf(request), request.params.id, toDefinitionInput(request.body));
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/identityGovernance/accessReviews/definitions/:id',
      {
        schema: {
          tags,
          params: definitionParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await defs.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    const instanceSet = (id: string) => context(serviceRoot, `${SET}('${id}')/instances`);

    app.get(
      '/identityGovernance/accessReviews/definitions/:id/instances',
      {
        schema: {
          tags,
          params: definitionParams,
          response: { 200: collectionOf(instanceJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const d = await defs.get(caller, request.params.id);
        const list = await instances.list(caller, d.id);
        return { '@odata.context': instanceSet(d.id), value: list.map((i) => instanceToJson(i, d)) };
      },
    );

    app.get(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId',
      {
        schema: {
          tags,
          description: `Also \`instances/${REVIEWER}\`: the instances the caller reviews items in.`,
          params: instanceParams,
          response: {
            200: z.union([withContext(instanceJson), collectionOf(instanceJson)]),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const { id, instanceId } = request.params;
        if (instanceId === REVIEWER) {
          const { definition, instances: list } = await decisions.instancesForReviewer(caller, id);
          return { '@odata.context': instanceSet(id), value: list.map((i) => instanceToJson(i, definition)) };
        }
        expectGuid(instanceId, 'instanceId');
        const d = await defs.get(caller, id);
        const i = await instances.get(caller, id, instanceId);
        return { '@odata.context': `${instanceSet(id)}/$entity`, ...instanceToJson(i, d) };
      },
    );

    const decisionSet = (id: string, instanceId: string) =>
      context(serviceRoot, `${SET}('${id}')/instances('${instanceId}')/decisions`);

    app.get(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/decisions',
      {
        schema: {
          tags,
          params: instanceOnly,
          response: { 200: collectionOf(decisionJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { id, instanceId } = request.params;
        const list = await instances.decisions(callerOf(request), id, instanceId);
        return {
          '@odata.context': decisionSet(id, instanceId),
          value: list.map((x) => decisionToJson(x, serviceRoot)),
        };
      },
    );

    app.get(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/decisions/:decisionId',
      {
        schema: {
          tags,
          description: `Also \`decisions/${REVIEWER}\`: the items the caller reviews.`,
          params: decisionParams,
          response: {
            200: z.union([withContext(decisionJson), collectionOf(decisionJson)]),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const { id, instanceId, decisionId } = request.params;
        if (decisionId === REVIEWER) {
          const list = await decisions.decisionsForReviewer(caller, id, instanceId);
          return {
            '@odata.context': decisionSet(id, instanceId),
            value: list.map((x) => decisionToJson(x, serviceRoot)),
          };
        }
        expectGuid(decisionId, 'decisionId');
        const x = await decisions.getDecision(caller, id, instanceId, decisionId);
        return {
          '@odata.context': `${decisionSet(id, instanceId)}/$entity`,
          ...decisionToJson(x, serviceRoot),
        };
      },
    );

    app.patch(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/decisions/:decisionId',
      {
        schema: {
          tags,
          params: z.object({ id: guid, instanceId: guid, decisionId: guid }),
          body: decisionBody,
          response: none,
        },
      },
      async (request, reply) => {
        const { id, instanceId, decisionId } = request.params;
        await decisions.record(callerOf(request), id, instanceId, decisionId, {
          decision: request.body.decision,
          justification: request.body.justification ?? null,
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/batchRecordDecisions',
      { schema: { tags, params: instanceOnly, body: batchBody, response: none } },
      async (request, reply) => {
        const { id, instanceId } = request.params;
        const b = request.body;
        await decisions.batch(callerOf(request), id, instanceId, {
          decision: b.decision,
          justification: b.justification ?? null,
          principalId: b.principalId ?? null,
          resourceId: b.resourceId ?? null,
        });
        return reply.status(204).send(null);
      },
    );

    const action =
      (run: (caller: ReturnType<typeof callerOf>, id: string, instanceId: string) => Promise<void>) =>
      async (request: FastifyRequest<{ Params: z.output<typeof instanceOnly> }>, reply: FastifyReply) => {
        await run(callerOf(request), request.params.id, request.params.instanceId);
        return reply.status(204).send(null);
      };
    const actionSchema = { schema: { tags, params: instanceOnly, response: none } };
    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/acceptRecommendations',
      actionSchema,
      action((c, d, i) => decisions.acceptRecommendations(c, d, i)),
    );
    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/stop',
      actionSchema,
      action((c, d, i) => instances.stop(c, d, i)),
    );
    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/applyDecisions',
      actionSchema,
      action((c, d, i) => instances.applyDecisions(c, d, i)),
    );
    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/resetDecisions',
      actionSchema,
      action((c, d, i) => instances.resetDecisions(c, d, i)),
    );
    app.post(
      '/identityGovernance/accessReviews/definitions/:id/instances/:instanceId/sendReminder',
      actionSchema,
      action((c, d, i) => instances.sendReminder(c, d, i)),
    );
  };
}

function nextLink(request: FastifyRequest, publicUrl: string, skip: number): string {
  const url = new URL(request.url, publicUrl);
  url.searchParams.set('$skip', String(skip));
  return `${publicUrl}${url.pathname}?${url.searchParams.toString()}`;
}
