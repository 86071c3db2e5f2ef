import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/time/clock.js';
import { buildApp, type App } from '../../src/http/app.js';
import type { Services } from '../../src/http/services.js';
import { FEATURE_ROUTES } from '../../src/modules/index.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import { GUID } from './support/graph.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` on a fresh TCP connection and reads until the server closes it. */
function rawExchange(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const at = line.indexOf(':');
          return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(request);
  });
}

const listening = async (app: App) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
};

/** The Graph envelope, its request-id equal to the header's. */
function expectEnvelope(res: RawResponse, status: number, code: string, message: string) {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['request-id']).toMatch(GUID);
  expect(JSON.parse(res.body)).toStrictEqual({
    error: {
      code,
      message,
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': res.headers['request-id'],
        // None was sent, so the request id stands in for it (as for every other answer).
        'client-request-id': res.headers['request-id'],
      },
    },
  });
}

describe('errors Node raises before a request exists', () => {
  let s: TestServer;
  let port: number;
  beforeAll(async () => {
    s = await testServer();
    port = await listening(s.app);
  });
  afterAll(() => s.close());

  it('answers 40 KB of headers with 431 in the Graph envelope, not Fastify’s body', async () => {
    const res = await rawExchange(
      port,
      `GET /v1.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(40 * 1024)}\r\n\r\n`,
    );
    expectEnvelope(res, 431, 'RequestHeaderFieldsTooLarge', 'The request headers are too large.');
    expect(res.headers.connection).toBe('close');
    expect(res.body).not.toContain('statusCode');
  });

  it('answers an unparseable request line with 400 in the Graph envelope', async () => {
    const res = await rawExchange(port, 'NOT-HTTP\r\n\r\n');
    expectEnvelope(res, 400, 'BadRequest', 'The request is malformed.');
  });

  it('still serves ordinary requests on the same server', async () => {
    const res = await rawExchange(
      port,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(200);
  });
});

describe('a request that does not arrive in time', () => {
  let app: App;
  let port: number;
  beforeAll(async () => {
    const services = { authenticate: async () => ({}), ready: async () => ({ ready: true }) };
    app = await buildApp({
      clock: systemClock,
      logger: false,
      publicUrl: PUBLIC_URL,
      services: services as unknown as Services,
      routes: FEATURE_ROUTES,
      requestTimeoutMs: 300,
    });
    port = await listening(app);
  });
  afterAll(() => app.close());

  it('is answered 408 in the Graph envelope and the connection closed', async () => {
    const started = Date.now();
    // Headers never finished: the client stalls after the first header line.
    const res = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expectEnvelope(res, 408, 'RequestTimeout', 'The request was not received in time.');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
