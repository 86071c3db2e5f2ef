import { describe, expect, it } from 'vitest';
import { parseDuration } from '../time/duration.js';
import { RULE_IDS, defaultPolicyRules, isRuleId } from './default-rules.js';
import { POLICY_RULE_ODATA_TYPES, findRule } from './types.js';
import type { PolicyRule } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Reference §2.4, "Rule order in the dump". */
const DUMP_ORDER = [
  'Expiration_Admin_Eligibility',
  'Enablement_Admin_Eligibility',
  'Notification_Admin_Admin_Eligibility',
  'Notification_Requestor_Admin_Eligibility',
  'Notification_Approver_Admin_Eligibility',
  'Expiration_Admin_Assignment',
  'Enablement_Admin_Assignment',
  'Notification_Admin_Admin_Assignment',
  'Notification_Requestor_Admin_Assignment',
  'Notification_Approver_Admin_Assignment',
  'Expiration_EndUser_Assignment',
  'Enablement_EndUser_Assignment',
  'Approval_EndUser_Assignment',
  'AuthenticationContext_EndUser_Assignment',
  'Notification_Admin_EndUser_Assignment',
  'Notification_Requestor_EndUser_Assignment',
  'Notification_Approver_EndUser_Assignment',
];

const rules = defaultPolicyRules();
const byId = (id: string): PolicyRule => rules.find((rule) => rule.id === id)!;

describe('RULE_IDS', () => {
  it('lists the 17 rule ids in the order of the documented dump', () => {
    expect(RULE_IDS).toHaveLength(17);
    expect([...RULE_IDS]).toEqual(DUMP_ORDER);
  });

  it.each([
    ['Expiration_EndUser_Assignment', true],
    ['Notification_Approver_EndUser_Assignment', true],
    ['expiration_enduser_assignment', false],
    ['Expiration_EndUser_Eligibility', false],
    ['', false],
  ])('isRuleId(%j) is %s', (id, expected) => {
    expect(isRuleId(id)).toBe(expected);
  });
});

describe('defaultPolicyRules', () => {
  it('returns the 17 rules in RULE_IDS order', () => {
    expect(rules).toHaveLength(17);
    expect(rules.map((rule) => rule.id)).toEqual(DUMP_ORDER);
  });

  it.each(DUMP_ORDER)('%s carries the @odata.type and target its id names', (id) => {
    const [kind, ...rest] = id.split('_');
    const level = rest.at(-1);
    const caller = kind === 'Notification' ? rest[1] : rest[0];
    const rule = byId(id);
    expect(rule['@odata.type']).toBe(`#microsoft.graph.unifiedRoleManagementPolicy${kind}Rule`);
    expect(rule.target).toEqual({
      caller,
      operations: ['all'],
      level,
      inheritableSettings: [],
      enforcedSettings: [],
      targetObjects: null,
    });
    if (rule['@odata.type'] === POLICY_RULE_ODATA_TYPES.notification) {
      expect(rule.recipientType).toBe(rest[0]);
    }
  });

  it.each([
    ['Expiration_Admin_Eligibility', false, 'P365D', 365 * DAY],
    ['Expiration_Admin_Assignment', false, 'P180D', 180 * DAY],
    ['Expiration_EndUser_Assignment', true, 'PT8H', 8 * HOUR],
  ])('%s: isExpirationRequired %s, maximumDuration %s', (id, required, text, ms) => {
    const rule = findRule(rules, id as `Expiration_${string}`);
    expect(rule).toMatchObject({ isExpirationRequired: required, maximumDuration: text });
    expect(parseDuration(rule!.maximumDuration)).toBe(ms);
  });

  it.each([
    ['Enablement_Admin_Eligibility', []],
    ['Enablement_Admin_Assignment', ['Justification']],
    ['Enablement_EndUser_Assignment', ['MultiFactorAuthentication', 'Justification']],
  ])('%s enables %j', (id, enabled) => {
    expect(findRule(rules, id as `Enablement_${string}`)?.enabledRules).toEqual(enabled);
  });

  it('does not require approval, but keeps one empty single stage ready', () => {
    expect(findRule(rules, 'Approval_EndUser_Assignment')?.setting).toEqual({
      isApprovalRequired: false,
      isApprovalRequiredForExtension: false,
      isRequestorJustificationRequired: true,
      approvalMode: 'SingleStage',
      approvalStages: [
        {
          approvalStageTimeOutInDays: 1,
          isApproverJustificationRequired: true,
          escalationTimeInMinutes: 0,
          isEscalationEnabled: false,
          primaryApprovers: [],
          escalationApprovers: [],
        },
      ],
    });
  });

  it('does not require an authentication context', () => {
    expect(findRule(rules, 'AuthenticationContext_EndUser_Assignment')).toMatchObject({
      isEnabled: false,
      claimValue: null,
    });
  });

  it('turns every notification on, by email, to the default recipients', () => {
    const notifications = rules.filter(
      (rule) => rule['@odata.type'] === POLICY_RULE_ODATA_TYPES.notification,
    );
    expect(notifications).toHaveLength(9);
    for (const rule of notifications) {
      expect(rule).toMatchObject({
        notificationType: 'Email',
        notificationLevel: 'All',
        isDefaultRecipientsEnabled: true,
        notificationRecipients: [],
      });
    }
  });

  it('has exactly the Graph keys on each kind, in Graph order', () => {
    expect(Object.keys(byId('Expiration_EndUser_Assignment'))).toEqual([
      '@odata.type',
      'id',
      'isExpirationRequired',
      'maximumDuration',
      'target',
    ]);
    expect(Object.keys(byId('Notification_Admin_Admin_Eligibility'))).toEqual([
      '@odata.type',
      'id',
      'notificationType',
      'recipientType',
      'notificationLevel',
      'isDefaultRecipientsEnabled',
      'notificationRecipients',
      'target',
    ]);
  });

  it('survives a JSON round trip unchanged (it is Graph JSON already)', () => {
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules);
  });

  it('returns fresh objects on each call', () => {
    const first = defaultPolicyRules();
    const second = defaultPolicyRules();
    expect(first).toEqual(second);
    expect(first[0]).not.toBe(second[0]);
    expect(first[0]!.target).not.toBe(first[1]!.target);
    findRule(first, 'Enablement_Admin_Eligibility')!.enabledRules.push('Ticketing');
    expect(findRule(second, 'Enablement_Admin_Eligibility')?.enabledRules).toEqual([]);
  });
});
