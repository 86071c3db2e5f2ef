import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Adapter, Provider } from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Sealer } from '../../app/sign-in/ports.js';
import type { FederatedSignIn } from '../../app/federation/federated-sign-in.js';
import type { FederationPolicy } from '../../app/federation/ports.js';
import { SignInRefused } from '../../domain/authn/sign-in-errors.js';
import type { Progress as SignInProgress } from '../pages/sign-in-progress.js';

/** A trusted issuer people can sign in through (it has a client id for Elevate). */
export interface PortalIssuer {
  policy: FederationPolicy;
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
}

/** One external round-trip in flight, kept server-side (shared storage) until its callback. */
interface PendingRoundTrip {
  uid: string;
  issuerId: string;
  codeVerifier: string;
  nonce: string;
  /** SHA-256 of the browser-binding cookie's value. */
  bindingHash: string;
}

const ROUND_TRIP_TTL_SECONDS = 10 * 60;
const PROGRESS_TTL_SECONDS = 15 * 60;
const STATE_CONTEXT = 'federation-state';
const MAX_PARAM_LENGTH = 4096;
export const FEDERATION_PATH = '/identity/federation';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
const bindingCookie = (id: string) => `elevate_fed_${id}`;

/**
 * Portal sign-in through trusted external issuers (authorization code + PKCE S256 + state +
 * nonce, with openid-client):
 *
 * - `GET {interactionPath}/:uid/federation/:issuerId` starts it. It sits under the interaction's
 *   path, so oidc-provider's interaction cookie proves the browser owns the interaction.
 * - `GET /identity/federation/:issuerId/callback` receives the code, validates the ID token
 *   (signature against the issuer's JWKS, `iss`, `aud`, `exp`, nonce), signs the user in through
 *   the federation use case, records the result in the interaction's progress and sends the
 *   browser back to the interaction page, which completes it with the external `amr`/`auth_time`.
 *
 * `state` is sealed (AES-GCM under the data key) and names a server-side record that is consumed
 * once (compare-and-set), and the browser must present the random binding cookie set at the start
 * (path-scoped, `HttpOnly`, `SameSite=Lax`): a replayed, forged or cross-site callback is refused
 * before any token request and changes nothing.
 */
export function registerFederationRoutes(
  app: FastifyInstance,
  deps: {
    issuers: readonly PortalIssuer[];
    signIn: FederatedSignIn;
    provider: () => Promise<Provider>;
    progress: Adapter;
    roundTrips: Adapter;
    sealer: Sealer;
    interactionPath: string;
    issuerUrl: URL;
    onServerError: (error: unknown) => void;
  },
): void {
  const byId = new Map(deps.issuers.map((i) => [i.policy.id, i]));
  const configs = new Map<string, Promise<oidc.Configuration>>();
  const secure = deps.issuerUrl.protocol === 'https:';
  const callbackUrl = (id: string) => `${deps.issuerUrl.origin}${FEDERATION_PATH}/${id}/callback`;

  /** openid-client's view of the issuer, discovered once (again after a failure). */
  const configOf = (issuer: PortalIssuer): Promise<oidc.Configuration> => {
    let config = configs.get(issuer.policy.id);
    if (config === undefined) {
      const insecure = issuer.issuer.startsWith('http://');
      config = oidc
        .discovery(
          new URL(issuer.issuer),
          issuer.clientId,
          undefined,
          issuer.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(issuer.clientSecret),
          { execute: [...(insecure ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks] },
        )
        .catch((error: unknown) => {
          configs.delete(issuer.policy.id);
          throw error;
        });
      configs.set(issuer.policy.id, config);
    }
    return config;
  };

  const text = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(body);
  const expired = (reply: FastifyReply) =>
    text(
      reply,
      400,
      'This sign-in has expired or was started in another browser. Start again from the application.',
    );

  app.get(`${deps.interactionPath}/:uid/federation/:issuerId`, async (request, reply) => {
    const { uid, issuerId } = request.params as { uid: string; issuerId: string };
    const issuer = byId.get(issuerId);
    if (issuer === undefined) return text(reply, 404, 'Unknown identity provider.');
    const provider = await deps.provider();
    request.raw.headers['x-forwarded-proto'] = deps.issuerUrl.protocol.slice(0, -1);
    request.raw.headers['x-forwarded-host'] = deps.issuerUrl.host;
    request.raw.headers['x-forwarded-for'] = request.ip; // never the client's own (trusted proxies only)
    const details = await provider.interactionDetails(request.raw, reply.raw).catch(() => undefined);
    if (details?.uid !== uid) return expired(reply);
    let config: oidc.Configuration;
    try {
      config = await configOf(issuer);
    } catch (error) {
      deps.onServerError(error);
      return text(reply, 502, `${issuer.policy.displayName} cannot be reached. Try again later.`);
    }
    const id = randomBytes(16).toString('base64url');
    const binding = randomBytes(24).toString('base64url');
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const pending: PendingRoundTrip = { uid, issuerId, codeVerifier, nonce, bindingHash: sha256(binding) };
    await deps.roundTrips.upsert(id, { ...pending }, ROUND_TRIP_TTL_SECONDS);
    const state = deps.sealer.seal(JSON.stringify({ id, issuerId }), STATE_CONTEXT);
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl(issuerId),
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const cookie = [
      `${bindingCookie(id)}=${binding}`,
      `Path=${FEDERATION_PATH}/${issuerId}`,
      `Max-Age=${ROUND_TRIP_TTL_SECONDS}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(secure ? ['Secure'] : []),
    ].join('; ');
    return reply
      .status(303)
      .header('set-cookie', cookie)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('location', target.href)
      .send();
  });

  app.get(`${FEDERATION_PATH}/:issuerId/callback`, async (request, reply) => {
    const { issuerId } = request.params as { issuerId: string };
    const issuer = byId.get(issuerId);
    if (issuer === undefined) return text(reply, 404, 'Unknown identity provider.');
    const query = request.query as Record<string, string | undefined>;
    const pending = await claimRoundTrip(request, issuerId, query.state);
    if (pending === undefined) return expired(reply);
    const { id, record } = pending;
    void reply.header(
      'set-cookie',
      `${bindingCookie(id)}=; Path=${FEDERATION_PATH}/${issuerId}; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    );
    const ctx = { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null };
    const backToInteraction = `${deps.interactionPath}/${record.uid}`;
    const failed = () =>
      text(
        reply,
        400,
        `Sign-in with ${issuer.policy.displayName} failed. Go back to ${backToInteraction} or start again from the application.`,
      );

    if (typeof query.error === 'string') {
      await deps.signIn.refused(
        issuer.policy,
        `the issuer answered ${query.error.slice(0, 64)}`,
        undefined,
        ctx,
      );
      return failed();
    }
    let claims: Record<string, unknown>;
    try {
      const config = await configOf(issuer);
      const current = new URL(`${deps.issuerUrl.origin}${request.url}`);
      const tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        {
          pkceCodeVerifier: record.codeVerifier,
          expectedState: query.state,
          expectedNonce: record.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: callbackUrl(issuerId) },
      );
      claims = { ...(tokens.claims() ?? {}) };
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'token request failed';
      await deps.signIn.refused(issuer.policy, `the code or ID token was refused: ${reason}`, undefined, ctx);
      return failed();
    }
    try {
      const result = await deps.signIn.signIn(issuer.policy, claims, ctx);
      const stored = (await deps.progress.find(record.uid)) as SignInProgress | undefined;
      const progress: SignInProgress = {
        csrf: stored?.csrf ?? randomBytes(24).toString('base64url'),
        userId: result.userId,
        tenantId: result.tenantId,
        authTimeSeconds: result.authTimeSeconds,
        methods: [],
        amr: result.amr,
        mustChangePassword: false,
      };
      await deps.progress.upsert(record.uid, { ...progress }, PROGRESS_TTL_SECONDS);
    } catch (error) {
      if (error instanceof SignInRefused) return failed();
      throw error;
    }
    return reply
      .status(303)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('location', backToInteraction)
      .send();
  });

  /**
   * The round-trip `state` names, if it is genuine (unseals), for this issuer, still pending,
   * presented by the browser that started it, and not used before (consumed now, once).
   */
  async function claimRoundTrip(
    request: FastifyRequest,
    issuerId: string,
    state: string | undefined,
  ): Promise<{ id: string; record: PendingRoundTrip } | undefined> {
    if (typeof state !== 'string' || state.length > MAX_PARAM_LENGTH) return undefined;
    let sealed: { id?: unknown; issuerId?: unknown };
    try {
      sealed = JSON.parse(deps.sealer.open(state, STATE_CONTEXT)) as typeof sealed;
    } catch {
      return undefined;
    }
    if (typeof sealed.id !== 'string' || sealed.issuerId !== issuerId) return undefined;
    const id = sealed.id;
    const record = (await deps.roundTrips.find(id)) as
      (PendingRoundTrip & { consumed?: unknown }) | undefined;
    if (record === undefined || record.consumed !== undefined || record.issuerId !== issuerId)
      return undefined;
    const binding = cookieValue(request.headers.cookie, bindingCookie(id));
    if (binding === undefined || !sameText(sha256(binding), record.bindingHash)) return undefined;
    try {
      await deps.roundTrips.consume(id);
    } catch {
      return undefined;
    }
    return { id, record };
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
