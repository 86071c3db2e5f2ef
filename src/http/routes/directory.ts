import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BadRequestError } from '../../domain/shared/errors.js';
import { parseDateTime } from '../../domain/time/datetime.js';
import { APP_PERMISSIONS } from '../../domain/directory/app-permissions.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import {
  directoryObjectJson,
  groupJson,
  passwordCredentialJson,
  servicePrincipalJson,
  toGroupJson,
  toPasswordCredentialJson,
  toServicePrincipalJson,
  toUserJson,
  userJson,
} from '../graph/directory-json.js';
import { collectionOf, context, errorResponses, guid, idParam, nonEmpty, str } from '../graph/json.js';
import { groupFields, memberFields, servicePrincipalFields, userFields } from '../../odata/collections.js';
import { collectionQuerystring, readCollectionQuery, sendPage } from '../graph/query.js';

const idParams = z.object({ id: idParam });
const upn = z
  .string()
  .trim()
  .regex(/^[^@\s]{1,64}@[^@\s]{1,189}$/, 'must look like name@domain');
const email = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address');
const password = z.string().min(12, 'must be at least 12 characters').max(256);

const createUserBody = z
  .object({
    accountEnabled: z.boolean(),
    displayName: nonEmpty(256),
    mailNickname: str(64).optional(),
    userPrincipalName: upn,
    mail: email.nullable().optional(),
    givenName: str(64).nullable().optional(),
    surname: str(64).nullable().optional(),
    jobTitle: str(128).nullable().optional(),
    passwordProfile: z.object({ password, forceChangePasswordNextSignIn: z.boolean().optional() }).optional(),
  })
  .strict();

const updateUserBody = createUserBody.partial().strict();

const createGroupBody = z
  .object({
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

const refBody = z.object({ '@odata.id': str(2048) }).strict();

const createSpBody = z
  .object({
    displayName: nonEmpty(256),
    appId: guid.optional(),
    appPermissions: z.array(z.enum(APP_PERMISSIONS)).max(APP_PERMISSIONS.length).optional(),
  })
  .strict();

const updateSpBody = z
  .object({
    displayName: nonEmpty(256).optional(),
    accountEnabled: z.boolean().optional(),
    appPermissions: z.array(z.enum(APP_PERMISSIONS)).max(APP_PERMISSIONS.length).optional(),
  })
  .strict();

const dateTimeString = str(40).transform((s, ctx) => {
  try {
    return parseDateTime(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const addPasswordBody = z
  .object({
    passwordCredential: z
      .object({
        displayName: str(256).nullable().optional(),
        startDateTime: dateTimeString.optional(),
        endDateTime: dateTimeString.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The id at the end of an `@odata.id` reference URL (`…/directoryObjects/{id}`). */
function refId(odataId: string): string {
  const m = /\/(?:directoryObjects|users|groups|servicePrincipals)\/([0-9a-fA-F-]{36})$/.exec(odataId);
  const id = m?.[1] ?? (/^[0-9a-fA-F-]{36}$/.test(odataId) ? odataId : undefined);
  return id ?? '00000000-0000-0000-0000-000000000000';
}

const TYPE: Record<string, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
};

/** `/users`, `/groups` (+ members), `/servicePrincipals` (+ addPassword). */
export function directoryRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['directory'];

    // ---- users
    app.get(
      '/users',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(userJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: userFields });
        const page = await services.users.list(callerOf(request), q);
        return sendPage(request, publicUrl, context(publicUrl, 'users'), page, q, toUserJson);
      },
    );
    app.post(
      '/users',
      { schema: { tags, body: createUserBody, response: { 201: userJson, ...errorResponses } } },
      async (request, reply) => {
        const b = request.body;
        const user = await services.users.create(callerOf(request), {
          displayName: b.displayName,
          userPrincipalName: b.userPrincipalName,
          accountEnabled: b.accountEnabled,
          mail: b.mail ?? null,
          givenName: b.givenName ?? null,
          surname: b.surname ?? null,
          jobTitle: b.jobTitle ?? null,
          ...(b.passwordProfile
            ? {
                password: b.passwordProfile.password,
                forceChangePasswordNextSignIn: b.passwordProfile.forceChangePasswordNextSignIn ?? true,
              }
            : {}),
        });
        return reply
          .status(201)
          .send({ '@odata.context': context(publicUrl, 'users/$entity'), ...toUserJson(user) });
      },
    );
    app.get(
      '/users/:id',
      { schema: { tags, params: idParams, response: { 200: userJson, ...errorResponses } } },
      async (request) => {
        const user = await services.users.get(callerOf(request), request.params.id);
        return { '@odata.context': context(publicUrl, 'users/$entity'), ...toUserJson(user) };
      },
    );
    app.get('/me', { schema: { tags, response: { 200: userJson, ...errorResponses } } }, async (request) => {
      const caller = callerOf(request);
      if (caller.kind !== 'user') {
        throw new BadRequestError(
          'BadRequest',
          '/me request is only valid with delegated authentication flow.',
        );
      }
      const user = await services.users.get(caller, caller.id);
      return { '@odata.context': context(publicUrl, 'users/$entity'), ...toUserJson(user) };
    });
    app.patch(
      '/users/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: updateUserBody,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.users.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.userPrincipalName !== undefined ? { userPrincipalName: b.userPrincipalName } : {}),
          ...(b.accountEnabled !== undefined ? { accountEnabled: b.accountEnabled } : {}),
          ...(b.mail !== undefined ? { mail: b.mail } : {}),
          ...(b.givenName !== undefined ? { givenName: b.givenName } : {}),
          ...(b.surname !== undefined ? { surname: b.surname } : {}),
          ...(b.jobTitle !== undefined ? { jobTitle: b.jobTitle } : {}),
          ...(b.passwordProfile
            ? {
                password: b.passwordProfile.password,
                forceChangePasswordNextSignIn: b.passwordProfile.forceChangePasswordNextSignIn ?? true,
              }
            : {}),
        });
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/users/:id',
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.users.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    // ---- groups
    app.get(
      '/groups',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(groupJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: groupFields });
        const page = await services.groups.list(callerOf(request), q);
        return sendPage(request, publicUrl, context(publicUrl, 'groups'), page, q, toGroupJson);
      },
    );
    app.post(
      '/groups',
      { schema: { tags, body: createGroupBody, response: { 201: groupJson, ...errorResponses } } },
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
        return reply
          .status(201)
          .send({ '@odata.context': context(publicUrl, 'groups/$entity'), ...toGroupJson(g) });
      },
    );
    app.get(
      '/groups/:id',
      { schema: { tags, params: idParams, response: { 200: groupJson, ...errorResponses } } },
      async (request) => {
        const g = await services.groups.get(callerOf(request), request.params.id);
        return { '@odata.context': context(publicUrl, 'groups/$entity'), ...toGroupJson(g) };
      },
    );
    app.patch(
      '/groups/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: createGroupBody
            .pick({ displayName: true, description: true, mailNickname: true })
            .partial()
            .strict(),
          response: { 204: z.null(), ...errorResponses },
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
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errorResponses } } },
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
          response: { 200: collectionOf(directoryObjectJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: memberFields, defaultTop: 100 });
        const page = await services.groups.members(callerOf(request), request.params.id, q);
        return sendPage(request, publicUrl, context(publicUrl, 'directoryObjects'), page, q, (m) => ({
          '@odata.type': TYPE[m.memberType] ?? '#microsoft.graph.directoryObject',
          id: m.memberId,
        }));
      },
    );
    app.post(
      '/groups/:id/members/$ref',
      { schema: { tags, params: idParams, body: refBody, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.groups.addMember(
          callerOf(request),
          request.params.id,
          refId(request.body['@odata.id']),
        );
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/groups/:id/members/:memberId/$ref',
      {
        schema: {
          tags,
          params: z.object({ id: idParam, memberId: idParam }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await services.groups.removeMember(callerOf(request), request.params.id, request.params.memberId);
        return reply.status(204).send(null);
      },
    );

    // ---- service principals
    app.get(
      '/servicePrincipals',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(servicePrincipalJson), ...errorResponses },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: servicePrincipalFields });
        const page = await services.servicePrincipals.list(callerOf(request), q);
        return sendPage(request, publicUrl, context(publicUrl, 'servicePrincipals'), page, q, (sp) =>
          toServicePrincipalJson(sp),
        );
      },
    );
    app.post(
      '/servicePrincipals',
      { schema: { tags, body: createSpBody, response: { 201: servicePrincipalJson, ...errorResponses } } },
      async (request, reply) => {
        const b = request.body;
        const sp = await services.servicePrincipals.create(callerOf(request), {
          displayName: b.displayName,
          ...(b.appId ? { appId: b.appId } : {}),
          ...(b.appPermissions ? { appPermissions: b.appPermissions } : {}),
        });
        return reply.status(201).send({
          '@odata.context': context(publicUrl, 'servicePrincipals/$entity'),
          ...toServicePrincipalJson(sp),
        });
      },
    );
    app.get(
      '/servicePrincipals/:id',
      { schema: { tags, params: idParams, response: { 200: servicePrincipalJson, ...errorResponses } } },
      async (request) => {
        const sp = await services.servicePrincipals.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, 'servicePrincipals/$entity'),
          ...toServicePrincipalJson(sp, sp.passwords),
        };
      },
    );
    app.patch(
      '/servicePrincipals/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: updateSpBody,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.servicePrincipals.update(callerOf(request), request.params.id, {
          ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
          ...(b.accountEnabled !== undefined ? { accountEnabled: b.accountEnabled } : {}),
          ...(b.appPermissions !== undefined ? { appPermissions: b.appPermissions } : {}),
        });
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/servicePrincipals/:id',
      { schema: { tags, params: idParams, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.servicePrincipals.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/servicePrincipals/:id/addPassword',
      {
        schema: {
          tags,
          params: idParams,
          body: addPasswordBody,
          response: {
            200: passwordCredentialJson.extend({ '@odata.context': z.string() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const pc = request.body.passwordCredential ?? {};
        const cred = await services.servicePrincipals.addPassword(callerOf(request), request.params.id, {
          displayName: pc.displayName ?? null,
          ...(pc.startDateTime !== undefined ? { startDateTime: pc.startDateTime } : {}),
          ...(pc.endDateTime !== undefined ? { endDateTime: pc.endDateTime } : {}),
        });
        return {
          '@odata.context': context(publicUrl, 'microsoft.graph.passwordCredential'),
          ...toPasswordCredentialJson(cred),
        };
      },
    );
    app.post(
      '/servicePrincipals/:id/removePassword',
      {
        schema: {
          tags,
          params: idParams,
          body: z.object({ keyId: guid }).strict(),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await services.servicePrincipals.removePassword(
          callerOf(request),
          request.params.id,
          request.body.keyId,
        );
        return reply.status(204).send(null);
      },
    );
  };
}
