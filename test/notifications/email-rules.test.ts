// The role's nine Notification_* rules decide who hears: notificationLevel (None, Critical, All),
// isDefaultRecipientsEnabled, notificationRecipients; default recipients are resolved from the
// directory (group members, default approvers, disabled accounts left out).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationRule } from '../../src/domain/policy/types.js';
import { findRule } from '../../src/domain/policy/types.js';
import type { TestServer } from '../helpers/server.js';
import {
  addGroup,
  call as pimCall,
  ELIGIBILITY_REQUESTS,
  patchPolicy,
  USER_ADMINISTRATOR,
} from '../pim/support.js';
import {
  addUser,
  asUsers,
  BASE,
  call,
  notifyServer,
  smtpSink,
  useSmtp,
  type NotifyServer,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const ADMIN = 'admin@contoso.test';

describe('who hears what: the notification rules', () => {
  let s: NotifyServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let ada: Awaited<ReturnType<typeof addUser>>;
  let bob: Awaited<ReturnType<typeof addUser>>;
  const asTest = () => s as unknown as TestServer;

  beforeEach(async () => {
    s = await notifyServer();
    sink = await smtpSink();
    await useSmtp(s, sink.port);
    ada = await addUser(s, 'Ada Lovelace');
    bob = await addUser(s, 'Bob Approver');
  });
  afterEach(async () => {
    await s.close();
    await sink.close();
  });

  async function inbox(): Promise<Record<string, string[]>> {
    await s.flush();
    const out: Record<string, string[]> = {};
    for (const m of sink.mails) for (const to of m.envelopeTo) (out[to] ??= []).push(m.subject ?? '');
    for (const list of Object.values(out)) list.sort();
    sink.mails.length = 0;
    return out;
  }

  async function eligible(principalId: string) {
    const res = await pimCall(asTest(), 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminAssign',
      justification: 'rota',
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId,
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  /** Changes one notification rule of the role (activation needs only a justification meanwhile). */
  const rule = (id: string, change: (r: NotificationRule) => void) =>
    patchPolicy(asTest(), ROLE, (rules) => {
      findRule(rules, 'Enablement_EndUser_Assignment')!.enabledRules = ['Justification'];
      change(findRule(rules, id as 'Notification_Admin_EndUser_Assignment')!);
    });

  const approvalByNobody = () =>
    patchPolicy(asTest(), ROLE, (rules) => {
      const setting = findRule(rules, 'Approval_EndUser_Assignment')!.setting;
      setting.isApprovalRequired = true;
      setting.approvalStages[0]!.primaryApprovers = [];
    });

  it('Critical sends only what asks for action: the approval request, not the activation alerts', async () => {
    await eligible(ada.id);
    for (const id of [
      'Notification_Admin_EndUser_Assignment',
      'Notification_Requestor_EndUser_Assignment',
      'Notification_Approver_EndUser_Assignment',
    ])
      await rule(id, (r) => (r.notificationLevel = 'Critical'));
    await inbox();
    await asUsers(s).activate(ada.id, ROLE);
    expect(await inbox()).toEqual({});

    await approvalByNobody();
    s.clock.advance(3 * 3_600_000);
    await asUsers(s).activate(ada.id, ROLE);
    // Nobody named: the holders of Global / Privileged Role Administrator approve.
    expect(await inbox()).toEqual({
      [ADMIN]: ['Approval needed: Ada Lovelace asks to activate User Administrator'],
    });
  });

  it('None silences an audience; the others still hear', async () => {
    await rule('Notification_Requestor_Admin_Eligibility', (r) => (r.notificationLevel = 'None'));
    await eligible(ada.id);
    expect(await inbox()).toEqual({ [ADMIN]: ['Ada Lovelace is now eligible for User Administrator'] });
  });

  it('without default recipients only the extra addresses hear, as that audience', async () => {
    await rule('Notification_Admin_EndUser_Assignment', (r) => {
      r.isDefaultRecipientsEnabled = false;
      r.notificationRecipients = ['soc@contoso.test', 'not an address', ada.mail!];
    });
    await eligible(ada.id);
    await inbox();
    await asUsers(s).activate(ada.id, ROLE);
    const got = await inbox();
    // Ada is requestor and an extra admin recipient: one message, her own.
    expect(got).toEqual({
      'soc@contoso.test': ['Ada Lovelace activated User Administrator'],
      [ada.mail!]: ['User Administrator is active for you'],
    });
  });

  it("a group's user members hear as the principal; disabled accounts are left out", async () => {
    const off = await addUser(s, 'Off Boarded', { enabled: false });
    const group = await addGroup(asTest(), [ada.id, bob.id, off.id]);
    await eligible(group);
    const got = await inbox();
    expect(Object.keys(got).sort()).toEqual([ada.mail!, ADMIN, bob.mail!].sort());
    expect(got[ada.mail!]).toEqual(['You are now eligible for User Administrator']);
  });

  it('the requestor is never asked to approve, even as a default approver', async () => {
    const gaUser = await addUser(s, 'Gina Global', { roles: ['62e90394-69f5-4237-9190-012177145e10'] });
    await eligible(gaUser.id);
    await rule('Notification_Approver_EndUser_Assignment', () => undefined);
    await approvalByNobody();
    await inbox();
    await asUsers(s).activate(gaUser.id, ROLE);
    expect(await inbox()).toEqual({
      [ADMIN]: ['Approval needed: Gina Global asks to activate User Administrator'],
    });
  });

  it('nothing is fanned out while the email channel is off or absent (and no webhook exists)', async () => {
    const off = await call(s, 'PATCH', `${BASE}/email`, await s.admin(), { isEnabled: false });
    expect(off.statusCode, off.body).toBe(200);
    await eligible(ada.id);
    expect(await inbox()).toEqual({});
    expect(await s.db.kysely.selectFrom('notification_deliveries').selectAll().execute()).toEqual([]);
    expect((await call(s, 'DELETE', `${BASE}/email`, await s.admin())).statusCode).toBe(204);
    await eligible(bob.id);
    expect(await inbox()).toEqual({});
  });
});
