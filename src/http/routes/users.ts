import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lookAlikeProblem } from '../../domain/directory/look-alike-names.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import { userFields } from '../../odata/collections.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { toUserJson, userJson } from '../graph/directory-json.js';
import { idParams, userKey } from '../graph/ids.js';
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

/** Refuses a name that could pass for another (invisible characters, scripts mixed in a part). */
const notLookAlike = (value: string, ctx: z.RefinementCtx) => {
  const problem = lookAlikeProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
};
/** What a user body must also meet that its schema cannot state, as the document says it. */
const USER_RELATIONS =
  'Also refused (400 `invalidRequest`): look-alike names, a `userPrincipalName` or `mailNickname` ' +
  'with an invisible character or with scripts mixed in one part (see their descriptions); and a ' +
  'password that breaks the password rules (at least 12 characters, not a common word, keyboard ' +
  "pattern, run or repetition, not built on the user's name).";
const LOOK_ALIKE_RULE =
  'No invisible characters (format or control characters such as U+200B or U+202E), and each part ' +
  "between '@' and '.' written in one script (Latin with Cyrillic or Greek look-alikes is refused).";

const upn = z
  .string()
  .trim()
  .regex(/^[^@\s]{1,64}@[^@\s]{1,189}$/, 'must look like name@domain')
  .superRefine(notLookAlike)
  .describe(`name@domain. ${LOOK_ALIKE_RULE}`);
const mailNickname = str(64).superRefine(notLookAlike).describe(LOOK_ALIKE_RULE);
const email = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address');
const password = z.string().min(12, 'must be at least 12 characters').max(256);

const userProperties = z
  .object({
    '@odata.type': odataType('user'),
    accountEnabled: z.boolean(),
    displayName: nonEmpty(256),
    mailNickname: mailNickname.optional(),
    userPrincipalName: upn,
    mail: email.nullable().optional(),
    givenName: str(64).nullable().optional(),
    surname: str(64).nullable().optional(),
    jobTitle: str(128).nullable().optional(),
    passwordProfile: z.object({ password, forceChangePasswordNextSignIn: z.boolean().optional() }).optional(),
  })
  .strict();

const createUserBody = userProperties.transform(withoutAnnotation);
const updateUserBody = userProperties.partial().strict().transform(withoutAnnotation);

type PasswordProfile = z.output<typeof userProperties>['passwordProfile'];

/** A password profile as the use case takes it: Graph's default is to force a change. */
const passwordOf = (profile: PasswordProfile) =>
  profile
    ? {
        password: profile.password,
        forceChangePasswordNextSignIn: profile.forceChangePasswordNextSignIn ?? true,
      }
    : {};

const userEntity = withContext(userJson);

/** `/users` (list, create, get by id or userPrincipalName, update, delete) and `/me`. */
export function userRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entityContext = context(serviceRoot, 'users/$entity');
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['directory'];

    app.get(
      '/users',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(userJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: userFields });
        const page = await services.users.list(callerOf(request), q);
        return collectionEnvelope(request, publicUrl, context(serviceRoot, 'users'), page, q, toUserJson);
      },
    );

    app.post(
      '/users',
      {
        schema: {
          tags,
          description: USER_RELATIONS,
          body: createUserBody,
          response: { 201: userEntity, ...errors(400, 401, 403, 409) },
        },
      },
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
          ...passwordOf(b.passwordProfile),
        });
        return reply.status(201).send({ '@odata.context': entityContext, ...toUserJson(user) });
      },
    );

    app.get(
      '/users/:id',
      {
        schema: {
          tags,
          params: z.object({ id: userKey }),
          response: { 200: userEntity, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const user = await services.users.get(callerOf(request), request.params.id);
        return { '@odata.context': entityContext, ...toUserJson(user) };
      },
    );

    app.get(
      '/me',
      // 400 for an application token; 404 only if the signed-in user was deleted meanwhile.
      { schema: { tags, response: { 200: userEntity, ...errors(400, 401, 404) } } },
      async (request) => {
        const caller = callerOf(request);
        if (caller.kind !== 'user') {
          throw new BadRequestError(
            'BadRequest',
            '/me request is only valid with delegated authentication flow.',
          );
        }
        const user = await services.users.get(caller, caller.id);
        return { '@odata.context': entityContext, ...toUserJson(user) };
      },
    );

    app.patch(
      '/users/:id',
      {
        schema: {
          tags,
          description: USER_RELATIONS,
          params: idParams,
          body: updateUserBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
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
          ...passwordOf(b.passwordProfile),
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/users/:id',
      {
        // 409: a signed-in user cannot delete their own account.
        schema: {
          tags,
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.users.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
