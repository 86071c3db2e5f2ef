// Every event of the catalogue that reaches people by email, end to end: the use case commits, the
// relay hands the event to the fan-out, the worker sends; a real SMTP server receives.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import {
  ASSIGNMENT_REQUESTS,
  call as pimCall,
  DAY,
  ELIGIBILITY_REQUESTS,
  HOUR,
  MINUTE,
  patchPolicy,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import { addUser, asUsers, notifyServer, smtpSink, useSmtp, type NotifyServer } from './support.js';

const ROLE = USER_ADMINISTRATOR;
const ADMIN = 'admin@contoso.test';

describe('every event by email', () => {
  let s: NotifyServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let ada: Awaited<ReturnType<typeof addUser>>;
  let bob: Awaited<ReturnType<typeof addUser>>;
  let cy: Awaited<ReturnType<typeof addUser>>;
  const asTest = () => s as unknown as TestServer;

  beforeEach(async () => {
    s = await notifyServer();
    sink = await smtpSink();
    await useSmtp(s, sink.port);
    ada = await addUser(s, 'Ada Lovelace');
    bob = await addUser(s, 'Bob Approver');
    cy = await addUser(s, 'Cy Second');
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
  });

  /** What each address received since the last call, as sorted subjects. */
  async function inbox(): Promise<Record<string, string[]>> {
    await s.flush();
    const out: Record<string, string[]> = {};
    for (const m of sink.mails) for (const to of m.envelopeTo) (out[to] ??= []).push(m.subject ?? '');
    for (const list of Object.values(out)) list.sort();
    sink.mails.length = 0;
    return out;
  }

  async function request(url: string, body: Record<string, unknown>) {
    const res = await pimCall(asTest(), 'POST', url, await s.admin(), {
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId: ada.id,
      justification: 'Help desk rota',
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>();
  }

  const eligible = (duration = 'P30D') =>
    request(ELIGIBILITY_REQUESTS, {
      action: 'adminAssign',
      scheduleInfo: { expiration: { type: 'afterDuration', duration } },
    });

  const approvalBy = (stages: string[][], mode: 'SingleStage' | 'Serial' = 'SingleStage') =>
    patchPolicy(asTest(), ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequired = true;
      setting.approvalMode = mode;
      setting.approvalStages = stages.map((ids) => ({
        approvalStageTimeOutInDays: 1,
        isApproverJustificationRequired: true,
        escalationTimeInMinutes: 0,
        isEscalationEnabled: false,
        primaryApprovers: ids.map((userId) => ({
          '@odata.type': '#microsoft.graph.singleUser' as const,
          userId,
        })),
        escalationApprovers: [],
      }));
    });

  it('activated without approval: the administrators and the requestor; ended by deactivation: the requestor', async () => {
    await eligible();
    await patchPolicy(asTest(), ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    });
    await inbox();
    await asUsers(s).activate(ada.id, ROLE);
    expect(await inbox()).toEqual({
      [ADMIN]: ['Ada Lovelace activated User Administrator'],
      [ada.mail!]: ['User Administrator is active for you'],
    });
    s.clock.advance(10 * MINUTE);
    await asUsers(s).deactivate(ada.id, ROLE);
    const after = await inbox();
    expect(after).toEqual({ [ada.mail!]: ['Your User Administrator activation has ended'] });
    expect(sink.mails).toEqual([]);
  });

  it('ended by time: the requestor, with the reason', async () => {
    await eligible();
    await patchPolicy(asTest(), ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
    });
    await asUsers(s).activate(ada.id, ROLE, { duration: 'PT1H' });
    await inbox();
    s.clock.advance(HOUR);
    await s.sweeper.runOnce();
    await s.flush();
    const [m] = sink.to(ada.mail!);
    expect(m!.subject).toBe('Your User Administrator activation has ended');
    expect(m!.text).toContain('because its time ran out');
    expect(sink.mails).toHaveLength(1);
  });

  it('denied: the requestor and the approvers, with the approver and the reason', async () => {
    await eligible();
    await approvalBy([[bob.id, cy.id]]);
    await inbox();
    const r = await asUsers(s).activate(ada.id, ROLE);
    expect(await inbox()).toEqual({
      [bob.mail!]: ['Approval needed: Ada Lovelace asks to activate User Administrator'],
      [cy.mail!]: ['Approval needed: Ada Lovelace asks to activate User Administrator'],
    });
    const [step] = (await asUsers(s).steps(bob.id, r.id)).steps;
    await asUsers(s).decide(bob.id, r.id, step!.step.id, false, 'Not on the rota');
    await s.flush();
    const mine = sink.to(ada.mail!);
    expect(mine.map((m) => m.subject)).toEqual(['Your request for User Administrator was denied']);
    expect(mine[0]!.text).toContain('Bob Approver denied your request');
    expect(mine[0]!.text).toContain("Approver's reason: Not on the rota");
    // The other approver learns that nothing is left to decide.
    expect(sink.to(cy.mail!).map((m) => m.subject)).toEqual(['Denied: Ada Lovelace for User Administrator']);
    expect(sink.to(cy.mail!)[0]!.text).toContain('No other decision is needed.');
    expect(sink.to(ADMIN)).toEqual([]);
  });

  it('timed out: the requestor and the approvers, when the sweeper records it', async () => {
    await eligible();
    await approvalBy([[bob.id]]);
    await asUsers(s).activate(ada.id, ROLE);
    await inbox();
    s.clock.advance(DAY);
    await s.sweeper.runOnce();
    expect(await inbox()).toEqual({
      [ada.mail!]: ['Your request for User Administrator expired without a decision'],
      [bob.mail!]: ['Expired: Ada Lovelace for User Administrator'],
    });
  });

  it('canceled by the requestor: the approvers, so nobody decides a withdrawn request', async () => {
    await eligible();
    await approvalBy([[bob.id]]);
    const r = await asUsers(s).activate(ada.id, ROLE);
    await inbox();
    await asUsers(s).cancel(ada.id, r.id);
    expect(await inbox()).toEqual({ [bob.mail!]: ['Canceled: Ada Lovelace for User Administrator'] });
  });

  it('serial approval: stage 2 approvers are asked when stage 1 approves, not before', async () => {
    await eligible();
    await approvalBy([[bob.id], [cy.id]], 'Serial');
    await inbox();
    const r = await asUsers(s).activate(ada.id, ROLE);
    expect(Object.keys(await inbox())).toEqual([bob.mail!]);
    const [first] = (await asUsers(s).steps(bob.id, r.id)).steps;
    await asUsers(s).decide(bob.id, r.id, first!.step.id, true);
    const asked = await inbox();
    expect(asked).toEqual({
      [cy.mail!]: ['Approval needed: Ada Lovelace asks to activate User Administrator'],
    });
    const second = (await asUsers(s).steps(cy.id, r.id)).steps.find((x) => x.step.stageIndex === 1)!;
    await asUsers(s).decide(cy.id, r.id, second.step.id, true);
    expect(await inbox()).toEqual({
      [ADMIN]: ['Ada Lovelace activated User Administrator'],
      [ada.mail!]: [
        'User Administrator is active for you',
        'Your request for User Administrator was approved',
      ],
      [bob.mail!]: ['Approved: Ada Lovelace for User Administrator'],
      [cy.mail!]: ['Approved: Ada Lovelace for User Administrator'],
    });
  });

  it('eligibility removed and expired: the principal and the administrators', async () => {
    await eligible('P1D');
    await inbox();
    s.clock.advance(DAY);
    await s.sweeper.runOnce();
    expect(await inbox()).toEqual({
      [ADMIN]: ['Eligibility of Ada Lovelace for User Administrator has expired'],
      [ada.mail!]: ['Your eligibility for User Administrator has expired'],
    });
    await eligible();
    await inbox();
    await request(ELIGIBILITY_REQUESTS, { action: 'adminRemove' });
    expect(await inbox()).toEqual({
      [ADMIN]: ['Ada Lovelace is no longer eligible for User Administrator'],
      [ada.mail!]: ['You are no longer eligible for User Administrator'],
    });
  });

  it('active assignment granted and removed, through PIM and directly', async () => {
    await request(ASSIGNMENT_REQUESTS, {
      action: 'adminAssign',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P7D' } },
    });
    const granted = await inbox();
    expect(granted).toEqual({
      [ADMIN]: ['Ada Lovelace was assigned User Administrator'],
      [ada.mail!]: ['You have been assigned User Administrator'],
    });
    await request(ASSIGNMENT_REQUESTS, { action: 'adminRemove' });
    expect(await inbox()).toEqual({
      [ADMIN]: ['Ada Lovelace no longer holds User Administrator'],
      [ada.mail!]: ['Your assignment of User Administrator was removed'],
    });

    const direct = await pimCall(
      asTest(),
      'POST',
      '/v1.0/roleManagement/directory/roleAssignments',
      await s.admin(),
      {
        principalId: bob.id,
        roleDefinitionId: ROLE,
        directoryScopeId: '/',
      },
    );
    expect(direct.statusCode, direct.body).toBe(201);
    await s.flush();
    const [m] = sink.to(bob.mail!);
    expect(m!.subject).toBe('You have been assigned User Administrator');
    expect(m!.text).toContain(
      `/v1.0/roleManagement/directory/roleAssignments/${direct.json<{ id: string }>().id}`,
    );
  });
});
