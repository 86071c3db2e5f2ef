// "Ending soon" notices on the manual clock with a real SMTP server and a signed webhook: the holder
// of an activation hears 15 minutes before it ends, the principal of an eligibility 14 days before;
// each end once, also when the sweeper runs twice; an extended end is announced again; a schedule
// removed before its lead time is never announced.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventSchema } from '../../src/domain/notifications/event-schemas.js';
import type { TestServer } from '../helpers/server.js';
import {
  auditOf,
  DAY,
  ELIGIBILITY_REQUESTS,
  HOUR,
  MINUTE,
  call as pimCall,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import {
  addUser,
  addWebhook,
  asUsers,
  notifyServer,
  receiver,
  smtpSink,
  useSmtp,
  verify,
  type NotifyServer,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;

describe('ending-soon notices', () => {
  let s: NotifyServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let ada: Awaited<ReturnType<typeof addUser>>;

  beforeEach(async () => {
    s = await notifyServer();
    sink = await smtpSink();
    await useSmtp(s, sink.port);
    hooks = await receiver();
    ada = await addUser(s, 'Ada Lovelace');
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
    await hooks.close();
  });

  /** One sweep, then the outbox and the deliveries it caused. */
  async function sweepAndSend() {
    await s.sweeper.runOnce();
    await s.flush();
  }

  /** An eligibility for 30 days, made by the administrator now. */
  async function eligibleFor30Days() {
    const made = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminAssign',
      justification: 'Joins the help desk rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: ada.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(made.statusCode, made.body).toBe(201);
  }

  it('tells the holder 15 minutes before an activation ends, once, by email and signed webhook', async () => {
    await eligibleFor30Days();
    const hook = await addWebhook(s, hooks.url, { eventTypes: ['activation.endingSoon'] });
    const start = s.clock.now();
    await asUsers(s).activate(ada.id, ROLE, { duration: 'PT2H' });
    await s.flush();
    sink.mails.length = 0;

    s.clock.set(start + 2 * HOUR - 15 * MINUTE - 1);
    await sweepAndSend();
    expect(sink.mails).toEqual([]);
    s.clock.set(start + 2 * HOUR - 15 * MINUTE);
    await sweepAndSend();
    // A second sweeper (or run) at the same instant announces nothing more.
    await sweepAndSend();
    expect(sink.mails.map((m) => m.envelopeTo)).toEqual([[ada.mail]]);
    const [mail] = sink.mails;
    expect(mail!.subject).toBe('Your User Administrator activation ends at 2026-11-27 12:15 UTC');
    expect(mail!.text).toContain('Extend it now if you still need it');
    expect(mail!.headers.get('x-elevate-event-type')).toBe('activation.endingSoon');
    const body = verify(hook.secret!, hooks.accepted()[0]!, s.clock) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('activation.endingSoon');
    const data = (eventSchema('activation.endingSoon').properties as { data: { required: string[] } }).data;
    expect(Object.keys(body.data).sort()).toEqual([...data.required].sort());
    expect(body.data.actor).toBeNull();
    // Recorded once, by the system, with the schedule it announced.
    const notices = await auditOf(s as unknown as TestServer, 'Role ending soon notice sent (PIM)');
    expect(notices).toHaveLength(1);

    // Then it ends as usual: the expiry is its own message.
    s.clock.set(start + 2 * HOUR);
    expect(await s.sweeper.runOnce()).toBe(1);
    await s.flush();
    expect(sink.mails.map((m) => m.subject).slice(1)).toEqual([
      'Your User Administrator activation has ended',
    ]);
  });

  it('tells the principal 14 days before an eligibility expires, and again for an extended end', async () => {
    const start = s.clock.now();
    await eligibleFor30Days();
    await s.flush();
    sink.mails.length = 0;
    s.clock.set(start + 16 * DAY - 1);
    await sweepAndSend();
    expect(sink.mails).toEqual([]);
    s.clock.set(start + 16 * DAY);
    await sweepAndSend();
    await sweepAndSend();
    expect(sink.mails.map((m) => [m.envelopeTo, m.subject])).toEqual([
      [[ada.mail], 'Your eligibility for User Administrator expires on 2026-12-27 10:15 UTC'],
    ]);
    sink.mails.length = 0;

    // The administrator extends it by 30 days: the new end is announced once, 14 days before it.
    const extended = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminExtend',
      justification: 'Still on the rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: ada.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P60D' } },
    });
    expect(extended.statusCode, extended.body).toBe(201);
    await s.flush();
    sink.mails.length = 0;
    const schedules = await pimCall(
      s,
      'GET',
      `/v1.0/roleManagement/directory/roleEligibilitySchedules?$filter=${encodeURIComponent(`principalId eq '${ada.id}'`)}`,
      await s.admin(),
    );
    const end = Date.parse(
      schedules.json<{ value: { scheduleInfo: { expiration: { endDateTime: string } } }[] }>().value[0]!
        .scheduleInfo.expiration.endDateTime,
    );
    expect(end).toBeGreaterThan(start + 30 * DAY);
    await sweepAndSend();
    s.clock.set(end - 14 * DAY - 1);
    await sweepAndSend();
    expect(sink.mails).toEqual([]);
    s.clock.set(end - 14 * DAY);
    await sweepAndSend();
    await sweepAndSend();
    expect(sink.mails.map((m) => m.subject)).toEqual([
      `Your eligibility for User Administrator expires on ${new Date(end).toISOString().slice(0, 10)} ${new Date(end).toISOString().slice(11, 16)} UTC`,
    ]);
  });

  it('never announces a schedule removed before its lead time', async () => {
    await eligibleFor30Days();
    const start = s.clock.now();
    await asUsers(s).activate(ada.id, ROLE, { duration: 'PT1H' });
    s.clock.set(start + 10 * MINUTE);
    await asUsers(s).deactivate(ada.id, ROLE);
    s.clock.set(start + 50 * MINUTE);
    await sweepAndSend();
    expect(
      sink.mails.filter((m) => m.headers.get('x-elevate-event-type') === 'activation.endingSoon'),
    ).toEqual([]);
  });
});
