// Approval links (docs/notifications.md, "Approval links"): the buttons of a Slack or Teams message
// open a signed, single-use link; the approver signs in (password and authenticator app) and the
// decision goes through the approvals use case. Reused, expired, forged, other-approver and
// already-decided links are refused with an HTML page and change nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { when } from '../../src/domain/notifications/templates.js';
import { HOUR, ManualClock, USER_ADMINISTRATOR } from '../pim/support.js';
import { Browser } from '../identity/support/browser.js';
import {
  addChat,
  approvalSetup,
  followLink,
  parseSlack,
  parseTeams,
  postDecision,
  slackButtons,
  teamsButtons,
} from './chat-support.js';
import { asUsers, notifyServer, receiver, type NotifyServer } from './support.js';

const ROLE = USER_ADMINISTRATOR;
const path = (url: string) => url.replace('http://127.0.0.1:8080', '');

describe('approval links', () => {
  let s: NotifyServer;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let teams: Awaited<ReturnType<typeof receiver>>;

  beforeEach(async () => {
    // The authorization server stamps tokens with the system time: the clock starts there.
    s = await notifyServer({ clock: new ManualClock(Math.floor(Date.now() / 1000) * 1000) });
    slack = await receiver(() => 200);
    teams = await receiver(() => 200);
  });
  afterEach(async () => {
    await s.close();
    await slack.close();
    await teams.close();
  });

  /** The request's state as stored: its status, its steps and decisions, and the link uses. */
  const state = async (requestId: string) => ({
    request: await s.db.kysely
      .selectFrom('pim_schedule_requests')
      .select(['status', 'version'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow(),
    steps: await s.db.kysely
      .selectFrom('pim_approval_steps')
      .selectAll()
      .where('approval_id', '=', requestId)
      .execute(),
    uses: await s.db.kysely.selectFrom('approval_link_uses').selectAll().execute(),
    schedules: await s.db.kysely.selectFrom('pim_schedules').select('id').execute(),
  });

  async function announced() {
    const people = await approvalSetup(s);
    await addChat(s, 'slack', slack.url);
    await addChat(s, 'teams', teams.url);
    await s.flush();
    slack.calls.length = 0;
    teams.calls.length = 0;
    const request = await asUsers(s).activate(people.ada.id, ROLE);
    await s.flush();
    const sb = slackButtons(parseSlack(slack.calls[0]!.body));
    const tb = teamsButtons(parseTeams(teams.calls[0]!.body));
    const link = (buttons: typeof sb, label: string) => path(buttons.find((b) => b.label === label)!.url);
    return { ...people, request, sb, tb, link };
  }

  it('signs the approver in with MFA, shows the request, records the decision once through the approvals use case', async () => {
    const start = s.clock.now();
    const { bob, request, sb, link } = await announced();
    const approve = link(sb, `Approve as ${bob.name}`);

    const { res: page, b, signedIn } = await followLink(s, approve, bob);
    expect(signedIn).toBe(true);
    expect(page.statusCode, page.body).toBe(200);
    for (const fact of [
      'Approve this request?',
      'Ada Lovelace',
      'User Administrator',
      'Reset passwords for the help desk',
      'ServiceNow INC-4711',
      '2 hours',
      when(new Date(start + 4 * HOUR).toISOString()),
    ])
      expect(page.body).toContain(fact);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const cookies = b.setCookies.filter((c) => c.startsWith('elevate_approval_session='));
    expect(cookies[0]).toMatch(/HttpOnly/);
    expect(cookies[0]).toMatch(/SameSite=Lax/);
    expect(cookies[0]).toMatch(/Path=\/approvals\/link/);

    // A form without its CSRF token is refused and changes nothing.
    const before = await state(request.id);
    const noCsrf = await b.post(approve, { justification: 'x' });
    expect(noCsrf.statusCode).toBe(403);
    expect(await state(request.id)).toEqual(before);

    const done = await postDecision(b, approve, page.body, 'Checked the ticket');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain('You approved the request');
    const after = await state(request.id);
    expect(after.request.status).toBe('Provisioned');
    expect(after.steps[0]).toMatchObject({
      status: 'Completed',
      review_result: 'Approved',
      reviewed_by_id: bob.id,
    });
    expect(after.uses).toHaveLength(1);
    expect(after.schedules.length).toBe(before.schedules.length + 1);

    // Audited as a decision through an approval link.
    const entries = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['activity_display_name', 'payload'])
      .where('activity_display_name', '=', 'Add member to role request approved (PIM activation)')
      .execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.payload).toContain('"DecidedThrough"');
    expect(entries[0]!.payload).toContain('"ApprovalLink"');

    // Reused: refused (as a POST and as a GET), nothing changes.
    const again = await postDecision(b, approve, page.body, 'again');
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already been used');
    expect((await b.get(approve)).statusCode).toBe(410);
    expect(await state(request.id)).toEqual(after);
  });

  it('refuses forged, other-approver, already-decided and expired links, changing nothing', async () => {
    const { bob, cy, request, sb, tb, link } = await announced();
    const before = await state(request.id);

    // Forged: a changed claim (the approver), or a changed signature.
    const bobDeny = link(tb, `Deny as ${bob.name}`);
    const [body, sig] = bobDeny.slice('/approvals/link/'.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: cy.id })).toString('base64url');
    for (const forged of [
      `/approvals/link/${altered}.${sig}`,
      `/approvals/link/${body}.${sig.slice(0, -2)}AA`,
    ]) {
      const res = await new Browser(s).get(forged);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('altered');
    }
    expect((await new Browser(s).get('/approvals/link/not-a-token')).statusCode).toBe(400);

    // Another approver signed in: Cy follows Bob's link.
    const other = await followLink(s, bobDeny, cy);
    expect(other.res.statusCode).toBe(403);
    expect(other.res.body).toContain('another approver');
    const posted = await other.b.post(bobDeny, { csrf: 'x', justification: 'no' });
    expect(posted.statusCode).toBe(403);
    expect(await state(request.id)).toEqual(before);

    // Decided: Bob approves through the API, then Cy's own link has nothing to decide.
    const [step] = (await asUsers(s).steps(bob.id, request.id)).steps;
    await asUsers(s).decide(bob.id, request.id, step!.step.id, true);
    const decided = await state(request.id);
    s.clock.advance(31_000); // Cy's next code is a new one
    const late = await followLink(s, link(sb, `Approve as ${cy.name}`), cy);
    expect(late.res.statusCode).toBe(409);
    expect(late.res.body).toContain('no longer waits');
    expect(await state(request.id)).toEqual(decided);
  });

  it('refuses an approver signed in without MFA, and a link after the stage deadline (manual clock), changing nothing', async () => {
    const { bob, cy, request, sb, link } = await announced();
    const approve = link(sb, `Approve as ${bob.name}`);
    const before = await state(request.id);

    // Cy holds no second factor any more: a password alone is not enough to decide.
    await s.db.kysely.deleteFrom('user_factors').where('user_id', '=', cy.id).execute();
    const weak = await followLink(s, link(sb, `Approve as ${cy.name}`), cy);
    expect(weak.signedIn).toBe(true);
    expect(weak.res.statusCode).toBe(403);
    expect(weak.res.body).toContain('second factor');
    expect(await state(request.id)).toEqual(before);

    s.clock.advance(4 * HOUR);
    const res = await new Browser(s).get(approve);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('expired');
    expect(await state(request.id)).toEqual(before);
  });
});
