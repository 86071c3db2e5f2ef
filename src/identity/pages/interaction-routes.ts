import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Adapter, Provider } from 'oidc-provider';
import type { SignIn } from '../../app/sign-in/sign-in.js';
import { SignInRefused } from '../../domain/authn/sign-in-errors.js';
import { RateLimitedError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/time/clock.js';
import { registerPasskeyRoutes } from '../passkeys/passkey-routes.js';
import { qrCodeDataUri } from '../../domain/authn/qr-code.js';
import { contentSecurityPolicy, renderSignInPage, type PageInput } from './sign-in-pages.js';
import { amrOf, formStepsOf, nextStep, secondFactorsFor, type Progress } from './sign-in-progress.js';
import { requestedContexts, type AuthenticationStrength } from '../../domain/authn/authentication-context.js';
import type { AccountDirectory, AuthenticationContextDirectory } from '../ports.js';
import { runWithTokenRequestContext } from '../provider/token-request-context.js';

const PROGRESS_TTL_SECONDS = 15 * 60;
const MAX_FIELD_LENGTH = 1024;
const MAX_BODY_BYTES = 8 * 1024;

export { amrOf } from './sign-in-progress.js';

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const field = (body: Record<string, string>, name: string): string =>
  (body[name] ?? '').slice(0, MAX_FIELD_LENGTH);

/**
 * The interaction pages oidc-provider sends the browser to (`/identity/interaction/:uid`): GET shows
 * the form of the next step, POST submits it. oidc-provider's interaction cookie (signed,
 * `HttpOnly`, `SameSite=Lax`, `Secure` on https, scoped to this path) ties the browser to the
 * interaction; a per-interaction CSRF token in each form is checked too. When every step is done
 * the login result (`amr`, `auth_time`) goes back to oidc-provider, which redirects to the client.
 */
export function registerInteractionRoutes(
  app: FastifyInstance,
  deps: {
    path: string;
    provider: () => Promise<Provider>;
    signIn: SignIn;
    /** The session's user, for a step-up that keeps them signed in as themselves. */
    accounts: AccountDirectory;
    /** What the requested authentication contexts require; without it, a `claims` request changes nothing. */
    contexts?: AuthenticationContextDirectory;
    progress: Adapter;
    clock: Clock;
    onServerError: (error: unknown) => void;
    /** The issuer: oidc-provider decides cookies' `Secure` from its scheme, not from the socket. */
    issuerUrl: URL;
    /** "Sign in with …" links to trusted external issuers, offered on the first page. */
    federationLinks?: (uid: string) => { href: string; label: string }[];
  },
): void {
  const asIssuer = (request: FastifyRequest) => {
    request.raw.headers['x-forwarded-proto'] = deps.issuerUrl.protocol.slice(0, -1);
    request.raw.headers['x-forwarded-host'] = deps.issuerUrl.host;
    request.raw.headers['x-forwarded-for'] = request.ip; // never the client's own (trusted proxies only)
  };
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const pageInput = (
    uid: string,
    progress: Progress,
    step: PageInput['step'],
    extra: Partial<PageInput> = {},
  ) => ({
    step,
    action: `${deps.path}/${uid}`,
    csrf: progress.csrf,
    ...(progress.secondFactors === undefined ? {} : { secondFactors: progress.secondFactors }),
    ...extra,
  });
  // The registration page shows the pending authenticator app (the same one on every reload).
  const page = async (reply: FastifyReply, status: number, input: PageInput, progress?: Progress) => {
    if (input.step === 'register' && progress?.userId !== undefined && progress.tenantId !== undefined) {
      const otpauthUri = await deps.signIn.pendingRegistration(progress.tenantId, progress.userId);
      if (otpauthUri !== undefined)
        input = { ...input, enrolment: { otpauthUri, qrCode: await qrCodeDataUri(otpauthUri) } };
    }
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', contentSecurityPolicy(input))
      .header('referrer-policy', 'no-referrer')
      .send(renderSignInPage(input));
  };

  const expired = (reply: FastifyReply) =>
    reply
      .status(400)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send('This sign-in has expired or was started in another browser. Start again from the application.');

  async function load(request: FastifyRequest, reply: FastifyReply) {
    const provider = await deps.provider();
    asIssuer(request);
    const uid = (request.params as { uid: string }).uid;
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      if (details.uid !== uid) return undefined;
      const stored = (await deps.progress.find(uid)) as Progress | undefined;
      const progress: Progress = stored ?? {
        csrf: randomBytes(24).toString('base64url'),
        methods: [],
        mustChangePassword: false,
      };
      if (stored === undefined) {
        await stepUp(progress, details.params.claims, details.session?.accountId);
        await deps.progress.upsert(uid, { ...progress }, PROGRESS_TTL_SECONDS);
      }
      return { provider, uid, progress };
    } catch {
      return undefined;
    }
  }

  /** The strengths the requested contexts need in the user's tenant (unknown contexts need none). */
  async function requiredFor(
    tenantId: string,
    requested: readonly string[],
  ): Promise<AuthenticationStrength[]> {
    if (requested.length === 0 || deps.contexts === undefined) return [];
    const contexts = await deps.contexts.forTenant(tenantId);
    return [
      ...new Set(
        contexts
          .filter((c) => c.isAvailable && requested.includes(c.id))
          .map((c) => c.requirement.authenticationStrength),
      ),
    ];
  }

  /**
   * A new interaction for a request that asks for authentication contexts (`claims`): remember
   * them, and when the browser already has a session whose sign-in falls short of a
   * phishing-resistant context, go straight to the user's passkey (the login check sent them here
   * because the session does not satisfy the context; a passkey alone is a whole sign-in).
   */
  async function stepUp(progress: Progress, claims: unknown, sessionAccountId: string | undefined) {
    const requested = requestedContexts(claims);
    if (requested.length === 0) return;
    progress.requestedContexts = requested;
    if (sessionAccountId === undefined) return;
    const account = await deps.accounts.findById(sessionAccountId);
    if (account === undefined || !account.accountEnabled) return;
    const required = await requiredFor(account.tenantId, requested);
    if (!required.includes('phishingResistant')) return;
    Object.assign(progress, {
      userId: account.userId,
      tenantId: account.tenantId,
      username: account.userPrincipalName,
      required,
      secondFactors: secondFactorsFor(await deps.signIn.factorsOf(account.userId), required),
    });
  }

  app.get(`${deps.path}/:uid`, async (request, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return expired(reply);
    const step = nextStep(loaded.progress);
    if (step === 'done') return finish(request, reply, loaded.provider, loaded.uid, loaded.progress);
    return page(
      reply,
      200,
      pageInput(
        loaded.uid,
        loaded.progress,
        step,
        step === 'password' ? { federation: deps.federationLinks?.(loaded.uid) ?? [] } : {},
      ),
      loaded.progress,
    );
  });

  app.post(`${deps.path}/:uid`, async (request, reply) => {
    const loaded = await load(request, reply);
    if (loaded === undefined) return expired(reply);
    const { uid, progress } = loaded;
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
      string,
      string
    >;
    const step = nextStep(progress);
    const action = `${deps.path}/${uid}`;
    const posted = field(body, 'step');
    const shown = step === 'done' ? 'password' : step;
    if (!sameText(field(body, 'csrf'), progress.csrf) || !formStepsOf(step).includes(posted)) {
      return page(reply, 403, pageInput(uid, progress, shown, { error: 'The form expired. Try again.' }));
    }
    const ctx = { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null };
    try {
      if (step === 'password') {
        const username = field(body, 'username');
        progress.username = username.slice(0, 256);
        const verified = await deps.signIn.password(username, field(body, 'password'), ctx);
        const required = await requiredFor(verified.tenantId, progress.requestedContexts ?? []);
        Object.assign(progress, {
          userId: verified.userId,
          tenantId: verified.tenantId,
          authTimeSeconds: Math.floor(deps.clock.now() / 1000),
          methods: ['pwd'],
          secondFactors: secondFactorsFor(verified.secondFactors, required),
          mustChangePassword: verified.mustChangePassword,
          mustRegisterSecondFactor: verified.mustRegisterSecondFactor,
          ...(required.length > 0 ? { required } : {}),
        });
      } else if (posted === 'register') {
        await deps.signIn.confirmRegistration(
          progress.tenantId ?? '',
          progress.userId ?? '',
          field(body, 'code'),
          ctx,
        );
        progress.methods = [...progress.methods, 'otp'];
        progress.authTimeSeconds = Math.floor(deps.clock.now() / 1000);
        progress.mustRegisterSecondFactor = false;
      } else if (
        (posted === 'totp' && progress.secondFactors?.totp === false) ||
        (posted === 'recovery' && progress.secondFactors?.recoveryCode === false)
      ) {
        // Not offered on this page (a step-up that needs another method).
        return page(
          reply,
          403,
          pageInput(uid, progress, shown, { error: 'The form expired. Try again.' }),
          progress,
        );
      } else if (posted === 'totp' || posted === 'recovery') {
        const [tenantId, userId] = [progress.tenantId ?? '', progress.userId ?? ''];
        if (posted === 'totp') await deps.signIn.totp(tenantId, userId, field(body, 'code'), ctx);
        else await deps.signIn.recoveryCode(tenantId, userId, field(body, 'recoveryCode'), ctx);
        progress.methods = [...progress.methods, 'otp'];
        progress.authTimeSeconds = Math.floor(deps.clock.now() / 1000);
      } else {
        await deps.signIn.changePassword(
          progress.tenantId ?? '',
          progress.userId ?? '',
          field(body, 'newPassword'),
          ctx,
        );
        progress.mustChangePassword = false;
      }
    } catch (error) {
      if (error instanceof RateLimitedError) {
        reply.header('retry-after', String(error.retryAfterSeconds));
        return page(
          reply,
          429,
          pageInput(uid, progress, shown, { error: error.message, username: progress.username }),
          progress,
        );
      }
      if (error instanceof SignInRefused) {
        return page(
          reply,
          400,
          pageInput(uid, progress, shown, { error: error.message, username: progress.username }),
          progress,
        );
      }
      throw error;
    }
    await deps.progress.upsert(uid, { ...progress }, PROGRESS_TTL_SECONDS);
    if (nextStep(progress) === 'done') return finish(request, reply, loaded.provider, uid, progress);
    return reply.status(303).header('location', action).header('cache-control', 'no-store').send();
  });

  registerPasskeyRoutes(app, {
    path: deps.path,
    signIn: deps.signIn,
    clock: deps.clock,
    load,
    save: (uid, progress) => deps.progress.upsert(uid, { ...progress }, PROGRESS_TTL_SECONDS),
  });

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: Provider,
    uid: string,
    progress: Progress,
  ) {
    // Sign-ins through an external issuer were audited when their callback arrived (`amr` set).
    if (progress.amr === undefined && progress.userId && progress.tenantId && !progress.audited) {
      const ctx = { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null };
      await deps.signIn.succeeded(progress.tenantId, progress.userId, amrOf(progress.methods), ctx);
      progress.audited = true;
      await deps.progress.upsert(uid, { ...progress }, PROGRESS_TTL_SECONDS);
    }
    reply.hijack();
    try {
      await runWithTokenRequestContext(undefined, () =>
        provider.interactionFinished(
          request.raw,
          reply.raw,
          {
            login: {
              accountId: progress.userId ?? '',
              amr: progress.amr ?? amrOf(progress.methods),
              ts: progress.authTimeSeconds,
            },
          },
          { mergeWithLastSubmission: false },
        ),
      );
    } catch (error) {
      deps.onServerError(error);
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(400, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
        });
        reply.raw.end('This sign-in has expired. Start again from the application.');
      }
    }
  }
}
