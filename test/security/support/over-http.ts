import type { AddressInfo } from 'node:net';
import type { TestServer } from '../../helpers/server.js';

/** What the identity tests' `Browser` and helpers call on `app`: `inject`, answered here over real HTTP. */
interface Injected {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string;
  json<T = unknown>(): T;
}

/** Starts the test server listening on a random port of 127.0.0.1; returns its base URL. */
export async function listen(s: TestServer): Promise<string> {
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}

/**
 * A stand-in for `s.app` whose `inject` makes a real HTTP request to `base` from 127.0.0.1 (the
 * TCP peer the server sees), with `extraHeaders` (an `X-Forwarded-For`) on every request.
 * Redirects are not followed, as with `inject`.
 */
export function overHttp(base: string, extraHeaders: Record<string, string> = {}): Pick<TestServer, 'app'> {
  const inject = async (o: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<Injected> => {
    const res = await fetch(base + o.url, {
      method: o.method,
      headers: { ...o.headers, ...extraHeaders },
      ...(o.payload === undefined ? {} : { body: o.payload }),
      redirect: 'manual',
    });
    const body = await res.text();
    const headers: Record<string, string | string[]> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const cookies = res.headers.getSetCookie();
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    return { statusCode: res.status, headers, body, json: <T>() => JSON.parse(body) as T };
  };
  return { app: { inject } } as unknown as Pick<TestServer, 'app'>;
}
