import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { idParams } from '../graph/ids.js';
import { errors } from '../graph/json.js';
import { qrCodeDataUri } from '../../domain/authn/qr-code.js';

const enrolmentJson = z.object({
  otpauthUri: z.string(),
  /** The same URI as a QR code for authenticator apps: an SVG image as a `data:` URI. */
  qrCode: z.string(),
});

const confirmBody = z.object({ code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits') }).strict();

/**
 * Security info: the signed-in user enrols an authenticator app (TOTP) in two steps, and an
 * administrator resets a user's methods. Graph has no TOTP enrolment API, so these paths are
 * Elevate's own, under Graph's `authentication` segment.
 */
export function authenticationRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services } = opts;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['authentication'];
    app.post(
      '/me/authentication/totpEnrolment',
      // 403 for an application; 409 when an authenticator app is already registered.
      { schema: { tags, response: { 200: enrolmentJson, ...errors(400, 401, 403, 404, 409) } } },
      async (request) => {
        const { otpauthUri } = await services.factors.beginTotp(callerOf(request));
        return { otpauthUri, qrCode: await qrCodeDataUri(otpauthUri) };
      },
    );
    app.post(
      '/me/authentication/totpEnrolment/confirm',
      // 400 for a wrong code; 404 when no enrolment is pending.
      {
        schema: { tags, body: confirmBody, response: { 204: z.null(), ...errors(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        await services.factors.confirmTotp(callerOf(request), request.body.code);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/users/:id/authentication/resetMethods',
      {
        schema: { tags, params: idParams, response: { 204: z.null(), ...errors(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        await services.factors.reset(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
