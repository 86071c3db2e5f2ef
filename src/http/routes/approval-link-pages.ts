import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApprovalLinkRefused, type LinkProblem } from '../../app/notifications/approval-links.js';
import type { Caller } from '../../app/authorization/caller.js';
import { APPROVAL_LINK_PATH } from '../../domain/notifications/approval-link.js';
import { escapeHtml, when } from '../../domain/notifications/templates.js';
import { DomainError } from '../../domain/shared/errors.js';
import { FIRST_PARTY_CLIENT_ID } from '../../identity/provider/first-party-client.js';
import type { RouteOptions } from '../build-options.js';

/** The callback of the sign-in an approval link starts (a redirect URI of Elevate's own client). */
export const APPROVAL_LINK_CALLBACK = `${APPROVAL_LINK_PATH}/callback`;

const SIGN_IN_COOKIE = 'elevate_approval_signin';
const SESSION_COOKIE = 'elevate_approval_session';
/** How long a sign-in started from a link may take. */
const SIGN_IN_TTL_MS = 10 * 60_000;
/** How long the link pages keep the approver signed in (a decision needs a recent sign-in). */
const SESSION_TTL_MS = 10 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{1,128}$/;
const MAX_JUSTIFICATION = 500;

interface SignInState {
  token: string;
  state: string;
  verifier: string;
}
interface Session {
  accessToken: string;
  csrf: string;
}

const PROBLEMS: Record<LinkProblem, { status: number; title: string; text: string }> = {
  malformed: {
    status: 400,
    title: 'Link not valid',
    text: 'This approval link is not a valid link. Open the request in Elevate instead.',
  },
  forged: {
    status: 400,
    title: 'Link not valid',
    text: 'This approval link was altered or was not made by this Elevate. Nothing was recorded.',
  },
  expired: {
    status: 410,
    title: 'Link expired',
    text: 'This approval link has expired. Open the request in Elevate to decide, if it still waits.',
  },
  used: {
    status: 410,
    title: 'Link already used',
    text: 'This approval link has already been used: each link records one decision.',
  },
  decided: {
    status: 409,
    title: 'Nothing to decide',
    text: 'This approval stage no longer waits for your decision: it was decided, canceled, or it timed out, or you already decided it.',
  },
  otherApprover: {
    status: 403,
    title: 'Not your link',
    text: 'This approval link was sent for another approver. Sign in as that person, or use your own link.',
  },
  mfaRequired: {
    status: 403,
    title: 'Multi-factor sign-in required',
    text: 'Approvers must sign in with a second factor (authenticator app or passkey). Register one and follow the link again.',
  },
  contextRequired: {
    status: 403,
    title: 'Stronger sign-in required',
    text: "This role's settings require a stronger sign-in (authentication context) that your sign-in did not meet.",
  },
};

function cookiesOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The approval link pages (docs/notifications.md, "Approval links"): `GET /approvals/link/{token}`
 * checks the link, signs the approver in through Elevate's own authorization server (a fresh
 * sign-in, `prompt=login`, with the role's authentication context when it names one) and shows the
 * request with a form; `POST` (CSRF token bound to the sign-in) records the decision through the
 * approvals use case. `GET /approvals/link/callback` receives the sign-in's code.
 */
export function approvalLinkPages(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const links = services.approvalLinks;
  const secure = publicUrl.startsWith('https:');
  const origin = publicUrl.replace(/\/+$/, '');
  const callbackUrl = `${origin}${APPROVAL_LINK_CALLBACK}`;
  const cookie = (name: string, value: string, maxAgeMs: number) =>
    [
      `${name}=${value}`,
      `Path=${APPROVAL_LINK_PATH}`,
      `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(secure ? ['Secure'] : []),
    ].join('; ');

  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      )
      .header('referrer-policy', 'no-referrer').send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;max-width:40em;margin:2em auto;padding:0 1em"><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`);
  const problem = (reply: FastifyReply, p: LinkProblem) => {
    const d = PROBLEMS[p];
    return html(reply, d.status, d.title, `<p role="alert">${escapeHtml(d.text)}</p>`);
  };

  /** The approver signed in on these pages, if their session is still good. */
  async function signedIn(
    request: FastifyRequest,
  ): Promise<{ caller: Caller; session: Session } | undefined> {
    const session = links.openCookie<Session>(cookiesOf(request)[SESSION_COOKIE], 'session');
    if (session === undefined) return undefined;
    try {
      const ua = request.headers['user-agent'];
      const caller = await services.authenticate(`Bearer ${session.accessToken}`, {
        ip: request.ip,
        userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
        requestId: request.id,
      });
      return { caller, session };
    } catch {
      return undefined;
    }
  }

  return async (app) => {
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 8 * 1024 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
    }

    /** Starts a fresh sign-in for `token`: state and PKCE verifier in a sealed cookie, then authorize. */
    async function startSignIn(reply: FastifyReply, token: string, context: string | null) {
      const state = randomBytes(16).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      const q = new URLSearchParams({
        client_id: FIRST_PARTY_CLIENT_ID,
        response_type: 'code',
        redirect_uri: callbackUrl,
        scope: 'openid profile',
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        prompt: 'login',
        ...(context === null
          ? {}
          : { claims: JSON.stringify({ access_token: { acrs: { essential: true, value: context } } }) }),
      });
      const sealed = links.sealCookie(
        { token, state, verifier } satisfies SignInState,
        'sign-in',
        SIGN_IN_TTL_MS,
      );
      return reply
        .status(303)
        .header('set-cookie', cookie(SIGN_IN_COOKIE, sealed, SIGN_IN_TTL_MS))
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('location', `${origin}/oauth2/v2.0/authorize?${q.toString()}`)
        .send();
    }

    const hidden = { schema: { hide: true } };

    app.get(APPROVAL_LINK_CALLBACK, hidden, async (request, reply) => {
      const query = request.query as Record<string, string | undefined>;
      const pending = links.openCookie<SignInState>(cookiesOf(request)[SIGN_IN_COOKIE], 'sign-in');
      void reply.header('set-cookie', cookie(SIGN_IN_COOKIE, '', 0));
      if (pending === undefined || typeof query.state !== 'string' || !sameText(query.state, pending.state))
        return html(
          reply,
          400,
          'Sign-in expired',
          '<p role="alert">This sign-in has expired or was started in another browser. Follow the approval link again.</p>',
        );
      if (typeof query.code !== 'string')
        return html(
          reply,
          400,
          'Sign-in failed',
          '<p role="alert">The sign-in did not finish. Follow the approval link again.</p>',
        );
      const res = await app.inject({
        method: 'POST',
        url: '/oauth2/v2.0/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: FIRST_PARTY_CLIENT_ID,
          code: query.code,
          redirect_uri: callbackUrl,
          code_verifier: pending.verifier,
        }).toString(),
      });
      const accessToken =
        res.statusCode === 200 ? res.json<{ access_token?: unknown }>().access_token : undefined;
      if (typeof accessToken !== 'string')
        return html(
          reply,
          400,
          'Sign-in failed',
          '<p role="alert">The sign-in could not be completed. Follow the approval link again.</p>',
        );
      const session = links.sealCookie(
        { accessToken, csrf: randomBytes(24).toString('base64url') } satisfies Session,
        'session',
        SESSION_TTL_MS,
      );
      return reply
        .status(303)
        .header('set-cookie', [
          cookie(SIGN_IN_COOKIE, '', 0),
          cookie(SESSION_COOKIE, session, SESSION_TTL_MS),
        ])
        .header('cache-control', 'no-store')
        .header('location', `${origin}${APPROVAL_LINK_PATH}/${pending.token}`)
        .send();
    });

    app.get(`${APPROVAL_LINK_PATH}/:token`, hidden, async (request, reply) => {
      const { token } = request.params as { token: string };
      if (!TOKEN.test(token)) return problem(reply, 'malformed');
      try {
        const claims = await links.check(token);
        const who = await signedIn(request);
        if (who === undefined) return startSignIn(reply, token, await links.requiredContext(claims));
        const v = await links.view(token, who.caller);
        const approve = v.claims.decision === 'Approve';
        const rows: [string, string | null][] = [
          ['Requester', v.requester],
          ['Role', v.role],
          ['Reason', v.justification],
          ['Ticket', v.ticket],
          ['Duration', v.duration],
          ['Approval stage', String(v.claims.stage)],
          ['Decide by', v.deadline === null ? null : when(new Date(v.deadline).toISOString())],
        ];
        const table = rows
          .filter((r): r is [string, string] => r[1] !== null)
          .map(
            ([k, val]) =>
              `<tr><th style="text-align:left;padding:4px 12px 4px 0">${escapeHtml(k)}</th><td>${escapeHtml(val)}</td></tr>`,
          )
          .join('\n');
        return html(
          reply,
          200,
          approve ? 'Approve this request?' : 'Deny this request?',
          `<table>
${table}
</table>
<form method="post" action="${escapeHtml(`${APPROVAL_LINK_PATH}/${token}`)}">
<input type="hidden" name="csrf" value="${escapeHtml(who.session.csrf)}">
<p><label for="justification">Your reason${v.isJustificationRequired ? ' (required)' : ''}</label><br>
<textarea id="justification" name="justification" rows="3" cols="50" maxlength="${MAX_JUSTIFICATION}"${v.isJustificationRequired ? ' required' : ''}></textarea></p>
<p><button type="submit">${approve ? 'Approve' : 'Deny'}</button></p>
</form>`,
        );
      } catch (e) {
        if (e instanceof ApprovalLinkRefused) return problem(reply, e.problem);
        throw e;
      }
    });

    app.post(`${APPROVAL_LINK_PATH}/:token`, hidden, async (request, reply) => {
      const { token } = request.params as { token: string };
      if (!TOKEN.test(token)) return problem(reply, 'malformed');
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
        string,
        unknown
      >;
      const csrf = typeof body.csrf === 'string' ? body.csrf : '';
      const text = typeof body.justification === 'string' ? body.justification.trim() : '';
      try {
        await links.check(token);
        const who = await signedIn(request);
        if (who === undefined || !sameText(csrf, who.session.csrf))
          return html(
            reply,
            403,
            'Form expired',
            '<p role="alert">This form has expired or did not come from Elevate. Follow the approval link again.</p>',
          );
        if (text.length > MAX_JUSTIFICATION)
          return html(
            reply,
            400,
            'Reason too long',
            `<p role="alert">Your reason may have at most ${MAX_JUSTIFICATION} characters.</p>`,
          );
        const claims = await links.decide(token, who.caller, text === '' ? null : text);
        const done = claims.decision === 'Approve' ? 'approved' : 'denied';
        return html(
          reply,
          200,
          `You ${done} the request`,
          `<p>Your decision was recorded. You can close this page.</p>`,
        );
      } catch (e) {
        if (e instanceof ApprovalLinkRefused) return problem(reply, e.problem);
        if (e instanceof DomainError) {
          const status =
            e.kind === 'conflict' ? 409 : e.kind === 'forbidden' ? 403 : e.kind === 'notFound' ? 404 : 400;
          return html(reply, status, 'Not recorded', `<p role="alert">${escapeHtml(e.message)}</p>`);
        }
        throw e;
      }
    });
  };
}
