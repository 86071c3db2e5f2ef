// Two Elevate replicas over one database: a sign-in may hop between them at every step.
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterEach, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from '../helpers/db.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import { Browser, pkcePair } from './support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  refresh,
  startSignIn,
  submit,
  type Tokens,
} from './support/sign-in.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => cleanup?.());

it('a sign-in started on one replica finishes on the other; refresh works on either', async () => {
  const db = await freshDb();
  const box = createSecretBox(randomBytes(32));
  const clock = new ManualClock(Date.now());
  const start = () =>
    createElevate({
      db,
      box,
      clock,
      logger: false,
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
      expirySweepIntervalMs: 0,
      auditCheckpointIntervalMs: 0,
    });
  const a: Elevate = await start();
  const b: Elevate = await start();
  cleanup = async () => {
    await a.app.close();
    await b.app.close();
    await db.drop();
  };
  const boot = a.bootstrapped;
  if (boot === undefined) throw new Error('first start bootstraps');
  expect(b.bootstrapped).toBeUndefined();
  const user = await addPasswordUser({ db, boot } as unknown as TestServer);

  let hop = 0;
  const alternating = {
    get app() {
      hop += 1;
      return hop % 2 === 1 ? a.app : b.app;
    },
  };
  const browser = new Browser(alternating);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(browser, challenge);
  const res = await submit(browser, page, csrf, 'password', { username: user.upn, password: PASSWORD });
  const code = await followToCode(browser, res);
  expect(hop).toBeGreaterThanOrEqual(4);

  const tokens = await redeem({ app: b.app } as TestServer, code, verifier);
  expect(tokens.statusCode, tokens.body).toBe(200);
  const first = tokens.json<Tokens>();
  expect(decodeJwt(first.access_token).oid).toBe(user.id);
  const rotated = await refresh({ app: a.app } as TestServer, first.refresh_token);
  expect(rotated.statusCode, rotated.body).toBe(200);
  // Reuse detected on the other replica too.
  expect((await refresh({ app: b.app } as TestServer, first.refresh_token)).statusCode).toBe(400);
  expect((await refresh({ app: a.app } as TestServer, rotated.json<Tokens>().refresh_token)).statusCode).toBe(
    400,
  );
});
