import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export type Headers = Record<string, string>;

/** A response read whole: status, headers, the raw text and the JSON (undefined when not JSON). */
export interface Reply {
  status: number;
  headers: globalThis.Headers;
  text: string;
  json: unknown;
  /** `error.code` of a Graph error envelope, if the body is one. */
  code: string | undefined;
}

export interface Send {
  headers?: Headers;
  /** A JSON body (serialized here, with `content-type: application/json`). */
  json?: unknown;
  /** A raw body, sent as is (with `contentType`, if given). */
  body?: string;
  contentType?: string;
  /** Give up after this long (the request counts as failed, like a cut connection). */
  timeoutMs?: number;
}

/**
 * A request whose answer may come before its body is sent (a body over the server's limit): the
 * server answers 413 and closes, and the rest of the body meets a closed socket (EPIPE). fetch
 * reports only that failure; node:http hands over the answer it already received.
 */
export function sendEarlyAnswer(base: string, method: string, path: string, opts: Send): Promise<Reply> {
  const headers: Headers = { ...opts.headers };
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  const body = Buffer.from(opts.body ?? '');
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(base + path, { method, headers, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const h = new globalThis.Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        const error = (json as { error?: { code?: unknown } } | undefined)?.error;
        resolve({
          status: res.statusCode ?? 0,
          headers: h,
          text,
          json,
          code: typeof error?.code === 'string' ? error.code : undefined,
        });
      });
    });
    // A write cut by the server after it answered is expected; before an answer it is a failure.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

/** One request over real HTTP; a cut connection rejects (the caller decides what that means). */
export async function send(base: string, method: string, path: string, opts: Send = {}): Promise<Reply> {
  const headers: Headers = { ...opts.headers };
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.body !== undefined) {
    body = opts.body;
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  }
  const attempt = () =>
    fetch(base + path, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  let res: Response;
  try {
    res = await attempt();
  } catch (error) {
    // A kept-alive connection the server closed as it was reused: the request never reached the
    // server. Safe to send once more only when reading; a write's failure is the caller's to judge.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    const reused = code === 'EPIPE' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
    if (!reused || (method !== 'GET' && method !== 'HEAD')) throw error;
    res = await attempt();
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const error = (json as { error?: { code?: unknown } } | undefined)?.error;
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    code: typeof error?.code === 'string' ? error.code : undefined,
  };
}

/** `{status} {code}` of a reply, for compact assertions and messages. */
export const outcome = (r: Reply): string =>
  r.code === undefined ? String(r.status) : `${r.status} ${r.code}`;

/** An access token for an application (client credentials at the tenant's token endpoint). */
export async function appToken(
  base: string,
  publicUrl: string,
  tenantId: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const res = await send(base, 'POST', `/${tenantId}/oauth2/v2.0/token`, {
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${publicUrl}/.default`,
    }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  const token = (res.json as { access_token?: string } | undefined)?.access_token;
  if (res.status !== 200 || token === undefined)
    throw new Error(`token request failed: ${res.status} ${res.text}`);
  return token;
}

/**
 * A person's access token: the portal's authorization-code flow with PKCE over real HTTP, signing
 * in with a password on Elevate's own pages (a minimal cookie jar, redirects followed by hand).
 */
export async function userToken(
  base: string,
  publicUrl: string,
  userPrincipalName: string,
  password: string,
): Promise<string> {
  const jar = new Map<string, string>();
  const go = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>) => {
    const target = url.startsWith(publicUrl) ? base + url.slice(publicUrl.length) : new URL(url, base).href;
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie === '' ? {} : { cookie }),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body: form === undefined ? undefined : new URLSearchParams(form),
    });
    for (const header of res.headers.getSetCookie()) {
      const pair = header.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), value);
    }
    return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
  };
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${publicUrl}/portal/callback`;
  let res = await go(
    'GET',
    `/oauth2/v2.0/authorize?${new URLSearchParams({
      client_id: 'elevate-portal',
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile offline_access',
      state: 'reliability',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString()}`,
  );
  const page = res.location;
  res = await go('GET', page);
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1];
  if (csrf === undefined) throw new Error(`no sign-in form: ${res.status} ${res.body.slice(0, 300)}`);
  res = await go('POST', page, { csrf, step: 'password', username: userPrincipalName, password });
  for (let hop = 0; hop < 5 && !res.location.startsWith(redirectUri); hop += 1) {
    if (res.status !== 302 && res.status !== 303) break;
    res = await go('GET', res.location);
  }
  const code = res.location.startsWith(redirectUri) ? new URL(res.location).searchParams.get('code') : null;
  if (code === null) throw new Error(`sign-in did not finish: ${res.status} ${res.body.slice(0, 300)}`);
  const tokens = await send(base, 'POST', '/oauth2/v2.0/token', {
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: 'elevate-portal',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  const token = (tokens.json as { access_token?: string } | undefined)?.access_token;
  if (tokens.status !== 200 || token === undefined) throw new Error(`code redemption failed: ${tokens.text}`);
  return token;
}

export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
