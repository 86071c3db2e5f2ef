import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decisionHookFields } from '../../app/decision-hooks/fields.js';
import type { DecisionHookView } from '../../app/decision-hooks/hook-settings.js';
import {
  MAX_HOOK_NAME_LENGTH,
  MAX_HOOK_TIMEOUT_MS,
  MIN_HOOK_TIMEOUT_MS,
} from '../../domain/decision-hooks/hook.js';
import { WEBHOOK_SECRET_PATTERN, WEBHOOK_URL_PATTERN } from '../../domain/notifications/channel-config.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const tags = ['decisionHooks'];
const dt = (ms: number) => new Date(ms).toISOString();

export const decisionHookJson = z.object({
  id: z.string(),
  displayName: z.string(),
  url: z.string(),
  timeoutInMilliseconds: z.number().int(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
});

const toJson = (h: DecisionHookView): z.infer<typeof decisionHookJson> => ({
  id: h.id,
  displayName: h.displayName,
  url: h.url,
  timeoutInMilliseconds: h.timeoutMs,
  createdDateTime: dt(h.createdAt),
  lastModifiedDateTime: dt(h.modifiedAt),
});

const displayName = z.string().min(1).max(MAX_HOOK_NAME_LENGTH);
const url = z.string().max(2048).regex(WEBHOOK_URL_PATTERN, 'must be an absolute https:// URL');
const secret = z
  .string()
  .max(200)
  .regex(WEBHOOK_SECRET_PATTERN, "must be 'whsec_' followed by base64 of 24 to 64 random bytes");
const timeout = z.number().int().min(MIN_HOOK_TIMEOUT_MS).max(MAX_HOOK_TIMEOUT_MS);

const createBody = z
  .object({
    displayName,
    url,
    secret: secret.meta({ description: 'Write-only: never returned.' }),
    timeoutInMilliseconds: timeout.optional().meta({ description: 'Default 3000.' }),
  })
  .strict();

const updateBody = z
  .object({
    displayName: displayName.optional(),
    url: url.optional(),
    secret: secret.optional().meta({ description: 'Write-only: a new signing secret.' }),
    timeoutInMilliseconds: timeout.optional(),
  })
  .strict();

/**
 * Decision hooks (Elevate extension, ADR 0025, docs/pim.md "Decision hooks"): endpoints that
 * validate tickets and decide approval stages, named by id in role settings
 * (`@elevate.ticketValidationHookId`, `@elevate.decisionHookId`). Role administrators change them;
 * their readers read them. The signing secret is write-only.
 */
export function decisionHookRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const entity = context(publicUrl, 'elevate/decisionHooks/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/decisionHooks',
      {
        schema: {
          tags,
          description: "Elevate extension: the tenant's decision hooks. Secrets are never returned.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(decisionHookJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: decisionHookFields });
        const page = await services.decisionHooks.list(callerOf(request), q);
        const ctx = context(publicUrl, 'elevate/decisionHooks');
        return collectionEnvelope(request, publicUrl, ctx, page, q, toJson);
      },
    );

    app.post(
      '/elevate/decisionHooks',
      {
        schema: {
          tags,
          description:
            'Elevate extension: adds a decision hook (https URL; http only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP; a required `whsec_` signing secret, write-only; a timeout from 100 to 10000 ms, default 3000). Audited.',
          body: createBody,
          response: { 201: withContext(decisionHookJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const h = await services.decisionHooks.create(callerOf(request), {
          displayName: b.displayName,
          url: b.url,
          secret: b.secret,
          timeoutMs: b.timeoutInMilliseconds,
        });
        return reply.status(201).send({ '@odata.context': entity, ...toJson(h) });
      },
    );

    app.get(
      '/elevate/decisionHooks/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(decisionHookJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': entity,
        ...toJson(await services.decisionHooks.get(callerOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/elevate/decisionHooks/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: changes a decision hook (displayName, url, secret, timeoutInMilliseconds); an http url only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP. Audited; a new secret shows as changed, never its value.',
          params: idParams,
          body: updateBody,
          response: { 200: withContext(decisionHookJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const h = await services.decisionHooks.update(callerOf(request), request.params.id, {
          ...(b.displayName === undefined ? {} : { displayName: b.displayName }),
          ...(b.url === undefined ? {} : { url: b.url }),
          ...(b.secret === undefined ? {} : { secret: b.secret }),
          ...(b.timeoutInMilliseconds === undefined ? {} : { timeoutMs: b.timeoutInMilliseconds }),
        });
        return { '@odata.context': entity, ...toJson(h) };
      },
    );

    app.delete(
      '/elevate/decisionHooks/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: removes a decision hook. Role settings that still name it refuse tickets (fail closed) and leave stages to their approvers. Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.decisionHooks.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
