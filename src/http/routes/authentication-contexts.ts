import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AUTHENTICATION_STRENGTHS,
  MAX_AGE_MINUTES_LIMIT,
  type AuthenticationContext,
} from '../../domain/authn/authentication-context.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { collectionOf, context, errors, nonEmpty, odataType, str, withContext } from '../graph/json.js';

/** Documented as Graph's ids; anything else (c100, c0) reaches the use case, which says why it is refused. */
const contextId = z.string().min(1).max(64).meta({ pattern: '^c(?:[1-9]|[1-9][0-9])$' });
const ENTITY_SET = 'identity/conditionalAccess/authenticationContextClassReferences';

/** Elevate's extension: what satisfies the context (docs/identity.md, ADR 0021). */
const requirementJson = z.object({
  authenticationStrength: z.enum(AUTHENTICATION_STRENGTHS),
  maxAgeMinutes: z.number().int().nullable(),
  externalAcrValues: z.array(z.string()),
});

/** Graph's `authenticationContextClassReference`, plus `elevateRequirement`. */
export const authenticationContextJson = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string().nullable(),
  isAvailable: z.boolean(),
  elevateRequirement: requirementJson,
});

const requirementBody = z
  .object({
    authenticationStrength: z.enum(AUTHENTICATION_STRENGTHS),
    maxAgeMinutes: z.number().int().min(1).max(MAX_AGE_MINUTES_LIMIT).nullable().optional(),
    externalAcrValues: z
      .array(
        z
          .string()
          .min(1)
          .max(256)
          .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
      )
      .max(20)
      .optional(),
  })
  .strict();

const contextBody = z
  .object({
    '@odata.type': odataType('authenticationContextClassReference'),
    id: contextId.optional(),
    displayName: nonEmpty(256).optional(),
    description: str(1024).nullable().optional(),
    isAvailable: z.boolean().optional(),
    elevateRequirement: requirementBody.optional(),
  })
  .strict();

const idParams = z.object({ id: contextId });
/** PUT replaces: the name and the requirement are always given. */
const replaceBody = contextBody.required({ displayName: true, elevateRequirement: true });

export const authenticationContextToJson = (
  c: AuthenticationContext,
): z.infer<typeof authenticationContextJson> => ({
  id: c.id,
  displayName: c.displayName,
  description: c.description,
  isAvailable: c.isAvailable,
  elevateRequirement: {
    authenticationStrength: c.requirement.authenticationStrength,
    maxAgeMinutes: c.requirement.maxAgeMinutes,
    externalAcrValues: [...c.requirement.externalAcrValues],
  },
});

/**
 * Authentication contexts (`/identity/conditionalAccess/authenticationContextClassReferences`):
 * list, get, create-or-update (PATCH as Graph, PUT to replace), delete. Each is bound to the
 * requirement Elevate enforces (`elevateRequirement`) when a role setting names it.
 */
export function authenticationContextRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot } = opts;
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['authentication contexts'];

    app.get(
      '/identity/conditionalAccess/authenticationContextClassReferences',
      {
        schema: {
          tags,
          response: { 200: collectionOf(authenticationContextJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const list = await services.authenticationContexts.list(callerOf(request));
        return {
          '@odata.context': context(serviceRoot, ENTITY_SET),
          value: list.map(authenticationContextToJson),
        };
      },
    );

    app.get(
      '/identity/conditionalAccess/authenticationContextClassReferences/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(authenticationContextJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const found = await services.authenticationContexts.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `${ENTITY_SET}/$entity`),
          ...authenticationContextToJson(found),
        };
      },
    );

    const save = (replace: boolean) =>
      ({
        schema: {
          tags,
          description:
            (replace
              ? 'Creates or replaces the context: what the body leaves out is reset. '
              : 'Creates the context if its id is unused, else changes what the body names. ') +
            'A new context needs `displayName` and `elevateRequirement`; an `id` in the body must be the id of the path. ' +
            '201 with the context when created, 204 when changed.',
          params: idParams,
          body: replace ? replaceBody : contextBody,
          response: {
            201: withContext(authenticationContextJson),
            204: z.null(),
            ...errors(400, 401, 403, 409),
          },
        },
      }) as const;

    /** PATCH and PUT: the body as the use case takes it; 201 with the context when created, else 204. */
    const saveFrom = async (
      request: FastifyRequest,
      id: string,
      body: z.infer<typeof contextBody>,
      replace: boolean,
    ) => {
      if (body.id !== undefined && body.id !== id) {
        throw new ValidationError('id in the body must be the id of the path.', 'id');
      }
      const req = body.elevateRequirement;
      return services.authenticationContexts.save(
        callerOf(request),
        id,
        {
          ...(body.displayName === undefined ? {} : { displayName: body.displayName }),
          ...(body.description === undefined ? {} : { description: body.description }),
          ...(body.isAvailable === undefined ? {} : { isAvailable: body.isAvailable }),
          ...(req === undefined
            ? {}
            : {
                requirement: {
                  authenticationStrength: req.authenticationStrength,
                  maxAgeMinutes: req.maxAgeMinutes ?? null,
                  externalAcrValues: [...new Set(req.externalAcrValues ?? [])],
                },
              }),
        },
        replace,
      );
    };
    const answer = (reply: FastifyReply, saved: { context: AuthenticationContext; created: boolean }) =>
      saved.created
        ? reply.status(201).send({
            '@odata.context': context(serviceRoot, `${ENTITY_SET}/$entity`),
            ...authenticationContextToJson(saved.context),
          })
        : reply.status(204).send(null);

    app.patch(
      '/identity/conditionalAccess/authenticationContextClassReferences/:id',
      save(false),
      async (request, reply) =>
        answer(reply, await saveFrom(request, request.params.id, request.body, false)),
    );
    app.put(
      '/identity/conditionalAccess/authenticationContextClassReferences/:id',
      save(true),
      async (request, reply) => answer(reply, await saveFrom(request, request.params.id, request.body, true)),
    );

    app.delete(
      '/identity/conditionalAccess/authenticationContextClassReferences/:id',
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) } } },
      async (request, reply) => {
        await services.authenticationContexts.remove(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
