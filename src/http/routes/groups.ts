import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { groupFields, memberFields } from '../../odata/collections.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  directoryObjectJson,
  groupJson,
  toDirectoryObjectJson,
  toGroupJson,
} from '../graph/directory-json.js';
import { directoryObjectReference, guid, idParams, userKey } from '../graph/ids.js';
import {
  collectionOf,
  context,
  errors,
  nonEmpty,
  odataType,
  selectable,
  str,
  withContext,
  withoutAnnotation,
} from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const groupProperties = z
  .object({
    '@odata.type': odataType('group'),
    displayName: nonEmpty(256),
    description: str(1024).nullable().optional(),
    mailNickname: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash and underscore only'),
    mailEnabled: z.boolean(),
    securityEnabled: z.boolean(),
    isAssignableToRole: z.boolean().optional(),
    groupTypes: z.array(str(32)).max(5).optional(),
  })
  .strict();

const createGroupBody = groupProperties.transform(withoutAnnotation);
const updateGroupBody = groupProperties
  .pick({ '@odata.type': true, displayName: true, description: true, mailNickname: true })
  .partial()
  .strict()
  .transform(withoutAnnotation);

/** `POST …/members/$ref`: the member's `@odata.id`, parsed to its id (a malformed one is 400). */
const refBody = z.object({ '@odata.id': directoryObjectReference }).strict();

const groupEntity = withContext(groupJson);

/** `/groups` (list, create, get, update, delete) and their `members` (list, add and remove `$ref`). */
export function groupRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entityContext = context(serviceRoot, 'groups/$entity');
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['directory'];

    app.get(
      '/groups',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(groupJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: groupFields });
        const page = await services.groups.list(callerOf(request), q);
        return collectionEnvelope(request, publicUrl, context(serviceRoot, 'groups'), page, q, toGroupJson);
      },
    );

    app.post(
      '/groups',
      {
        schema: { tags, body: createGroupBody, response: { 201: groupEntity, ...errors(400, 401, 403) } },
      },
      async (request, reply) => {
        const b = request.body;
        const g = await services.groups.create(callerOf(request), {
          displayName: b.displayName,
          description: b.description ?? null,
          mailNickname: b.mailNickname,
          mailEnabled: b.mailEnabled,
          securityEnabled: b.securityEnabled,
          isAssignableToRole: b.isAssignableToRole ?? false,
        });
        return reply.status(201).send({ '@odata.context': entityContext, ...toGroupJson(g) });
      },
    );

    app.get(
      '/groups/:id',
      { schema: { tags, params: idParams, response: { 200: groupEntity, ...errors(400, 401, 403, 404) } } },
      async (request) => {
        const g = await services.groups.get(callerOf(request), request.params.id);
        return { '@odata.context': entityContext, ...toGroupJson(g) };
      },
    );

    app.patch(
      '/groups/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: updateGroupBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.groups.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.mailNickname !== undefined ? { mailNickname: b.mailNickname } : {}),
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/groups/:id',
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404) } } },
      async (request, reply) => {
        await services.groups.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/groups/:id/members',
      {
        schema: {
          tags,
          params: idParams,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(directoryObjectJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: memberFields, defaultTop: 100 });
        const page = await services.groups.members(callerOf(request), request.params.id, q);
        const contextUrl = context(serviceRoot, 'directoryObjects');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toDirectoryObjectJson);
      },
    );

    app.get(
      '/groups/:id/owners',
      {
        schema: {
          tags,
          description:
            "The group's owners: principals holding an active PIM for Groups ownership (accessId owner) now. Owners may add and remove the group's members, never themselves.",
          params: idParams,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(directoryObjectJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: memberFields, defaultTop: 100 });
        const page = await services.groups.owners(callerOf(request), request.params.id, q);
        const contextUrl = context(serviceRoot, 'directoryObjects');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toDirectoryObjectJson);
      },
    );

    app.get(
      '/groups/:id/transitiveMembers',
      {
        schema: {
          tags,
          description:
            'Members of the group and of the groups nested in it, each once; active PIM members while their membership holds.',
          params: idParams,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(directoryObjectJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: memberFields, defaultTop: 100 });
        const page = await services.groups.transitiveMembers(callerOf(request), request.params.id, q);
        const contextUrl = context(serviceRoot, 'directoryObjects');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, toDirectoryObjectJson);
      },
    );

    app.get(
      '/users/:id/memberOf',
      {
        schema: {
          tags,
          description:
            'The groups the user is a direct member of now: standing members, and active PIM members while their membership holds.',
          params: z.object({ id: userKey }),
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(groupJson)), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: groupFields, defaultTop: 100 });
        const page = await services.groups.memberOf(callerOf(request), request.params.id, q);
        const contextUrl = context(serviceRoot, 'directoryObjects');
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (g) => ({
          '@odata.type': '#microsoft.graph.group',
          ...toGroupJson(g),
        }));
      },
    );

    app.post(
      '/directoryObjects/:id/getMemberObjects',
      {
        schema: {
          tags,
          description:
            'Ids of the groups the user, service principal or group is a member of now, through nested groups and active PIM memberships (the endpoint a token names when it holds too many groups to carry them).',
          params: idParams,
          body: z.object({ securityEnabledOnly: z.boolean() }).strict(),
          response: {
            200: z.object({ '@odata.context': z.string(), value: z.array(z.string()) }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const value = await services.groups.memberObjects(
          callerOf(request),
          request.params.id,
          request.body.securityEnabledOnly,
        );
        return { '@odata.context': context(serviceRoot, 'Collection(Edm.String)'), value };
      },
    );

    app.post(
      '/groups/:id/members/$ref',
      {
        // 400 also when the member is already in the group, or cannot be (nesting, itself).
        schema: {
          tags,
          params: idParams,
          body: refBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.groups.addMember(callerOf(request), request.params.id, request.body['@odata.id']);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/groups/:id/members/:memberId/$ref',
      {
        schema: {
          tags,
          params: z.object({ id: guid, memberId: guid }),
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.groups.removeMember(callerOf(request), request.params.id, request.params.memberId);
        return reply.status(204).send(null);
      },
    );
  };
}
