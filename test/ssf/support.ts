import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { createElevate, type Elevate } from '../../src/compose.js';
import type { BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { createSecretBox, type SecretBox } from '../../src/store/secret-box.js';
import { ShiftedClock } from '../connectors/support.js';
import { freshDb } from '../helpers/db.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { adminAt, type Headers } from '../pim/support.js';

export const STREAMS = '/ssf/streams';
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
export const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

export interface SsfServer extends Elevate {
  boot: BootstrapResult;
  box: SecretBox;
  clock: ShiftedClock;
  db: Awaited<ReturnType<typeof freshDb>>;
  admin(): Promise<Headers>;
  close(): Promise<void>;
}

/**
 * An Elevate on a shifted real clock with its outbox relay, expiry sweeper and SET delivery worker
 * running every 100 ms; receivers on loopback, so `http://` endpoints are allowed.
 */
export async function ssfServer(o: { backoff?: { baseMs: number; maxMs: number } } = {}): Promise<SsfServer> {
  const db = await freshDb({ pgPoolSize: 8 });
  const clock = new ShiftedClock();
  const box = createSecretBox(randomBytes(32));
  const elevate = await createElevate({
    db,
    box,
    clock,
    logger: false,
    publicUrl: PUBLIC_URL,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    outboxRelayIntervalMs: 100,
    expirySweepIntervalMs: 100,
    accessReviewIntervalMs: 0,
    alertScanIntervalMs: 0,
    auditCheckpointIntervalMs: 0,
    notifications: { workerIntervalMs: 0 },
    connectors: { off: true },
    // The test's receivers listen on the loopback interface.
    outbound: { allowNetworks: ['127.0.0.0/8'] },
    ssf: { allowHttp: true, workerIntervalMs: 100, backoff: o.backoff ?? { baseMs: 200, maxMs: 400 } },
  });
  const boot = elevate.bootstrapped;
  if (!boot) throw new Error('a fresh database must bootstrap');
  const server: SsfServer = {
    ...elevate,
    boot,
    box,
    clock,
    db,
    admin: () => adminAt(server as unknown as TestServer, clock),
    async close() {
      await elevate.app.close();
      await db.drop();
    },
  };
  return server;
}

/** One push a receiver got. */
export interface Push {
  contentType: string | undefined;
  authorization: string | undefined;
  jwt: string;
  /** When it arrived, on the server's clock. */
  at: number;
}

/** What the receiver answers: a status and a body. */
export type Answer = (p: Push) => { status: number; body?: unknown };

/**
 * A real RFC 8935 push receiver on a loopback port: records every POST and answers with `answer`
 * (202 by default). `down()` closes the port (connection refused), `up()` listens on it again.
 */
export async function receiver(clock: ShiftedClock, answer: Answer = () => ({ status: 202 })) {
  const pushes: Push[] = [];
  const state = { answer };
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => resolve(body));
    });
  let server: Server = createServer();
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    void read(req).then((jwt) => {
      const p: Push = {
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        jwt,
        at: clock.now(),
      };
      pushes.push(p);
      const a = state.answer(p);
      res.statusCode = a.status;
      if (a.body !== undefined) res.setHeader('content-type', 'application/json');
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  };
  server.on('request', handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  return {
    url: `http://127.0.0.1:${port}/events`,
    pushes,
    answer(a: Answer) {
      state.answer = a;
    },
    async down() {
      server.closeAllConnections();
      await close();
    },
    async up() {
      server = createServer(handler);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: async () => {
      server.closeAllConnections();
      if (server.listening) await close();
    },
  };
}

/** Verifies a SET against Elevate's published JWKS (`jwks_uri` of the SSF metadata), with `iss` and `aud`. */
export async function verifySet(s: SsfServer, jwt: string, audience: string): Promise<JWTPayload> {
  const meta = await s.app.inject({ method: 'GET', url: '/.well-known/ssf-configuration' });
  const jwksPath = new URL(meta.json<{ jwks_uri: string }>().jwks_uri).pathname;
  const jwks = (await s.app.inject({ method: 'GET', url: jwksPath })).json<JSONWebKeySet>();
  const header = decodeProtectedHeader(jwt);
  if (header.typ !== 'secevent+jwt') throw new Error(`typ ${String(header.typ)}`);
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
    issuer: PUBLIC_URL,
    audience,
    typ: 'secevent+jwt',
    currentDate: new Date(s.clock.now()),
  });
  return payload;
}

/** Waits until `check` holds (polling every 25 ms), or fails after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
