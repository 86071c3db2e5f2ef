import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/app/authorization/caller.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { buildApp } from '../../src/http/app.js';
import { FEATURE_ROUTES } from '../../src/modules/index.js';
import type { Services } from '../../src/http/services.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import { call, expectGraphError, GUID, UNKNOWN_ID, type Headers } from './support/graph.js';

describe('response headers and the error envelope', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it('puts a fresh request-id on every response, success or failure, and ignores a client-sent one', async () => {
    const responses = [
      await call(s, 'GET', '/v1.0/users', h),
      await call(s, 'POST', '/v1.0/groups', h, {
        displayName: 'G',
        mailNickname: 'g',
        mailEnabled: false,
        securityEnabled: true,
      }),
      await call(s, 'GET', '/v1.0/users', { ...h, 'request-id': 'chosen-by-client' }),
      await call(s, 'GET', '/v1.0/users'),
      await call(s, 'GET', '/v1.0/nothing-here', h),
      await call(s, 'GET', '/healthz'),
      await call(s, 'GET', '/openapi.json'),
      await call(s, 'GET', '/.well-known/openid-configuration'),
      await call(
        s,
        'POST',
        `/${s.boot.tenantId}/oauth2/v2.0/token`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        'grant_type=client_credentials&client_id=nobody&client_secret=nothing',
      ),
    ];
    expect(responses.at(-1)!.statusCode).toBe(401);
    const ids = responses.map((r) => r.headers['request-id']);
    for (const id of ids) expect(id).toMatch(GUID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(responses[3]!.json().error.innerError['request-id']).toBe(ids[3]);
    expect(responses[1]!.headers['x-content-type-options']).toBe('nosniff');
  });

  it('echoes a well-formed client-request-id in the header and in innerError', async () => {
    const crid = '7f1c2a9e-0b5d-4e3f-9a8b-1c2d3e4f5a6b';
    const ok = await call(s, 'GET', '/v1.0/users', { ...h, 'client-request-id': crid });
    expect(ok.headers['client-request-id']).toBe(crid);
    const denied = await call(s, 'GET', '/v1.0/users', { 'client-request-id': crid });
    expect(denied.headers['client-request-id']).toBe(crid);
    expectGraphError(denied, 401, 'InvalidAuthenticationToken', undefined, { clientRequestId: crid });
  });

  it.each([
    ['CR/LF (header injection)', 'abc\r\nset-cookie: session=evil'],
    ['a bare LF', 'abc\nx-evil: 1'],
    ['1 KB', 'a'.repeat(1024)],
    ['spaces and quotes', 'a "b" <c>'],
  ])('does not echo a client-request-id with %s: a generated one replaces it', async (_name, crid) => {
    const res = await call(s, 'GET', '/v1.0/me', { ...h, 'client-request-id': crid });
    expect(res.headers['client-request-id']).toBe(res.headers['request-id']);
    expect(res.headers).not.toHaveProperty('set-cookie');
    expect(res.headers).not.toHaveProperty('x-evil');
    expectGraphError(res, 400, 'BadRequest', undefined, {
      clientRequestId: res.headers['request-id'] as string,
    });
  });

  it('generates a client-request-id (a UUID, the request id) when none is sent, in the header and innerError', async () => {
    const ok = await call(s, 'GET', '/v1.0/users', h);
    expect(ok.headers['client-request-id']).toMatch(GUID);
    expect(ok.headers['client-request-id']).toBe(ok.headers['request-id']);
    const denied = await call(s, 'GET', '/v1.0/users', {});
    expect(denied.headers['client-request-id']).toMatch(GUID);
    expectGraphError(denied, 401, 'InvalidAuthenticationToken', undefined, {
      clientRequestId: denied.headers['request-id'] as string,
    });
    expect(denied.json().error.innerError['client-request-id']).not.toBe(ok.headers['client-request-id']);
  });

  it('answers unknown paths and methods with an envelope that does not echo the query', async () => {
    const res = await call(s, 'GET', '/v1.0/nope?secret=hunter2', h);
    expectGraphError(res, 400, 'BadRequest', "Resource not found for the segment 'nope'.");
    expect(res.body).not.toContain('hunter2');
    const put = await call(s, 'PUT', '/v1.0/users?secret=hunter2', h, {});
    expectGraphError(
      put,
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
    expect(put.body).not.toContain('hunter2');
    const long = await call(s, 'GET', `/v1.0/${'x'.repeat(5000)}`);
    expectGraphError(long, 400, 'BadRequest');
    expect(long.json().error.message.length).toBeLessThan(260);
    expectGraphError(
      await call(s, 'GET', '/nope?secret=hunter2'),
      404,
      'NotFound',
      'No resource matches GET /nope.',
    );
  });

  it('answers errors the router raises before any hook (bad escapes, over-long ids) with the envelope', async () => {
    expectGraphError(await call(s, 'GET', '/v1.0/users/%E0%A4%A', h), 400, 'BadRequest');
    const tooLong = await call(s, 'GET', `/v1.0/users/${'a'.repeat(600)}`, h);
    expectGraphError(tooLong, 414, 'BadRequest');
    expect(tooLong.headers['x-content-type-options']).toBe('nosniff');
    expect(tooLong.body).not.toContain('a'.repeat(100));
  });

  it('maps body-level failures to 4xx envelopes: broken JSON 400, non-JSON 415, oversized 413', async () => {
    const json = { ...h, 'content-type': 'application/json' };
    expectGraphError(
      await call(s, 'POST', '/v1.0/users', json, '{"displayName":'),
      400,
      'BadRequest',
      'The request body is not valid JSON.',
    );
    expectGraphError(
      await call(s, 'POST', '/v1.0/users', { ...h, 'content-type': 'application/xml' }, '<user/>'),
      415,
      'UnsupportedMediaType',
      'Content-Type must be application/json.',
    );
    expectGraphError(
      await call(s, 'POST', '/v1.0/users', json, JSON.stringify({ displayName: 'x'.repeat(1024 * 1024) })),
      413,
      'RequestBodyTooLarge',
      'The request body is too large.',
    );
  });
});

describe('5xx responses', () => {
  const SECRET = 'pg://elevate:hunter2@db.internal:5432';
  const caller: Caller = {
    kind: 'app',
    tenantId: 't',
    id: 'app',
    appId: 'app',
    appPermissions: [],
    amr: [],
    authTimeMs: null,
    ipAddress: null,
    userAgent: null,
    correlationId: null,
  };

  /** The HTTP app over use cases that fail in the ways a broken database or bug would. */
  async function failingApp() {
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const services = {
      authenticate: async (authorization: string | undefined) => {
        if (authorization === 'Bearer keys-down') throw new Error(`key store unreachable at ${SECRET}`);
        return caller;
      },
      ready: async () => ({ ready: true }),
      users: {
        list: async () => {
          throw new Error(`connection refused ${SECRET}`);
        },
        get: async () => ({ id: 42, displayName: null, createdAt: 0 }),
      },
    } as unknown as Services;
    const app = await buildApp({
      clock: systemClock,
      logger,
      publicUrl: PUBLIC_URL,
      services,
      routes: FEATURE_ROUTES,
    });
    return { app, lines };
  }

  it.each([
    ['a use case throws', '/v1.0/users', 'Bearer ok'],
    ['a response breaks its schema', `/v1.0/users/${UNKNOWN_ID}`, 'Bearer ok'],
    ['token verification cannot read its keys', '/v1.0/users', 'Bearer keys-down'],
  ])(
    'when %s: 500 generalException, no internals in the body, the cause in the log',
    async (_name, url, authorization) => {
      const { app, lines } = await failingApp();
      try {
        const res = await call({ app }, 'GET', url, { authorization });
        expectGraphError(res, 500, 'generalException', 'An internal error occurred.');
        expect(res.body).not.toMatch(/hunter2|stack|at \/|\.ts:|Error:/);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.join('\n')).toContain(res.headers['request-id']);
      } finally {
        await app.close();
      }
    },
  );
});
