// Slack and Teams channels (docs/notifications.md): real HTTP receivers on random ports play the
// incoming webhooks. An approval request reaches each channel once, in a payload valid for its
// platform, with Approve / Deny buttons per approver; its outcome follows as a second message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import { HOUR, MINUTE, patchPolicy, USER_ADMINISTRATOR } from '../pim/support.js';
import {
  addChat,
  approvalSetup,
  parseSlack,
  parseTeams,
  slackButtons,
  teamsButtons,
} from './chat-support.js';
import { asUsers, BASE, call, deliveries, notifyServer, receiver, type NotifyServer } from './support.js';

const ROLE = USER_ADMINISTRATOR;

describe('Slack and Teams channels', () => {
  let s: NotifyServer;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let teams: Awaited<ReturnType<typeof receiver>>;

  beforeEach(async () => {
    s = await notifyServer();
    slack = await receiver(() => 200);
    teams = await receiver(() => 200);
  });
  afterEach(async () => {
    await s.close();
    await slack.close();
    await teams.close();
  });

  it('is configured through the API with its URL sealed, never returned; bad config is refused and changes nothing', async () => {
    const admin = await s.admin();
    const made = await addChat(s, 'slack', `${slack.url}?token=secret-part`);
    expect(made).toMatchObject({ kind: 'slack', urlHost: new URL(slack.url).host, eventTypes: [] });
    expect(JSON.stringify(made)).not.toContain('secret-part');
    const read = await call(s, 'GET', `${BASE}/chatChannels/${made.id}`, admin);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('secret-part');
    expect(read.body).not.toContain('/hooks/elevate');
    const row = await s.db.kysely
      .selectFrom('notification_chat_channels')
      .selectAll()
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    expect(row.url_sealed).not.toContain('secret-part');
    expect(row.url_sealed.startsWith('v1.')).toBe(true);

    const before = await call(s, 'GET', `${BASE}/chatChannels`, admin);
    for (const bad of [
      { kind: 'discord', displayName: 'x', url: slack.url },
      { kind: 'slack', displayName: 'x', url: 'ftp://hooks.slack.test/x' },
      { kind: 'teams', displayName: 'x', url: 'https://user:pw@teams.test/x' },
      { kind: 'slack', displayName: '', url: slack.url },
      { kind: 'slack', displayName: 'x', url: slack.url, eventTypes: ['activation.nope'] },
      { kind: 'slack', displayName: 'x', url: slack.url, secret: 'whsec_x' },
    ]) {
      const res = await call(s, 'POST', `${BASE}/chatChannels`, admin, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json<{ error: { code: string; message: string } }>().error.message).toBeTruthy();
    }
    const patchBad = await call(s, 'PATCH', `${BASE}/chatChannels/${made.id}`, admin, { kind: 'teams' });
    expect(patchBad.statusCode).toBe(400);
    expect((await call(s, 'GET', `${BASE}/chatChannels`, admin)).body).toBe(before.body);
    expect(
      (await call(s, 'GET', `${BASE}/chatChannels/00000000-0000-4000-8000-000000000000`, admin)).statusCode,
    ).toBe(404);

    const audit = await s.db.kysely
      .selectFrom('audit_entries')
      .select('activity_display_name')
      .where('activity_display_name', '=', 'Add notification chat channel')
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('announces an approval request to each channel with buttons per approver, then its outcome as a follow-up', async () => {
    const { ada, bob, cy } = await approvalSetup(s);
    await addChat(s, 'slack', slack.url);
    await addChat(s, 'teams', teams.url);
    // A channel that filters out requests hears nothing of them.
    const quiet = await receiver(() => 200);
    await addChat(s, 'slack', quiet.url, { eventTypes: ['eligibility.granted'] });
    await s.flush();
    slack.calls.length = 0;
    teams.calls.length = 0;
    quiet.calls.length = 0;

    const request = await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    expect(slack.accepted()).toHaveLength(1);
    expect(teams.accepted()).toHaveLength(1);
    expect(quiet.calls).toHaveLength(0);
    await quiet.close();

    const sm = parseSlack(slack.calls[0]!.body);
    expect(sm.text).toBe('Approval needed: Ada Lovelace asks to activate User Administrator');
    const slackText = JSON.stringify(sm.blocks);
    for (const fact of [
      'User Administrator',
      'Ada Lovelace',
      'Reset passwords for the help desk',
      'ServiceNow INC-4711',
      '(2 hours)',
      '*Approval stage*\\n1',
      '*Decide by*\\n2026-11-27 14:15 UTC',
    ])
      expect(slackText).toContain(fact);
    const sb = slackButtons(sm);
    expect(sb.map((b) => b.label)).toEqual([
      `Approve as ${bob.name}`,
      `Deny as ${bob.name}`,
      `Approve as ${cy.name}`,
      `Deny as ${cy.name}`,
    ]);
    for (const b of sb)
      expect(b.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/approvals\/link\/[\w-]+\.[\w-]+$/);
    expect(new Set(sb.map((b) => b.url)).size).toBe(4);

    const card = parseTeams(teams.calls[0]!.body);
    const cardText = JSON.stringify(card);
    for (const fact of [
      'Ada Lovelace',
      'Reset passwords for the help desk',
      'ServiceNow INC-4711',
      '2026-11-27 14:15 UTC',
    ])
      expect(cardText).toContain(fact);
    expect(teamsButtons(card).map((b) => b.label)).toEqual([
      `Approve as ${bob.name}`,
      `Deny as ${bob.name}`,
      `Approve as ${cy.name}`,
      `Deny as ${cy.name}`,
      'Open the approval',
      'Open the request',
    ]);

    // Bob approves (through the API): both channels hear it, without buttons.
    const [step] = (await asUsers(s).steps(bob.id, request.id)).steps;
    await asUsers(s).decide(bob.id, request.id, step!.step.id, true, 'On call tonight');
    await s.flush();
    expect(slack.accepted()).toHaveLength(3); // approved, then activated
    const followUps = slack.calls.slice(1).map((c) => parseSlack(c.body));
    expect(followUps.map((m) => m.text)).toEqual([
      'Approved: Ada Lovelace for User Administrator',
      'Ada Lovelace activated User Administrator',
    ]);
    expect(JSON.stringify(followUps[0]!.blocks)).toContain(
      'Bob Approver approved the request of Ada Lovelace',
    );
    expect(JSON.stringify(followUps[0]!.blocks)).toContain('On call tonight');
    expect(followUps.flatMap(slackButtons)).toEqual([]);
    const teamsFollowUp = parseTeams(teams.calls[1]!.body);
    expect(JSON.stringify(teamsFollowUp)).toContain('Approved: Ada Lovelace for User Administrator');
    expect(teamsButtons(teamsFollowUp).some((b) => b.label.startsWith('Approve'))).toBe(false);

    const log = await deliveries(s, "channel eq 'slack'");
    expect(log.every((d) => d.status === 'sent' && d.audience === null)).toBe(true);
  });

  it('follows up a canceled request, and a denied one, in the same channels', async () => {
    const { ada, cy } = await approvalSetup(s);
    await addChat(s, 'slack', slack.url);
    await addChat(s, 'teams', teams.url);
    await s.flush();
    slack.calls.length = 0;
    teams.calls.length = 0;

    const first = await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    await asUsers(s).cancel(ada.id, first.id);
    await s.flush();
    expect(slack.calls.map((c) => parseSlack(c.body).text)).toEqual([
      'Approval needed: Ada Lovelace asks to activate User Administrator',
      'Canceled: Ada Lovelace for User Administrator',
    ]);
    expect(JSON.stringify(parseTeams(teams.calls[1]!.body))).toContain(
      'Canceled: Ada Lovelace for User Administrator',
    );

    const second = await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    const [step] = (await asUsers(s).steps(cy.id, second.id)).steps;
    await asUsers(s).decide(cy.id, second.id, step!.step.id, false, 'Not this week');
    await s.flush();
    expect(slack.calls.slice(2).map((c) => parseSlack(c.body).text)).toEqual([
      'Approval needed: Ada Lovelace asks to activate User Administrator',
      'Denied: Ada Lovelace for User Administrator',
    ]);
  });

  it('follows up a request that timed out, and one escalated (buttons only for the escalation approvers)', async () => {
    const { ada, bob, cy } = await approvalSetup(s);
    await addChat(s, 'slack', slack.url);
    await s.flush();
    slack.calls.length = 0;

    await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    s.clock.advance(4 * HOUR);
    await s.sweeper.runOnce();
    await s.flush();
    expect(slack.calls.map((c) => parseSlack(c.body).text)).toEqual([
      'Approval needed: Ada Lovelace asks to activate User Administrator',
      'Expired: Ada Lovelace for User Administrator',
    ]);
    expect(slackButtons(parseSlack(slack.calls[1]!.body))).toEqual([]);

    // Bob alone first; after 30 minutes without a decision the stage escalates to Cy.
    await patchPolicy(s as unknown as TestServer, ROLE, (rules) => {
      const stage = findRule(rules, 'Approval_EndUser_Assignment')!.setting.approvalStages[0]!;
      stage.primaryApprovers = [{ '@odata.type': '#microsoft.graph.singleUser', userId: bob.id }];
      stage.isEscalationEnabled = true;
      stage.escalationTimeInMinutes = 30;
      stage.escalationApprovers = [{ '@odata.type': '#microsoft.graph.singleUser', userId: cy.id }];
    });
    slack.calls.length = 0;
    await asUsers(s).activate(ada.id, ROLE);
    await s.flush();
    expect(
      slackButtons(parseSlack(slack.calls[0]!.body))
        .map((b) => b.label)
        .join(' '),
    ).not.toContain('Cy');
    s.clock.advance(30 * MINUTE);
    await s.sweeper.runOnce();
    await s.flush();
    expect(slack.calls).toHaveLength(2);
    const escalated = parseSlack(slack.calls[1]!.body);
    expect(escalated.text).toContain('Escalated');
    const labels = slackButtons(escalated).map((b) => b.label);
    // One approver gets buttons, so they carry no name: both links are bound to Cy (the link's
    // signed payload names the approver), not to Bob, who was asked first.
    expect(labels).toEqual(['Approve', 'Deny']);
    const boundTo = slackButtons(escalated).map((b) => {
      const token = b.url.slice(b.url.lastIndexOf('/') + 1).split('.')[0]!;
      return (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { sub: string }).sub;
    });
    expect(boundTo).toEqual([cy.id, cy.id]);
  });
});
