import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chatChannelFields, webhookFields } from '../../app/notifications/fields.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';
import {
  chatChannelJson,
  createChatChannelBody,
  toChatChannelJson,
  updateChatChannelBody,
  createWebhookBody,
  emailChannelJson,
  emailPatchBody,
  rotateSecretBody,
  toEmailChannelJson,
  toWebhookJson,
  toWebhookWithSecretJson,
  updateWebhookBody,
  webhookJson,
  webhookWithSecretJson,
} from './notifications-json.js';

const tags = ['notifications'];

/**
 * Notification channels (Elevate extension, docs/notifications.md): the tenant's email channel
 * (`/elevate/notifications/email`, a singleton: GET, PATCH, DELETE) and its webhook endpoints
 * (`/elevate/notifications/webhooks`, with `rotateSecret`). Role administrators change them; their
 * readers read them. Secrets are write-only. Slack and Teams channels
 * (`/elevate/notifications/chatChannels`) are incoming webhooks whose URL is write-only too.
 */
export function notificationRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const emailContext = context(publicUrl, 'elevate/notifications/email/$entity');
  const webhookContext = context(publicUrl, 'elevate/notifications/webhooks/$entity');
  const chatContext = context(publicUrl, 'elevate/notifications/chatChannels/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/notifications/email',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the tenant's email (SMTP) channel. The password is never returned.",
          response: { 200: withContext(emailChannelJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => ({
        '@odata.context': emailContext,
        ...toEmailChannelJson(await services.notificationEmail.get(callerOf(request))),
      }),
    );

    app.patch(
      '/elevate/notifications/email',
      {
        schema: {
          tags,
          description:
            'Elevate extension: sets up or changes the email channel (host, port, security tls|starttls|none, username and password, from). Validated as a whole: host and fromAddress are required to set up the channel; username and password go together; credentials only with tls or starttls. Audited.',
          body: emailPatchBody,
          response: { 200: withContext(emailChannelJson), ...errors(400, 401, 403, 409) },
        },
      },
      async (request) => ({
        '@odata.context': emailContext,
        ...toEmailChannelJson(await services.notificationEmail.update(callerOf(request), request.body)),
      }),
    );

    app.delete(
      '/elevate/notifications/email',
      {
        schema: {
          tags,
          description:
            'Elevate extension: removes the email channel; deliveries still waiting end dead. Audited.',
          response: { 204: z.null(), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        await services.notificationEmail.remove(callerOf(request));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/elevate/notifications/webhooks',
      {
        schema: {
          tags,
          description: "Elevate extension: the tenant's webhook endpoints. Secrets are never returned.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(webhookJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: webhookFields });
        const page = await services.notificationWebhooks.list(callerOf(request), q);
        const ctx = context(publicUrl, 'elevate/notifications/webhooks');
        return collectionEnvelope(request, publicUrl, ctx, page, q, toWebhookJson);
      },
    );

    app.post(
      '/elevate/notifications/webhooks',
      {
        schema: {
          tags,
          description:
            'Elevate extension: adds a webhook endpoint (https URL; http only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP; optional event-type filter, optional `whsec_` secret). A secret Elevate generates is returned once, here.',
          body: createWebhookBody,
          response: { 201: withContext(webhookWithSecretJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const w = await services.notificationWebhooks.create(callerOf(request), {
          url: b.url,
          description: b.description ?? null,
          eventTypes: b.eventTypes ?? [],
          isEnabled: b.isEnabled ?? true,
          ...(b.secret === undefined ? {} : { secret: b.secret }),
        });
        return reply.status(201).send({ '@odata.context': webhookContext, ...toWebhookWithSecretJson(w) });
      },
    );

    app.get(
      '/elevate/notifications/webhooks/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(webhookJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': webhookContext,
        ...toWebhookJson(await services.notificationWebhooks.get(callerOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/elevate/notifications/webhooks/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: changes an endpoint (url, description, eventTypes, isEnabled); an http url only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP. Audited.',
          params: idParams,
          body: updateWebhookBody,
          response: { 200: withContext(webhookJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const w = await services.notificationWebhooks.update(callerOf(request), request.params.id, {
          ...(b.url === undefined ? {} : { url: b.url }),
          ...(b.description === undefined ? {} : { description: b.description }),
          ...(b.eventTypes === undefined ? {} : { eventTypes: b.eventTypes }),
          ...(b.isEnabled === undefined ? {} : { isEnabled: b.isEnabled }),
        });
        return { '@odata.context': webhookContext, ...toWebhookJson(w) };
      },
    );

    app.delete(
      '/elevate/notifications/webhooks/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.notificationWebhooks.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/elevate/notifications/webhooks/:id/rotateSecret',
      {
        schema: {
          tags,
          description:
            'Elevate extension: a new signing secret (given, or generated and returned once). The previous one keeps signing for `previousSecretValidMinutes` (default 1440; 0 revokes it now): meanwhile every call carries both signatures.',
          params: idParams,
          body: rotateSecretBody,
          response: { 200: withContext(webhookWithSecretJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const w = await services.notificationWebhooks.rotateSecret(callerOf(request), request.params.id, {
          ...(b.secret === undefined ? {} : { secret: b.secret }),
          ...(b.previousSecretValidMinutes === undefined
            ? {}
            : { previousSecretValidMinutes: b.previousSecretValidMinutes }),
        });
        return { '@odata.context': webhookContext, ...toWebhookWithSecretJson(w) };
      },
    );

    app.get(
      '/elevate/notifications/chatChannels',
      {
        schema: {
          tags,
          description:
            "Elevate extension: the tenant's Slack and Teams channels (incoming webhooks). The webhook URL is never returned, only its host.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(chatChannelJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: chatChannelFields });
        const page = await services.notificationChatChannels.list(callerOf(request), q);
        const ctx = context(publicUrl, 'elevate/notifications/chatChannels');
        return collectionEnvelope(request, publicUrl, ctx, page, q, toChatChannelJson);
      },
    );

    app.post(
      '/elevate/notifications/chatChannels',
      {
        schema: {
          tags,
          description:
            'Elevate extension: adds a Slack or Teams channel: `kind` slack|teams, a display name, the incoming-webhook `url` (https; http only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP; stored encrypted, never returned), an optional event-type filter. Approval requests carry Approve / Deny buttons opening signed, single-use approval links. Audited.',
          body: createChatChannelBody,
          response: { 201: withContext(chatChannelJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const c = await services.notificationChatChannels.create(callerOf(request), {
          kind: b.kind,
          displayName: b.displayName,
          url: b.url,
          eventTypes: b.eventTypes ?? [],
          isEnabled: b.isEnabled ?? true,
        });
        return reply.status(201).send({ '@odata.context': chatContext, ...toChatChannelJson(c) });
      },
    );

    app.get(
      '/elevate/notifications/chatChannels/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(chatChannelJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': chatContext,
        ...toChatChannelJson(
          await services.notificationChatChannels.get(callerOf(request), request.params.id),
        ),
      }),
    );

    app.patch(
      '/elevate/notifications/chatChannels/:id',
      {
        schema: {
          tags,
          description:
            'Elevate extension: changes a chat channel (displayName, url, eventTypes, isEnabled); the kind stays; an http url only where the operator allows it with ELEVATE_NOTIFICATIONS_ALLOW_HTTP. Audited (a new URL shows as changed, never its value).',
          params: idParams,
          body: updateChatChannelBody,
          response: { 200: withContext(chatChannelJson), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const c = await services.notificationChatChannels.update(callerOf(request), request.params.id, {
          ...(b.displayName === undefined ? {} : { displayName: b.displayName }),
          ...(b.url === undefined ? {} : { url: b.url }),
          ...(b.eventTypes === undefined ? {} : { eventTypes: b.eventTypes }),
          ...(b.isEnabled === undefined ? {} : { isEnabled: b.isEnabled }),
        });
        return { '@odata.context': chatContext, ...toChatChannelJson(c) };
      },
    );

    app.delete(
      '/elevate/notifications/chatChannels/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.notificationChatChannels.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
