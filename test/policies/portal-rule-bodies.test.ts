// The settings editor's PATCH bodies (web/src/rule-bodies.ts) against the real server: assignment
// expiration, an administrator's assignment requirements and notification rules are accepted and
// stored as the form said; a bad value is refused with a message about its field, changing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_ASSIGNMENT_ENABLEMENT,
  enablementBody,
  expirationBody,
  expirationForm,
  isoDays,
  NOTIFICATIONS,
  notificationBody,
  notificationForm,
  type PolicyRule,
} from '../../web/src/rule-bodies.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { ASSIGNMENTS, call, type Headers, POLICIES, q, SCOPE, storedPolicy } from './support.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

describe("the settings editor's rule bodies", () => {
  let s: TestServer;
  let admin: Headers;
  let policyId: string;
  let rules: PolicyRule[];
  const ruleOf = (id: string) => rules.find((r) => r.id === id)!;
  const patch = (body: PolicyRule) =>
    call(s, 'PATCH', `${POLICIES}/${policyId}/rules/${body.id}`, admin, body);

  beforeAll(async () => {
    s = await testServer();
    admin = await s.admin();
    const res = await call(
      s,
      'GET',
      `${ASSIGNMENTS}?$filter=${q(`${SCOPE} and roleDefinitionId eq '${USER_ADMINISTRATOR}'`)}&$expand=policy($expand=rules)`,
      admin,
    );
    const [assignment] = res.json<{ value: { policyId: string; policy: { rules: PolicyRule[] } }[] }>().value;
    policyId = assignment!.policyId;
    rules = assignment!.policy.rules;
  });
  afterAll(() => s.close());

  it('reads the stored rules into the form', () => {
    expect(expirationForm(ruleOf('Expiration_Admin_Eligibility'))).toStrictEqual({
      permanentAllowed: true,
      days: 365,
    });
    expect(expirationForm(ruleOf('Expiration_Admin_Assignment'))).toMatchObject({ days: 180 });
    for (const { id } of NOTIFICATIONS) {
      expect(notificationForm(ruleOf(id))).toStrictEqual({
        level: 'All',
        defaultRecipients: true,
        recipients: '',
      });
    }
    expect(isoDays('PT48H')).toBe(2);
    expect(isoDays('PT8H30M')).toBeUndefined();
  });

  it('saves what the form says', async () => {
    const expiration = ruleOf('Expiration_Admin_Eligibility');
    expect((await patch(expirationBody(expiration, { permanentAllowed: false, days: 90 }))).statusCode).toBe(
      204,
    );
    const enablement = ruleOf(ADMIN_ASSIGNMENT_ENABLEMENT);
    expect(
      (await patch(enablementBody(enablement, ['MultiFactorAuthentication', 'Justification']))).statusCode,
    ).toBe(204);
    const notification = ruleOf('Notification_Approver_EndUser_Assignment');
    const sent = await patch(
      notificationBody(notification, {
        level: 'Critical',
        defaultRecipients: false,
        recipients: 'oncall@contoso.test, security@contoso.test',
      }),
    );
    expect(sent.statusCode, sent.body).toBe(204);
    const stored = (await storedPolicy(s, s.boot.tenantId, USER_ADMINISTRATOR)).rules;
    const find = (id: string) => stored.find((r) => r.id === id);
    expect(find('Expiration_Admin_Eligibility')).toMatchObject({
      isExpirationRequired: true,
      maximumDuration: 'P90D',
    });
    expect(find(ADMIN_ASSIGNMENT_ENABLEMENT)).toMatchObject({
      enabledRules: ['MultiFactorAuthentication', 'Justification'],
    });
    expect(find('Notification_Approver_EndUser_Assignment')).toMatchObject({
      notificationLevel: 'Critical',
      isDefaultRecipientsEnabled: false,
      notificationRecipients: ['oncall@contoso.test', 'security@contoso.test'],
    });
  });

  it('a bad value is refused with a message about its field, and nothing changes', async () => {
    const before = await storedPolicy(s, s.boot.tenantId, USER_ADMINISTRATOR);
    for (const body of [
      expirationBody(ruleOf('Expiration_Admin_Assignment'), { permanentAllowed: false, days: '' }),
      expirationBody(ruleOf('Expiration_Admin_Assignment'), { permanentAllowed: false, days: 5000 }),
      enablementBody(ruleOf(ADMIN_ASSIGNMENT_ENABLEMENT), ['Ticketing']),
    ]) {
      const res = await patch(body);
      expect(res.statusCode, res.body).toBe(400);
      const error = res.json<{ error: { message: string } }>().error;
      expect(error.message.length).toBeGreaterThan(10);
    }
    expect(await storedPolicy(s, s.boot.tenantId, USER_ADMINISTRATOR)).toStrictEqual(before);
  });
});
