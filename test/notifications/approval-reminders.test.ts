// Escalation and reminder notifications (ADR 0022), on the manual clock with a real SMTP server:
// a partial quorum announces nothing; after N minutes the escalation approver alone is told it may
// decide; before the timeout the approvers who have not decided are reminded, once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import { PUBLIC_URL, type TestServer } from '../helpers/server.js';
import {
  call as pimCall,
  ELIGIBILITY_REQUESTS,
  HOUR,
  MINUTE,
  patchPolicy,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import { eventSchema } from '../../src/domain/notifications/event-schemas.js';
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
const single = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser' as const, userId });

describe('approval escalation and reminder emails', () => {
  let s: NotifyServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let ada: Awaited<ReturnType<typeof addUser>>;
  let bob: Awaited<ReturnType<typeof addUser>>;
  let cy: Awaited<ReturnType<typeof addUser>>;
  let eve: Awaited<ReturnType<typeof addUser>>;

  beforeEach(async () => {
    s = await notifyServer();
    sink = await smtpSink();
    await useSmtp(s, sink.port);
    hooks = await receiver();
    ada = await addUser(s, 'Ada Lovelace');
    bob = await addUser(s, 'Bob Approver');
    cy = await addUser(s, 'Cy Approver');
    eve = await addUser(s, 'Eve Escalation');
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
    await hooks.close();
  });

  it('quorum pending: silent; escalation: the escalation approver only; reminder: the undecided approvers, once', async () => {
    const made = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminAssign',
      justification: 'Joins the help desk rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: ada.id,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    await patchPolicy(s as unknown as TestServer, ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequired = true;
      setting.approvalStages = [
        {
          approvalStageTimeOutInDays: 1,
          approvalStageTimeOutInHours: 4,
          reminderBeforeTimeOutInMinutes: 60,
          approvalsRequired: 2,
          isApproverJustificationRequired: false,
          isEscalationEnabled: true,
          escalationTimeInMinutes: 30,
          primaryApprovers: [single(bob.id), single(cy.id)],
          escalationApprovers: [single(eve.id)],
        },
      ];
    });
    const hook = await addWebhook(s, hooks.url, {
      eventTypes: ['activation.escalated', 'activation.reminder'],
    });
    await s.flush();
    sink.mails.length = 0;
    const start = s.clock.now();
    const request = await asUsers(s).activate(ada.id, ROLE);
    /** The n-th webhook call: signed (verified at the time it was sent), of this type, matching its schema. */
    const expectHook = (n: number, type: 'activation.escalated' | 'activation.reminder') => {
      const body = verify(hook.secret!, hooks.accepted()[n]!, s.clock) as {
        type: string;
        data: Record<string, unknown> & { approval: { id: string; stage: number; deadlineDateTime: string } };
      };
      expect(body.type).toBe(type);
      // The published schema's data properties, exactly; time made it happen (no actor).
      const data = (eventSchema(type).properties as { data: { required: string[] } }).data;
      expect(Object.keys(body.data).sort()).toEqual([...data.required].sort());
      expect(body.data.actor).toBeNull();
      expect(body.data.approval).toMatchObject({
        id: request.id,
        stage: 1,
        deadlineDateTime: '2026-11-27T14:15:00.000Z',
      });
    };

    await s.flush();
    expect(sink.mails.map((m) => m.envelopeTo).sort()).toEqual([[bob.mail], [cy.mail]]);
    sink.mails.length = 0;

    // Bob approves: one of two; nobody is told anything yet.
    const [step] = (await asUsers(s).steps(bob.id, request.id)).steps;
    await asUsers(s).decide(bob.id, request.id, step!.step.id, true);
    await s.flush();
    expect(sink.mails).toEqual([]);

    s.clock.set(start + 30 * MINUTE - 1);
    expect(await s.sweeper.runOnce()).toBe(0);
    s.clock.set(start + 30 * MINUTE);
    expect(await s.sweeper.runOnce()).toBe(1);
    await s.flush();
    expect(sink.mails.map((m) => m.envelopeTo)).toEqual([[eve.mail]]);
    const [escalated] = sink.mails;
    expect(escalated!.subject).toBe('Escalated to you: Ada Lovelace asks to activate User Administrator');
    expect(escalated!.text).toContain('so it was escalated to you');
    expect(escalated!.text).toContain('before 2026-11-27 14:15 UTC');
    expect(escalated!.text).toContain(
      `Approval: ${PUBLIC_URL}/beta/roleManagement/directory/roleAssignmentApprovals/${request.id}`,
    );
    expect(escalated!.headers.get('x-elevate-event-type')).toBe('activation.escalated');
    expectHook(0, 'activation.escalated');
    sink.mails.length = 0;

    s.clock.set(start + 3 * HOUR - 1);
    expect(await s.sweeper.runOnce()).toBe(0);
    s.clock.set(start + 3 * HOUR);
    expect(await s.sweeper.runOnce()).toBe(1);
    expect(await s.sweeper.runOnce()).toBe(0);
    await s.flush();
    // Bob already decided; Cy and (after the escalation) Eve are reminded; never the requestor.
    expect(sink.mails.map((m) => m.envelopeTo[0]).sort()).toEqual([cy.mail, eve.mail].sort());
    for (const m of sink.mails) {
      expect(m.subject).toBe('Reminder: Ada Lovelace still waits for approval of User Administrator');
      expect(m.text).toContain('Please approve or deny it before 2026-11-27 14:15 UTC');
      expect(m.headers.get('x-elevate-event-type')).toBe('activation.reminder');
    }
    expectHook(1, 'activation.reminder');
    expect(hooks.accepted()).toHaveLength(2);
  });
});
