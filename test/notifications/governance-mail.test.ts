// Governance mail (ADR 0033) through a real SMTP server, parsed with mailparser: new PIM alert
// incidents (a break-glass use among them) reach Security and Global Administrators once, not on
// every rescan; an access review's sendReminder reaches the reviewers who still have items, when
// the review mails reminders. Everything goes through the outbox, after commit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GLOBAL_ADMINISTRATOR,
  SECURITY_ADMINISTRATOR,
  SECURITY_READER,
} from '../../src/domain/roles/built-in-role-ids.js';
import type { TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from '../identity/support/sign-in.js';
import { eligibleForever } from '../pim/support.js';
import {
  createDefinition,
  DEFINITIONS,
  definitionBody,
  USER_ADMINISTRATOR,
  userReviewer,
} from '../access-reviews/support.js';
import { addUser, call, notifyServer, smtpSink, useSmtp, type NotifyServer } from './support.js';

const ALERTS = '/beta/identityGovernance/roleManagementAlerts';

let s: NotifyServer;
let sink: Awaited<ReturnType<typeof smtpSink>>;

beforeEach(async () => {
  s = await notifyServer({ requireMfaRegistration: false });
  sink = await smtpSink();
  await useSmtp(s, sink.port);
});
afterEach(async () => {
  await s.close();
  await sink.close();
});

const asTest = () => s as unknown as TestServer;
const alertId = (name: string) => `DirectoryRole_${s.boot.tenantId}_${name}`;

describe('new alert incidents', () => {
  it('a break-glass sign-in mails every Security and Global Administrator at once; a rescan mails nobody again', async () => {
    const ga = await addUser(s, 'Grace Admin', { roles: [GLOBAL_ADMINISTRATOR] });
    const sec = await addUser(s, 'Sam Security', { roles: [SECURITY_ADMINISTRATOR] });
    const reader = await addUser(s, 'Rita Reader', { roles: [SECURITY_READER] });
    const glass = await addPasswordUser(asTest());
    const marked = await call(s, 'POST', '/v1.0/elevate/breakGlassAccounts', await s.admin(), {
      userId: glass.id,
    });
    expect(marked.statusCode, marked.body).toBe(201);
    await s.flush();
    expect(sink.governance).toHaveLength(0); // marking raised no incident

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(s.clock.now());
    try {
      await signIn(asTest(), glass);
    } finally {
      vi.useRealTimers();
    }
    const use = await s.db.kysely.selectFrom('break_glass_uses').select('id').executeTakeFirstOrThrow();
    await s.flush();
    for (const who of [ga, sec]) {
      const [mail, ...more] = sink.governanceTo(who.mail!);
      expect(more).toEqual([]);
      expect(mail!.subject).toBe('[high severity] A break-glass account was used: 1 new incident');
      expect(mail!.text).toContain(`- ${use.id}: assigneeId: ${glass.id}`);
      expect(mail!.text).toContain(`assigneeUserPrincipalName: ${glass.upn}`);
      expect(mail!.text).toContain(`/uses/{useId}/justify`);
      expect(mail!.text).toContain(
        `/beta/identityGovernance/roleManagementAlerts/alerts/${alertId('BreakGlassAccountUsedAlert')}`,
      );
      expect(mail!.headers.get('x-elevate-event-type')).toBe('alerts.incidentsChanged');
    }
    expect(sink.governanceTo(reader.mail!)).toEqual([]);
    expect(sink.governanceTo(glass.upn)).toEqual([]);

    // Rescanning finds the same incident: no new incident, no mail.
    const count = sink.governance.length;
    const refresh = await call(
      s,
      'POST',
      `${ALERTS}/alerts/${alertId('BreakGlassAccountUsedAlert')}/refresh`,
      await s.admin(),
    );
    expect(refresh.statusCode).toBe(202);
    await s.flush();
    expect(sink.governance).toHaveLength(count);
  });

  it('any alert: new incidents are mailed once; an unchanged rescan is not', async () => {
    const sec = await addUser(s, 'Sam Security', { roles: [SECURITY_ADMINISTRATOR] });
    const outside = alertId('RolesAssignedOutsidePimAlert');
    const refresh = async () => {
      const res = await call(s, 'POST', `${ALERTS}/alerts/${outside}/refresh`, await s.admin());
      expect(res.statusCode).toBe(202);
      await s.flush();
    };
    await refresh();
    const mails = sink.governanceTo(sec.mail!);
    expect(mails).toHaveLength(1);
    // The bootstrap administrator's and Sam's direct assignments.
    expect(mails[0]!.subject).toBe(
      '[high severity] Roles are being assigned outside of Privileged Identity Management: 2 new incidents',
    );
    await refresh();
    expect(sink.governanceTo(sec.mail!)).toHaveLength(1);
    // Without an enabled email channel nothing is sent (and the consumer moves on).
    await addUser(s, 'Second Security', { roles: [SECURITY_ADMINISTRATOR] });
    const off = await call(s, 'PATCH', '/v1.0/elevate/notifications/email', await s.admin(), {
      isEnabled: false,
    });
    expect(off.statusCode, off.body).toBe(200);
    await addUser(s, 'Third Admin', { roles: [GLOBAL_ADMINISTRATOR] });
    await refresh();
    expect(sink.governanceTo(sec.mail!)).toHaveLength(1);
  });
});

describe('access review reminders', () => {
  async function startedReview(settings: Record<string, unknown> = {}) {
    const ann = await addUser(s, 'Ann Reviewer');
    const ben = await addUser(s, 'Ben Reviewer');
    const eli = await addUser(s, 'Eli Eligible');
    await eligibleForever(asTest(), s.clock, eli.id, USER_ADMINISTRATOR);
    const admin = await s.admin();
    const id = await createDefinition(
      asTest(),
      admin,
      definitionBody({
        displayName: 'Admins, Q4',
        roles: [USER_ADMINISTRATOR],
        reviewers: [userReviewer(ann.id), userReviewer(ben.id)],
        settings: { recurrence: null, ...settings },
      }),
    );
    expect((await s.accessReviews.runDue()).created).toBe(1);
    const instances = await call(s, 'GET', `${DEFINITIONS}/${id}/instances`, admin);
    const instanceId = instances.json<{ value: { id: string }[] }>().value[0]!.id;
    // Twice: the alert scan the eligibility triggered records events of its own.
    await s.flush();
    await s.flush();
    sink.governance.length = 0;
    return { ann, ben, base: `${DEFINITIONS}/${id}/instances/${instanceId}` };
  }

  it('sendReminder mails each reviewer with items left, with a link to their decisions', async () => {
    const { ann, ben, base } = await startedReview();
    const res = await call(s, 'POST', `${base}/sendReminder`, await s.admin());
    expect(res.statusCode, res.body).toBe(204);
    expect(sink.governance).toHaveLength(0); // nothing before the outbox delivers it
    await s.flush();
    for (const who of [ann, ben]) {
      const [mail, ...more] = sink.governanceTo(who.mail!);
      expect(more).toEqual([]);
      expect(mail!.subject).toBe('Reminder: access review "Admins, Q4" is waiting for your decisions');
      expect(mail!.text).toContain(`${base}/decisions/filterByCurrentUser(on='reviewer')`);
      expect(mail!.text).toMatch(/The review ends at \d{4}-\d\d-\d\dT/);
    }
    expect(sink.governance).toHaveLength(2);
  });

  it('sends nothing when the review turns reminders or mail off', async () => {
    for (const settings of [{ reminderNotificationsEnabled: false }, { mailNotificationsEnabled: false }]) {
      const { base } = await startedReview(settings);
      expect((await call(s, 'POST', `${base}/sendReminder`, await s.admin())).statusCode).toBe(204);
      await s.flush();
      expect(sink.governance).toHaveLength(0);
    }
  });
});
