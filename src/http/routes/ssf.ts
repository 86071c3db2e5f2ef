import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StreamView } from '../../app/ssf/streams.js';
import {
  MAX_AUDIENCE_LENGTH,
  MAX_AUTHORIZATION_HEADER_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_ENDPOINT_URL_LENGTH,
  MAX_REASON_LENGTH,
  MAX_STATE_LENGTH,
  MIN_VERIFICATION_INTERVAL_S,
  ONE_LINE_PATTERN,
  PUSH_DELIVERY,
  STREAM_STATUSES,
  SUPPORTED_EVENTS,
} from '../../domain/ssf/stream.js';
import { WEBHOOK_URL_PATTERN } from '../../domain/notifications/channel-config.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { errors } from '../graph/json.js';
import { guid } from '../graph/ids.js';

const tags = ['sharedSignals'];
const JWKS_PATH = '/discovery/v2.0/keys';
/** At most this many event types in `events_requested` (there are two; repeats are folded). */
const MAX_EVENTS = 16;

const streamJson = z.object({
  stream_id: z.string(),
  iss: z.string(),
  aud: z.string(),
  events_supported: z.array(z.string()),
  events_requested: z.array(z.string()),
  events_delivered: z.array(z.string()),
  delivery: z.object({ method: z.string(), endpoint_url: z.string() }),
  description: z.string().optional(),
  min_verification_interval: z.number().int(),
});

const statusJson = z.object({
  stream_id: z.string(),
  status: z.enum(STREAM_STATUSES),
  reason: z.string().optional(),
});

const configurationJson = z.object({
  spec_version: z.string(),
  issuer: z.string(),
  jwks_uri: z.string(),
  delivery_methods_supported: z.array(z.string()),
  configuration_endpoint: z.string(),
  status_endpoint: z.string(),
  verification_endpoint: z.string(),
  authorization_schemes: z.array(z.object({ spec_urn: z.string() })),
  default_subjects: z.string(),
});

const eventsRequested = z.array(z.enum(SUPPORTED_EVENTS)).max(MAX_EVENTS).meta({
  description: 'Event types to receive (CAEP session-revoked, token-claims-change); repeats are folded.',
});
const endpointUrl = z
  .string()
  .min(1)
  .max(MAX_ENDPOINT_URL_LENGTH)
  .regex(WEBHOOK_URL_PATTERN, 'must be an absolute https:// URL')
  .meta({ description: 'Where SETs are pushed (RFC 8935): an absolute https:// URL.' });
const authorizationHeader = z
  .string()
  .max(MAX_AUTHORIZATION_HEADER_LENGTH)
  .regex(ONE_LINE_PATTERN, 'must be one line')
  .meta({ description: 'Write-only: the Authorization header value sent with each push. Never returned.' });
const oneLine = (max: number) => z.string().max(max).regex(ONE_LINE_PATTERN, 'must be one line');
const audience = oneLine(MAX_AUDIENCE_LENGTH).min(1);
const description = oneLine(MAX_DESCRIPTION_LENGTH);

const createBody = z
  .object({
    delivery: z
      .object({
        method: z.literal(PUSH_DELIVERY),
        endpoint_url: endpointUrl,
        authorization_header: authorizationHeader.optional(),
      })
      .strict(),
    events_requested: eventsRequested.optional(),
    aud: audience.optional().meta({ description: "The SETs' aud; default: the endpoint URL." }),
    description: description.optional(),
  })
  .strict();

const updateBody = z
  .object({
    stream_id: guid,
    delivery: z
      .object({
        method: z.literal(PUSH_DELIVERY),
        endpoint_url: endpointUrl.optional(),
        authorization_header: authorizationHeader.nullable().optional(),
      })
      .strict()
      .optional(),
    events_requested: eventsRequested.optional(),
    aud: audience.optional(),
    description: description.nullable().optional(),
  })
  .strict();

const streamQuery = z.object({ stream_id: guid });
const listQuery = z.object({ stream_id: guid.optional() });
const statusBody = z
  .object({
    stream_id: guid,
    status: z.enum(STREAM_STATUSES),
    reason: oneLine(MAX_REASON_LENGTH).optional(),
  })
  .strict();
const verifyBody = z.object({ stream_id: guid, state: oneLine(MAX_STATE_LENGTH).optional() }).strict();

/**
 * The Shared Signals transmitter (OpenID SSF 1.0 with CAEP 1.0; ADR 0040, docs/ssf.md):
 * `/.well-known/ssf-configuration` (public), stream management at `/ssf/streams`, status at
 * `/ssf/status`, verification at `/ssf/verify`, behind an Elevate bearer token of a role
 * administrator or an application with `RoleManagement.ReadWrite.Directory`. Errors use the Graph
 * envelope like the rest of Elevate's API.
 */
export function ssfRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const base = publicUrl.replace(/\/+$/, '');
  const toJson = (s: StreamView): z.infer<typeof streamJson> => ({
    stream_id: s.id,
    iss: services.ssfStreams.issuer,
    aud: s.audience,
    events_supported: [...SUPPORTED_EVENTS],
    events_requested: s.eventsRequested,
    events_delivered: s.eventsDelivered,
    delivery: { method: PUSH_DELIVERY, endpoint_url: s.endpointUrl },
    ...(s.description === null ? {} : { description: s.description }),
    min_verification_interval: MIN_VERIFICATION_INTERVAL_S,
  });
  const statusOf = (s: StreamView): z.infer<typeof statusJson> => ({
    stream_id: s.id,
    status: s.status,
    ...(s.statusReason === null ? {} : { reason: s.statusReason }),
  });

  return async (root) => {
    root.withTypeProvider<ZodTypeProvider>().get(
      '/.well-known/ssf-configuration',
      {
        schema: {
          tags,
          description: 'Shared Signals transmitter configuration metadata (SSF 1.0 §7.1). Public.',
          response: { 200: configurationJson },
        },
      },
      () => ({
        spec_version: '1_0',
        issuer: services.ssfStreams.issuer,
        jwks_uri: `${base}${JWKS_PATH}`,
        delivery_methods_supported: [PUSH_DELIVERY],
        configuration_endpoint: `${base}/ssf/streams`,
        status_endpoint: `${base}/ssf/status`,
        verification_endpoint: `${base}/ssf/verify`,
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
        default_subjects: 'ALL',
      }),
    );

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.addHook('onRequest', authenticateHook(services));

      app.post(
        '/ssf/streams',
        {
          schema: {
            tags,
            description:
              'Creates a stream (SSF 1.0 §8.1.1.1): push delivery (urn:ietf:rfc:8935) to an https endpoint (http only where the operator set ELEVATE_SSF_ALLOW_HTTP), CAEP session-revoked and token-claims-change events. 400 when the tenant has 20 streams.',
            body: createBody,
            response: { 201: streamJson, ...errors(400, 401, 403) },
          },
        },
        async (request, reply) => {
          const b = request.body;
          const view = await services.ssfStreams.create(callerOf(request), {
            audience: b.aud,
            endpointUrl: b.delivery.endpoint_url,
            authorizationHeader: b.delivery.authorization_header,
            eventsRequested: b.events_requested,
            description: b.description,
          });
          return reply.code(201).send(toJson(view));
        },
      );

      app.get(
        '/ssf/streams',
        {
          schema: {
            tags,
            description:
              "With stream_id, that stream; without, every stream of the caller's tenant (SSF 1.0 §8.1.1.2). The authorization header is never returned.",
            querystring: listQuery,
            response: { 200: z.union([streamJson, z.array(streamJson)]), ...errors(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const caller = callerOf(request);
          const id = request.query.stream_id;
          if (id !== undefined) return toJson(await services.ssfStreams.get(caller, id));
          return (await services.ssfStreams.list(caller)).map(toJson);
        },
      );

      app.patch(
        '/ssf/streams',
        {
          schema: {
            tags,
            description:
              'Changes what is given (SSF 1.0 §8.1.1.3); authorization_header null removes it. The endpoint must be https (http only where the operator set ELEVATE_SSF_ALLOW_HTTP).',
            body: updateBody,
            response: { 200: streamJson, ...errors(400, 401, 403, 404, 409) },
          },
        },
        async (request) => {
          const b = request.body;
          const view = await services.ssfStreams.update(callerOf(request), b.stream_id, {
            ...(b.aud === undefined ? {} : { audience: b.aud }),
            ...(b.delivery?.endpoint_url === undefined ? {} : { endpointUrl: b.delivery.endpoint_url }),
            ...(b.delivery?.authorization_header === undefined
              ? {}
              : { authorizationHeader: b.delivery.authorization_header }),
            ...(b.events_requested === undefined ? {} : { eventsRequested: b.events_requested }),
            ...(b.description === undefined ? {} : { description: b.description }),
          });
          return toJson(view);
        },
      );

      app.delete(
        '/ssf/streams',
        {
          schema: {
            tags,
            description: 'Deletes the stream and the SETs still waiting for it (SSF 1.0 §8.1.1.5).',
            querystring: streamQuery,
            response: { 204: z.null().meta({ description: 'Deleted.' }), ...errors(400, 401, 403, 404) },
          },
        },
        async (request, reply) => {
          await services.ssfStreams.delete(callerOf(request), request.query.stream_id);
          return reply.code(204).send(null);
        },
      );

      app.get(
        '/ssf/status',
        {
          schema: {
            tags,
            description: "The stream's status (SSF 1.0 §8.1.2.1).",
            querystring: streamQuery,
            response: { 200: statusJson, ...errors(400, 401, 403, 404) },
          },
        },
        async (request) =>
          statusOf(await services.ssfStreams.status(callerOf(request), request.query.stream_id)),
      );

      app.post(
        '/ssf/status',
        {
          schema: {
            tags,
            description:
              'Enables, pauses or disables the stream (SSF 1.0 §8.1.2.2). Paused: SETs are kept until it is enabled; disabled: none are kept meanwhile.',
            body: statusBody,
            response: { 200: statusJson, ...errors(400, 401, 403, 404, 409) },
          },
        },
        async (request) => {
          const b = request.body;
          return statusOf(
            await services.ssfStreams.setStatus(callerOf(request), b.stream_id, b.status, b.reason),
          );
        },
      );

      app.post(
        '/ssf/verify',
        {
          schema: {
            tags,
            description: `Asks for a verification event (SSF 1.0 §8.1.4), pushed like any SET with the given state. 429 within ${MIN_VERIFICATION_INTERVAL_S} s of the previous request for the stream; 400 when the stream is disabled.`,
            body: verifyBody,
            response: { 204: z.null().meta({ description: 'Queued.' }), ...errors(400, 401, 403, 404) },
          },
        },
        async (request, reply) => {
          await services.ssfStreams.verify(callerOf(request), request.body.stream_id, request.body.state);
          return reply.code(204).send(null);
        },
      );
    });
  };
}
