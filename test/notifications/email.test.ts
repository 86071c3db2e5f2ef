// Who hears what, by email: a real SMTP server on a random port receives what Elevate sends for each
// event; messages are parsed with mailparser and checked for recipients, wording, details and links.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import {
  call as pimCall,
  ELIGIBILITY_REQUESTS,
  HOUR,
  patchPolicy,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import { addUser, asUsers, notifyServer, smtpSink, useSmtp, type NotifyServer } from './support.js';

const ROLE = USER_ADMINISTRATOR;
const ADMIN = 'admin@contoso.test';

describe('notifications by email', () => {
  let s: NotifyServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let ada: Awaited<ReturnType<typeof addUser>>;
  let bob: Awaited<ReturnType<typeof addUser>>;
  let pat: Awaited<ReturnType<typeof addUser>>;
  const asTest = () => s as unknown as TestServer;

  beforeEach(async () => {
    s = await notifyServer();
    sink = await smtpSink();
    await useSmtp(s, sink.port);
    ada = await addUser(s, 'Ada Lovelace');
    bob = await addUser(s, 'Bob Approver');
    pat = await addUser(s, 'Pat Admin', { mail: null, roles: [PRIVILEGED_ROLE_ADMINISTRATOR] });
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
  });

  async function makeEligible(principalId: string) {
    const res = await pimCall(asTest(), 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminAssign',
      justification: 'Joins the help desk rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId,
      ticketInfo: { ticketNumber: 'CHG-12', ticketSystem: 'Jira' },
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>();
  }

  const requireApprovalBy = (...approverIds: string[]) =>
    patchPolicy(asTest(), ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequired = true;
      setting.approvalStages[0]!.primaryApprovers = approverIds.map((userId) => ({
        '@odata.type': '#microsoft.graph.singleUser' as const,
        userId,
      }));
    });

  it('eligibility granted: the principal and the administrators, each their own message', async () => {
    const request = await makeEligible(ada.id);
    await s.flush();
    expect(
      sink.mails
        .map((m) => m.envelopeTo)
        .flat()
        .sort(),
    ).toEqual([ada.mail, ADMIN, pat.upn].sort());

    const [mine] = sink.to(ada.mail!);
    expect(mine!.subject).toBe('You are now eligible for User Administrator');
    expect(mine!.from?.value).toEqual([{ address: 'pim@contoso.test', name: 'Elevate PIM' }]);
    expect(mine!.text).toContain('made you eligible for the User Administrator role');
    expect(mine!.text).toContain('Why: Joins the help desk rota');
    expect(mine!.text).toContain('Ticket: Jira CHG-12');
    expect(mine!.text).toContain('When: 2026-11-27 10:15 UTC to 2027-02-25 10:15 UTC (90 days)');
    expect(mine!.text).toContain(
      `Request: ${PUBLIC_URL}/v1.0/roleManagement/directory/roleEligibilityScheduleRequests/${request.id}`,
    );
    expect(mine!.html).toContain(
      `href="${PUBLIC_URL}/v1.0/roleManagement/directory/roleEligibilityScheduleRequests/${request.id}"`,
    );
    expect(mine!.headers.get('x-elevate-event-type')).toBe('eligibility.granted');

    // Administrators read about someone else; Pat has no mail, so the UPN is used.
    for (const to of [ADMIN, pat.upn]) {
      const [theirs] = sink.to(to);
      expect(theirs!.subject, to).toBe('Ada Lovelace is now eligible for User Administrator');
      expect(theirs!.text).toContain(`Who: Ada Lovelace (${ada.upn})`);
    }
  });

  it('activation requested: only the approvers, with the request, the reason, the ticket and the deadline', async () => {
    await makeEligible(ada.id);
    await requireApprovalBy(bob.id);
    await s.flush();
    sink.mails.length = 0;

    const request = await asUsers(s).activate(ada.id, ROLE, { duration: 'PT2H' });
    expect(request.status).toBe('PendingApproval');
    await s.flush();
    expect(sink.mails.map((m) => m.envelopeTo)).toEqual([[bob.mail]]);
    const [m] = sink.mails;
    expect(m!.subject).toBe('Approval needed: Ada Lovelace asks to activate User Administrator');
    expect(m!.text).toContain('Ada Lovelace asks to activate the User Administrator role for 2 hours.');
    expect(m!.text).toContain('before 2026-11-28 10:15 UTC');
    expect(m!.text).toContain('Why: Reset passwords for the help desk');
    expect(m!.text).toContain('Ticket: ServiceNow INC-4711');
    expect(m!.text).toContain('Decide by: 2026-11-28 10:15 UTC');
    expect(m!.text).toContain(
      `Approval: ${PUBLIC_URL}/beta/roleManagement/directory/roleAssignmentApprovals/${request.id}`,
    );
    expect(m!.html).toContain(
      '<th style="padding:4px 12px 4px 0;vertical-align:top;text-align:left;color:#555">Why</th>',
    );
  });

  it('approved: the requestor hears approved and activated, the approver approved, the administrators activated', async () => {
    await makeEligible(ada.id);
    await requireApprovalBy(bob.id);
    const request = await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    sink.mails.length = 0;

    s.clock.advance(HOUR);
    const [step] = (await asUsers(s).steps(bob.id, request.id)).steps;
    await asUsers(s).decide(bob.id, request.id, step!.step.id, true, 'On call this week');
    await s.flush();
    const subjects = (to: string) =>
      sink
        .to(to)
        .map((m) => m.subject)
        .sort();
    expect(subjects(ada.mail!)).toEqual([
      'User Administrator is active for you',
      'Your request for User Administrator was approved',
    ]);
    expect(subjects(bob.mail!)).toEqual(['Approved: Ada Lovelace for User Administrator']);
    expect(subjects(ADMIN)).toEqual(['Ada Lovelace activated User Administrator']);
    expect(subjects(pat.upn)).toEqual(['Ada Lovelace activated User Administrator']);
    const approved = sink.to(ada.mail!).find((m) => m.subject?.includes('approved'))!;
    expect(approved.text).toContain('Bob Approver approved your request');
    expect(approved.text).toContain("Approver's reason: On call this week");
    // The activation clock started at approval: 11:15 to 13:15.
    const active = sink.to(ada.mail!).find((m) => m.subject?.includes('active'))!;
    expect(active.text).toContain('When: 2026-11-27 11:15 UTC to 2026-11-27 13:15 UTC (2 hours)');
  });
});
