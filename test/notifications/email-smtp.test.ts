// The SMTP channel's transport: STARTTLS with credentials and implicit TLS against real servers
// with a throwaway certificate; a refused login is a failed attempt, retried with back-off.
import { afterEach, describe, expect, it } from 'vitest';
import { call as pimCall, ELIGIBILITY_REQUESTS, USER_ADMINISTRATOR } from '../pim/support.js';
import { addUser, deliveries, notifyServer, smtpSink, useSmtp, type NotifyServer } from './support.js';

describe('SMTP transport', () => {
  let s: NotifyServer | undefined;
  let sink: Awaited<ReturnType<typeof smtpSink>> | undefined;
  afterEach(async () => {
    await s?.close();
    await sink?.close();
  });

  async function grantEligibility(server: NotifyServer, principalId: string) {
    const res = await pimCall(server, 'POST', ELIGIBILITY_REQUESTS, await server.admin(), {
      action: 'adminAssign',
      justification: 'rota',
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  it('STARTTLS with a user name and password: the server sees the login over TLS', async () => {
    sink = await smtpSink({ tls: true, user: 'elevate', password: 'correct horse battery' });
    s = await notifyServer({ notifications: { smtpTls: { ca: sink.ca! } } });
    const channel = await useSmtp(s, sink.port, {
      host: 'localhost',
      security: 'starttls',
      username: 'elevate',
      password: 'correct horse battery',
    });
    expect(channel).toMatchObject({ security: 'starttls', username: 'elevate', hasPassword: true });
    expect(JSON.stringify(channel)).not.toContain('correct horse');
    const ada = await addUser(s, 'Ada Lovelace');
    await grantEligibility(s, ada.id);
    await s.flush();
    expect(sink.to(ada.mail!).map((m) => m.authUser)).toEqual(['elevate']);
  });

  it('a wrong password fails the attempt (retried later), and the password is stored sealed', async () => {
    sink = await smtpSink({ tls: true, user: 'elevate', password: 'correct horse battery' });
    s = await notifyServer({ notifications: { smtpTls: { ca: sink.ca! } } });
    await useSmtp(s, sink.port, {
      host: 'localhost',
      security: 'starttls',
      username: 'elevate',
      password: 'wrong',
    });
    const row = await s.db.kysely
      .selectFrom('notification_email_channels')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.password_sealed).toMatch(/^v1\./);
    expect(row.password_sealed).not.toContain('wrong');
    const ada = await addUser(s, 'Ada Lovelace');
    await grantEligibility(s, ada.id);
    const run = await s.flush();
    expect(run.failed).toBeGreaterThan(0);
    expect(sink.mails).toEqual([]);
    const [d] = await deliveries(s, `recipient eq '${ada.mail!}'`);
    expect(d).toMatchObject({ status: 'failed', attempts: 1 });
    expect(d!.lastError).toMatch(/Invalid login|auth/i);
    expect(d!.nextAttemptDateTime).toBe(new Date(s.clock.now() + 15_000).toISOString());
  });

  it('implicit TLS from the first byte', async () => {
    sink = await smtpSink({ tls: true, user: 'elevate', password: 'pw', implicit: true });
    s = await notifyServer({ notifications: { smtpTls: { ca: sink.ca! } } });
    await useSmtp(s, sink.port, { host: 'localhost', security: 'tls', username: 'elevate', password: 'pw' });
    const ada = await addUser(s, 'Ada Lovelace');
    await grantEligibility(s, ada.id);
    await s.flush();
    expect(sink.to(ada.mail!)).toHaveLength(1);
  });
});
