// A token sent in a URL (`?access_token=…`) or any other secret-bearing query parameter never
// reaches the log in clear, nor do Authorization headers.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElevate, type Elevate } from '../../src/compose.js';
import { createLogger, redactUrl } from '../../src/http/logger.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { randomBytes } from 'node:crypto';
import { freshDb } from '../helpers/db.js';
import { PUBLIC_URL } from '../helpers/server.js';

describe('redactUrl', () => {
  it.each([
    ['/v1.0/users?access_token=abc&$top=1', '/v1.0/users?access_token=[redacted]&$top=1'],
    ['/x?ACCESS_TOKEN=abc', '/x?ACCESS_TOKEN=[redacted]'],
    ['/x?%61ccess_token=abc', '/x?%61ccess_token=[redacted]'],
    ['/cb?code=c0de&state=s', '/cb?code=[redacted]&state=s'],
    ['/x?client_secret=s3&password=p', '/x?client_secret=[redacted]&password=[redacted]'],
    ['/x?$filter=id eq 1', '/x?$filter=id eq 1'],
    ['/x', '/x'],
    ['/x?%E0%A4%A=1', '/x?%E0%A4%A=1'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});

describe('request logs', () => {
  let elevate: Elevate;
  let db: Awaited<ReturnType<typeof freshDb>>;
  const lines: string[] = [];
  beforeAll(async () => {
    db = await freshDb();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    elevate = await createElevate({
      db,
      box: createSecretBox(randomBytes(32)),
      clock: systemClock,
      logger: createLogger('info', sink),
      publicUrl: PUBLIC_URL,
      accessTokenTtlSeconds: 600,
      bootstrapAdminUpn: 'admin@contoso.test',
      outboxRelayIntervalMs: 0,
      expirySweepIntervalMs: 0,
      auditCheckpointIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await elevate.app.close();
    await db.drop();
  });

  it('keep no token from the URL or the Authorization header', async () => {
    const secret = 'eyJhbGciOiJFUzI1NiJ9.bm90LWEtcmVhbC10b2tlbg.c2lnbmF0dXJl';
    const res = await elevate.app.inject({
      method: 'GET',
      url: `/v1.0/users?access_token=${secret}&$top=1`,
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.statusCode).toBe(401);
    const log = lines.join('');
    expect(log).toContain('/v1.0/users?access_token=[redacted]&$top=1');
    expect(log).not.toContain(secret);
  });
});
