import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BuildOptions } from '../app.js';
import { authenticateHook, callerOf } from '../app.js';
import { errorResponses, idParam } from '../graph/json.js';

const enrolmentJson = z.object({ otpauthUri: z.string() });
const confirmBody = z.object({ code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits') }).strict();

/**
 * Security info: the signed-in user enrols an authenticator app (TOTP) in two steps, and an
 * administrator resets a user's methods. Graph has no TOTP enrolment API, so these paths are
 * Elevate's own, under Graph's `authentication` segment.
 */
export function authenticationRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services } = opts;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['authentication'];
    app.post(
      '/me/authentication/totpEnrolment',
      { schema: { tags, response: { 200: enrolmentJson, ...errorResponses } } },
      async (request) => services.factors.beginTotp(callerOf(request)),
    );
    app.post(
      '/me/authentication/totpEnrolment/confirm',
      { schema: { tags, body: confirmBody, response: { 204: z.null(), ...errorResponses } } },
      async (request, reply) => {
        await services.factors.confirmTotp(callerOf(request), request.body.code);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/users/:id/authentication/resetMethods',
      {
        schema: { tags, params: z.object({ id: idParam }), response: { 204: z.null(), ...errorResponses } },
      },
      async (request, reply) => {
        await services.factors.reset(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
