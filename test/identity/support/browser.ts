import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from '../../helpers/server.js';
import { PUBLIC_URL } from '../../helpers/server.js';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/**
 * A minimal browser over `app.inject()`: keeps cookies (by name and path, sent where the path
 * matches) and follows nothing by itself, so tests see every redirect.
 */
export class Browser {
  private cookies: Cookie[] = [];
  /** Every Set-Cookie header seen, raw, for attribute checks. */
  readonly setCookies: string[] = [];

  constructor(private readonly s: Pick<TestServer, 'app'>) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.send('GET', url);
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.send('POST', url, new URLSearchParams(form).toString());
  }

  /** A same-origin `fetch` with a JSON body, as the sign-in page's passkey script sends it. */
  async postJson(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.send('POST', url, JSON.stringify(body), 'application/json');
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    form?: string,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<LightMyRequestResponse> {
    const path = toPath(url);
    const pathname = path.split('?')[0] ?? '/';
    const cookie = this.cookies
      .filter(
        (c) =>
          pathname === c.path ||
          pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await this.s.app.inject({
      method,
      url: path,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form === undefined ? {} : { 'content-type': contentType }),
        'user-agent': 'vitest-browser',
      },
      ...(form === undefined ? {} : { payload: form }),
    });
    const raw = res.headers['set-cookie'];
    for (const header of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      this.setCookies.push(header);
      const [pair = '', ...attrs] = header.split(';').map((p) => p.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const pathAttr = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired =
        attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()) || value === '';
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === pathAttr));
      if (!expired) this.cookies.push({ name, value, path: pathAttr });
    }
    return res;
  }
}

export const toPath = (url: string): string =>
  url.startsWith(PUBLIC_URL) ? url.slice(PUBLIC_URL.length) : url;

export const REDIRECT_URI = `${PUBLIC_URL}/portal/callback`;
export const CLIENT_ID = 'elevate-portal';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(challenge: string | undefined, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile offline_access',
    state: 'st-1',
    ...(challenge === undefined ? {} : { code_challenge: challenge, code_challenge_method: 'S256' }),
    ...extra,
  });
  return `/oauth2/v2.0/authorize?${q.toString()}`;
}

/** The page's CSRF token: from a form, or from the passkey section the page script reads. */
export const csrfOf = (html: string): string =>
  (/name="csrf" value="([^"]+)"/.exec(html) ?? /data-csrf="([^"]+)"/.exec(html))?.[1] ?? '';
export const locationOf = (res: LightMyRequestResponse): string => toPath(String(res.headers.location ?? ''));
