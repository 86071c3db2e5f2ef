// A completed sign-in records the user's last sign-in time (the stale sign-in alert reads it);
// a refused one does not. Real password sign-in through the authorization code flow.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { inTx } from '../pim/support.js';
import { Browser, pkcePair } from './support/browser.js';
import { addPasswordUser, signIn, startSignIn, submit } from './support/sign-in.js';

describe('sign-in activity', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  const lastSignIn = async (userId: string) =>
    (await inTx(s, (tx) => tx.signInActivity.lastSignIns(s.boot.tenantId))).get(userId);

  it('records the time of each completed sign-in, forward only; a wrong password records nothing', async () => {
    const user = await addPasswordUser(s);
    expect(await lastSignIn(user.id)).toBeUndefined();

    const b = new Browser(s);
    const { challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const refused = await submit(b, page, csrf, 'password', {
      username: user.upn,
      password: 'not the password',
    });
    expect(refused.statusCode).toBeLessThan(500);
    expect(await lastSignIn(user.id)).toBeUndefined();

    const first = clock.now();
    await signIn(s, user);
    expect(await lastSignIn(user.id)).toBe(first);

    clock.advance(60_000);
    await signIn(s, user);
    expect(await lastSignIn(user.id)).toBe(first + 60_000);

    // A sign-in recorded late (an older time) never moves it back.
    await inTx(s, (tx) => tx.signInActivity.record(s.boot.tenantId, user.id, first));
    expect(await lastSignIn(user.id)).toBe(first + 60_000);
  });
});
