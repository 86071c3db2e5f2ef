import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SignIn } from '../../app/sign-in/sign-in.js';
import { SignInRefused } from '../../domain/authn/sign-in-errors.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { PASSKEY_SCRIPT } from './passkey-script.js';
import { PASSKEY_SCRIPT_PATH } from '../pages/sign-in-pages.js';
import { nextStep, type Progress } from '../pages/sign-in-progress.js';
import { assertionResponseJson } from './webauthn-json.js';

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const MAX_JSON_BYTES = 32 * 1024;
const csrfField = z.string().max(256);
const optionsBody = z.object({ csrf: csrfField }).strict();
const verifyBody = z.object({ csrf: csrfField, credential: assertionResponseJson }).strict();

/**
 * The passkey endpoints of the sign-in pages, JSON over HTTP (the page script calls them; so can
 * tests and other clients):
 * - `POST {path}/:uid/passkey/options` `{csrf}` → `PublicKeyCredentialRequestOptionsJSON`: on the
 *   first page for a passwordless sign-in (discoverable credential, no allow list), after the
 *   password for the user's own passkeys;
 * - `POST {path}/:uid/passkey` `{csrf, credential}` → `{location}`: the interaction page to load
 *   next (which finishes the sign-in when nothing is left).
 * Both need the interaction cookie and the page's CSRF token. Errors use the Graph error envelope.
 */
export function registerPasskeyRoutes(
  app: FastifyInstance,
  deps: {
    path: string;
    signIn: SignIn;
    clock: Clock;
    load: (
      request: FastifyRequest,
      reply: FastifyReply,
    ) => Promise<{ uid: string; progress: Progress } | undefined>;
    save: (uid: string, progress: Progress) => Promise<unknown>;
  },
): void {
  const fail = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
  ) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .send({
        error: {
          code,
          message,
          innerError: {
            date: new Date(deps.clock.now()).toISOString(),
            'request-id': request.id,
            'client-request-id': null,
          },
        },
      });

  app.get(PASSKEY_SCRIPT_PATH, (_request, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(PASSKEY_SCRIPT),
  );

  /** The user the passkey must belong to (null: anyone, passwordless), or undefined when not offered now. */
  const passkeyUser = (progress: Progress): string | null | undefined => {
    const stage = nextStep(progress);
    if (stage === 'password') return null;
    if (stage === 'second' && progress.secondFactors?.passkey === true) return progress.userId;
    return undefined;
  };

  async function prepare<T extends { csrf: string }>(
    request: FastifyRequest,
    reply: FastifyReply,
    schema: z.ZodType<T>,
  ) {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) {
      await fail(request, reply, 400, 'invalidRequest', z.prettifyError(parsed.error).slice(0, 500));
      return undefined;
    }
    const loaded = await deps.load(request, reply);
    if (loaded === undefined) {
      await fail(
        request,
        reply,
        400,
        'invalidRequest',
        'This sign-in has expired. Start again from the application.',
      );
      return undefined;
    }
    const userId = passkeyUser(loaded.progress);
    if (!sameText(parsed.data.csrf, loaded.progress.csrf) || userId === undefined) {
      await fail(request, reply, 403, 'Authorization_RequestDenied', 'The form expired. Try again.');
      return undefined;
    }
    return { ...loaded, body: parsed.data, userId };
  }

  app.post(`${deps.path}/:uid/passkey/options`, { bodyLimit: MAX_JSON_BYTES }, async (request, reply) => {
    const ready = await prepare(request, reply, optionsBody);
    if (ready === undefined) return reply;
    const options = await deps.signIn.passkeyOptions({
      interactionUid: ready.uid,
      userId: ready.userId,
      tenantId: ready.progress.tenantId ?? null,
    });
    return reply.header('cache-control', 'no-store').send(options);
  });

  app.post(`${deps.path}/:uid/passkey`, { bodyLimit: MAX_JSON_BYTES }, async (request, reply) => {
    const ready = await prepare(request, reply, verifyBody);
    if (ready === undefined) return reply;
    const { uid, progress } = ready;
    const ctx = { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null };
    try {
      const verified = await deps.signIn.passkey(
        {
          interactionUid: uid,
          userId: ready.userId,
          tenantId: progress.tenantId ?? null,
          response: ready.body.credential,
        },
        ctx,
      );
      const authTimeSeconds = Math.floor(deps.clock.now() / 1000);
      if (ready.userId === null) {
        // Passwordless: the passkey (with user verification) is the whole sign-in.
        Object.assign(progress, {
          userId: verified.userId,
          tenantId: verified.tenantId,
          username: verified.userPrincipalName,
          methods: [verified.method],
          mustChangePassword: false,
        });
      } else {
        progress.methods = [...progress.methods, verified.method];
      }
      progress.authTimeSeconds = authTimeSeconds;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        reply.header('retry-after', String(error.retryAfterSeconds));
        return fail(request, reply, 429, 'TooManyRequests', error.message);
      }
      if (error instanceof SignInRefused) return fail(request, reply, 400, error.code, error.message);
      throw error;
    }
    await deps.save(uid, progress);
    return reply.header('cache-control', 'no-store').send({ location: `${deps.path}/${uid}` });
  });
}
