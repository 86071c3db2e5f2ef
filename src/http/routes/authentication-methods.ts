import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registrationResponseJson } from '../../identity/passkeys/webauthn-json.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import {
  authenticationMethodJson,
  fido2MethodJson,
  toAuthenticationMethodJson,
  toFido2Json,
} from '../graph/authentication-method-json.js';
import { idParams } from '../graph/ids.js';
import { collectionOf, context, dt, errors, nonEmpty } from '../graph/json.js';

const creationOptionsJson = z.object({
  challengeTimeoutDateTime: z.string(),
  publicKey: z.record(z.string(), z.unknown()),
});
const registerBody = z
  .object({ displayName: nonEmpty(200), publicKeyCredential: registrationResponseJson })
  .strict();
const recoveryCodesJson = z.object({
  '@odata.type': z.literal('#elevate.recoveryCodesAuthenticationMethod'),
  codes: z.array(z.string()),
  createdDateTime: z.string(),
});
/** Options stay valid for as long as the stored challenge (5 minutes). */
const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * The signed-in user's own sign-in methods, on Graph's paths: passkey registration
 * (`fido2Methods/creationOptions`, then `fido2Methods`), the list of methods, removal of a passkey or
 * an authenticator app, and recovery codes (Elevate's own; Graph has none).
 */
export function authenticationMethodRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot, clock } = opts;
  const methods = services.authenticationMethods;
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    // Every route here is the signed-in user's own: 403 for an application token, 404 when the
    // user is gone (or, for a method id, not theirs).
    const tags = ['authentication'];
    const noContent = { 204: z.null(), ...errors(400, 401, 403, 404) };
    app.post(
      '/me/authentication/fido2Methods/creationOptions',
      { schema: { tags, response: { 200: creationOptionsJson, ...errors(400, 401, 403, 404) } } },
      async (request) => ({
        challengeTimeoutDateTime: dt(clock.now() + CHALLENGE_TTL_MS),
        publicKey: await methods.fido2CreationOptions(callerOf(request)),
      }),
    );
    app.post(
      '/me/authentication/fido2Methods',
      {
        bodyLimit: 64 * 1024,
        // 400 when the authenticator's response does not verify; 409 for a key registered already.
        schema: {
          tags,
          body: registerBody,
          response: { 201: fido2MethodJson, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const credential = await methods.registerFido2(callerOf(request), {
          displayName: request.body.displayName,
          credential: request.body.publicKeyCredential,
        });
        return reply.status(201).send(toFido2Json(credential));
      },
    );
    app.get(
      '/me/authentication/methods',
      {
        schema: {
          tags,
          response: { 200: collectionOf(authenticationMethodJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': context(serviceRoot, "users('me')/authentication/methods"),
        value: (await methods.list(callerOf(request))).map(toAuthenticationMethodJson),
      }),
    );
    app.delete(
      '/me/authentication/fido2Methods/:id',
      { schema: { tags, params: idParams, response: noContent } },
      async (request, reply) => {
        await methods.deleteFido2(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.delete(
      '/me/authentication/softwareOathMethods/:id',
      { schema: { tags, params: idParams, response: noContent } },
      async (request, reply) => {
        await methods.deleteSoftwareOath(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/me/authentication/recoveryCodes',
      { schema: { tags, response: { 201: recoveryCodesJson, ...errors(400, 401, 403, 404) } } },
      async (request, reply) => {
        const generated = await methods.generateRecoveryCodes(callerOf(request));
        return reply.status(201).send({
          '@odata.type': '#elevate.recoveryCodesAuthenticationMethod',
          codes: generated.codes,
          createdDateTime: dt(generated.createdAt),
        });
      },
    );
  };
}
