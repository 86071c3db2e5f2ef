import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, testServer, type TestServer } from '../helpers/server.js';
import { DOCUMENTED_DEFAULT_RULES, DOCUMENTED_RULE_UPDATES, documentedApprovalUpdate } from './fixtures.js';
import {
  call,
  ctx,
  expectGraphError,
  GLOBAL_ADMINISTRATOR,
  group,
  POLICIES,
  policyIdOf,
  storedPolicy,
  tenantHeaders,
  userWithRoles,
  type Headers,
} from './support.js';

const TYPE = {
  expiration: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
  enablement: '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  approval: '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  authenticationContext: '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  notification: '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
} as const;

interface RuleBody {
  [key: string]: unknown;
  id: string;
  setting: {
    approvalMode: string;
    approvalStages: { primaryApprovers: unknown[]; escalationTimeInMinutes: number }[];
  };
}
interface PolicyBody {
  [key: string]: unknown;
  rules: RuleBody[];
}

const documented = (id: string) => {
  const rule = DOCUMENTED_DEFAULT_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(id);
  return rule;
};

const stage = (extra: Record<string, unknown> = {}) => ({
  approvalStageTimeOutInDays: 1,
  isApproverJustificationRequired: true,
  escalationTimeInMinutes: 0,
  isEscalationEnabled: false,
  primaryApprovers: [],
  escalationApprovers: [],
  ...extra,
});

const approval = (setting: Record<string, unknown>, stages: unknown[] = [stage()]) => ({
  '@odata.type': TYPE.approval,
  setting: {
    isApprovalRequired: true,
    isApprovalRequiredForExtension: false,
    isRequestorJustificationRequired: true,
    approvalMode: 'SingleStage',
    approvalStages: stages,
    ...setting,
  },
});

describe('updating role settings', () => {
  // Tokens are issued at the real time, so the manual clock starts there and moves by seconds.
  const clock = new ManualClock(Date.now());
  let s: TestServer;
  let h: Headers;
  let policyId: string;
  let rulesUrl: string;
  let approverId: string;
  let approverGroupId: string;

  /** The policy with its rules, as a client reads it. */
  const snapshot = async () =>
    (await call(s, 'GET', `${POLICIES}/${policyId}?$expand=rules`, h)).json<PolicyBody>();
  const rule = async (id: string) => (await call(s, 'GET', `${rulesUrl}/${id}`, h)).json<RuleBody>();

  beforeAll(async () => {
    s = await testServer({ clock });
    h = await s.admin();
    policyId = await policyIdOf(s, h, GLOBAL_ADMINISTRATOR);
    rulesUrl = `${POLICIES}/${policyId}/rules`;
    approverId = (await userWithRoles(s, s.boot.tenantId)).id;
    approverGroupId = await group(s, s.boot.tenantId);
  });
  afterAll(() => s.close());
  beforeEach(() => clock.advance(1_000));

  describe('documented requests', () => {
    it.each(Object.entries(DOCUMENTED_RULE_UPDATES))(
      'PATCH %s (how-to-pim-update-rules) → 204',
      async (id, body) => {
        const res = await call(s, 'PATCH', `${rulesUrl}/${id}`, h, body);
        expect(res.statusCode, res.body).toBe(204);
        expect(res.body).toBe('');
        const { target: _sent, ...sent } = body;
        expect(await rule(id)).toStrictEqual({
          '@odata.context': ctx(`policies/roleManagementPolicies('${policyId}')/rules/$entity`),
          ...documented(id),
          ...sent,
          // The target is fixed: stored and returned as Graph returns it, operations in lower case.
          target: documented(id).target,
        });
        const policy = await snapshot();
        expect(policy.lastModifiedDateTime).toBe(new Date(clock.now()).toISOString());
        expect(policy.lastModifiedBy).toStrictEqual({
          displayName: 'Elevate bootstrap automation',
          id: s.boot.app.servicePrincipalId,
        });
      },
    );

    it('PATCH Approval_EndUser_Assignment with a user and a group as approvers (example 3) → 204', async () => {
      const body = documentedApprovalUpdate(approverId, approverGroupId);
      const res = await call(s, 'PATCH', `${rulesUrl}/Approval_EndUser_Assignment`, h, body);
      expect(res.statusCode, res.body).toBe(204);
      const { '@odata.context': _ctx, ...stored } = await rule('Approval_EndUser_Assignment');
      expect(stored).toStrictEqual({
        '@odata.type': TYPE.approval,
        id: 'Approval_EndUser_Assignment',
        target: documented('Approval_EndUser_Assignment').target,
        setting: {
          isApprovalRequired: true,
          isApprovalRequiredForExtension: false,
          isRequestorJustificationRequired: true,
          approvalMode: 'SingleStage',
          approvalStages: [
            stage({
              primaryApprovers: [
                { '@odata.type': '#microsoft.graph.singleUser', userId: approverId, description: null },
                {
                  '@odata.type': '#microsoft.graph.groupMembers',
                  groupId: approverGroupId,
                  description: null,
                },
              ],
            }),
          ],
        },
      });
    });

    it('PATCH the policy with a list of rules (Graph example 1) → 200 with the policy', async () => {
      const target = (caller: string, level: string) => ({
        caller,
        operations: ['All'],
        level,
        inheritableSettings: [],
        enforcedSettings: [],
      });
      const body = {
        rules: [
          {
            ...approval({ isApprovalRequired: false }),
            id: 'Approval_EndUser_Assignment',
            target: target('EndUser', 'Assignment'),
          },
          {
            '@odata.type': TYPE.authenticationContext,
            id: 'AuthenticationContext_EndUser_Assignment',
            isEnabled: false,
            claimValue: '',
            target: target('EndUser', 'Assignment'),
          },
          {
            '@odata.type': TYPE.enablement,
            id: 'Enablement_Admin_Eligibility',
            enabledRules: [],
            target: target('Admin', 'Eligibility'),
          },
          {
            '@odata.type': TYPE.expiration,
            id: 'Expiration_Admin_Eligibility',
            isExpirationRequired: false,
            maximumDuration: 'P365D',
            target: target('Admin', 'Eligibility'),
          },
          {
            '@odata.type': TYPE.notification,
            id: 'Notification_Admin_Admin_Eligibility',
            notificationType: 'Email',
            recipientType: 'Admin',
            notificationLevel: 'All',
            isDefaultRecipientsEnabled: true,
            notificationRecipients: [],
            target: target('Admin', 'Eligibility'),
          },
        ],
      };
      const res = await call(s, 'PATCH', `${POLICIES}/${policyId}`, h, body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toStrictEqual({
        '@odata.context': ctx('policies/roleManagementPolicies/$entity'),
        id: policyId,
        displayName: 'DirectoryRole',
        description: 'DirectoryRole',
        isOrganizationDefault: false,
        scopeId: '/',
        scopeType: 'DirectoryRole',
        lastModifiedDateTime: new Date(clock.now()).toISOString(),
        lastModifiedBy: { displayName: 'Elevate bootstrap automation', id: s.boot.app.servicePrincipalId },
      });
      const rules = (await snapshot()).rules;
      for (const id of [
        'Approval_EndUser_Assignment',
        'AuthenticationContext_EndUser_Assignment',
        'Expiration_Admin_Eligibility',
      ]) {
        expect(rules.find((r: { id: string }) => r.id === id)).toStrictEqual(documented(id));
      }
      const minimal = await s.app.inject({
        method: 'PATCH',
        url: `${POLICIES}/${policyId}`,
        headers: { ...h, prefer: 'return=minimal' },
        payload: { rules: [body.rules[2]] },
      });
      expect(minimal.statusCode, minimal.body).toBe(204);
    });
  });

  describe('values', () => {
    it('reads enums, type names and durations in any case and stores them canonically', async () => {
      const patches: [string, Record<string, unknown>, Record<string, unknown>][] = [
        [
          'Enablement_EndUser_Assignment',
          {
            '@odata.type': 'microsoft.graph.UNIFIEDROLEMANAGEMENTPOLICYENABLEMENTRULE',
            enabledRules: ['justification', 'TICKETING'],
          },
          { enabledRules: ['Justification', 'Ticketing'] },
        ],
        [
          'Expiration_EndUser_Assignment',
          { '@odata.type': TYPE.expiration, maximumDuration: 'pt90m' },
          { maximumDuration: 'PT1H30M' },
        ],
        [
          'Expiration_EndUser_Assignment',
          { '@odata.type': TYPE.expiration, maximumDuration: 'PT24H' },
          { maximumDuration: 'P1D' },
        ],
        [
          'Expiration_Admin_Assignment',
          { '@odata.type': TYPE.expiration, maximumDuration: 'P2W' },
          { maximumDuration: 'P14D', isExpirationRequired: true },
        ],
        [
          'Expiration_Admin_Eligibility',
          { '@odata.type': TYPE.expiration, isExpirationRequired: true, maximumDuration: 'P3653D' },
          { maximumDuration: 'P3653D' },
        ],
        [
          'AuthenticationContext_EndUser_Assignment',
          // c1: the built-in context (a rule may name only a defined one).
          { '@odata.type': TYPE.authenticationContext, isEnabled: true, claimValue: 'C1' },
          { isEnabled: true, claimValue: 'c1' },
        ],
        [
          'Notification_Requestor_EndUser_Assignment',
          {
            '@odata.type': TYPE.notification,
            notificationType: 'email',
            recipientType: 'requestor',
            notificationLevel: 'critical',
            isDefaultRecipientsEnabled: false,
            notificationRecipients: ['soc@contoso.test', 'Pager@Contoso.test'],
          },
          {
            notificationType: 'Email',
            recipientType: 'Requestor',
            notificationLevel: 'Critical',
            isDefaultRecipientsEnabled: false,
            notificationRecipients: ['soc@contoso.test', 'Pager@Contoso.test'],
          },
        ],
      ];
      for (const [id, body, expected] of patches) {
        const res = await call(s, 'PATCH', `${rulesUrl}/${id}`, h, body);
        expect(res.statusCode, `${id} ${res.body}`).toBe(204);
        expect(await rule(id)).toMatchObject(expected);
      }
    });

    it('keeps what a PATCH leaves out, and turns an empty claimValue into null', async () => {
      await call(s, 'PATCH', `${rulesUrl}/AuthenticationContext_EndUser_Assignment`, h, {
        '@odata.type': TYPE.authenticationContext,
        isEnabled: true,
        claimValue: 'c1',
      });
      const off = await call(s, 'PATCH', `${rulesUrl}/AuthenticationContext_EndUser_Assignment`, h, {
        '@odata.type': TYPE.authenticationContext,
        isEnabled: false,
        claimValue: '',
      });
      expect(off.statusCode, off.body).toBe(204);
      expect(await rule('AuthenticationContext_EndUser_Assignment')).toMatchObject({
        isEnabled: false,
        claimValue: null,
      });

      await call(s, 'PATCH', `${rulesUrl}/Expiration_Admin_Assignment`, h, {
        '@odata.type': TYPE.expiration,
        isExpirationRequired: true,
        maximumDuration: 'P30D',
      });
      const partial = await call(s, 'PATCH', `${rulesUrl}/Expiration_Admin_Assignment`, h, {
        '@odata.type': TYPE.expiration,
        maximumDuration: 'P60D',
      });
      expect(partial.statusCode, partial.body).toBe(204);
      expect(await rule('Expiration_Admin_Assignment')).toMatchObject({
        isExpirationRequired: true,
        maximumDuration: 'P60D',
      });
    });

    it('accepts serial two-stage approval with escalation, and a rule id in any case', async () => {
      const body = approval({ approvalMode: 'serial' }, [
        stage({
          approvalStageTimeOutInDays: 2,
          isEscalationEnabled: true,
          escalationTimeInMinutes: 60,
          primaryApprovers: [
            {
              '@odata.type': '#microsoft.graph.singleUser',
              userId: approverId.toUpperCase(),
              description: 'CISO',
            },
          ],
          escalationApprovers: [{ '@odata.type': '#microsoft.graph.groupMembers', groupId: approverGroupId }],
        }),
        stage({
          primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupMembers', groupId: approverGroupId }],
        }),
      ]);
      const res = await call(s, 'PATCH', `${rulesUrl}/approval_enduser_assignment`, h, body);
      expect(res.statusCode, res.body).toBe(204);
      const setting = (await rule('Approval_EndUser_Assignment')).setting;
      expect(setting.approvalMode).toBe('Serial');
      expect(setting.approvalStages[0]!.primaryApprovers).toStrictEqual([
        { '@odata.type': '#microsoft.graph.singleUser', userId: approverId, description: 'CISO' },
      ]);
      expect(setting.approvalStages[0]!.escalationTimeInMinutes).toBe(60);
    });
  });

  describe('bad bodies change nothing', () => {
    const big = 'x'.repeat(100_000);
    const cases: [string, string, unknown, string?][] = [
      ['no @odata.type', 'Expiration_EndUser_Assignment', { maximumDuration: 'PT2H' }],
      [
        'the @odata.type of another rule kind',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.enablement, enabledRules: [] },
      ],
      [
        'an unknown @odata.type',
        'Expiration_EndUser_Assignment',
        { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyRule' },
      ],
      [
        'an id that is not the rule',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, id: 'Expiration_Admin_Assignment' },
      ],
      [
        'an unknown property',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, colour: 'red' },
      ],
      [
        'a property of another rule type',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, enabledRules: [] },
      ],
      [
        'a string for a boolean',
        'Expiration_Admin_Assignment',
        { '@odata.type': TYPE.expiration, isExpirationRequired: 'true' },
      ],
      [
        'a negative duration',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'PT-1H' },
      ],
      [
        'a huge duration',
        'Expiration_Admin_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'P100000Y' },
      ],
      ['years', 'Expiration_Admin_Assignment', { '@odata.type': TYPE.expiration, maximumDuration: 'P1Y' }],
      [
        'not a duration',
        'Expiration_Admin_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'eight hours' },
      ],
      [
        'a 100 kB duration',
        'Expiration_Admin_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: big },
      ],
      [
        'activation under 5 minutes',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'PT4M59S' },
      ],
      [
        'activation over a day',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'P1DT1S' },
      ],
      [
        'eligibility over 3653 days',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, maximumDuration: 'P3654D' },
      ],
      [
        'assignment under an hour',
        'Expiration_Admin_Assignment',
        { '@odata.type': TYPE.expiration, maximumDuration: 'PT59M' },
      ],
      ['zero', 'Expiration_Admin_Assignment', { '@odata.type': TYPE.expiration, maximumDuration: 'PT0S' }],
      [
        'expiration required without a duration',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, isExpirationRequired: true },
      ],
      [
        'permanent activation',
        'Expiration_EndUser_Assignment',
        { '@odata.type': TYPE.expiration, isExpirationRequired: false, maximumDuration: 'PT8H' },
      ],
      [
        'ticketing for admin assignment',
        'Enablement_Admin_Assignment',
        { '@odata.type': TYPE.enablement, enabledRules: ['Ticketing'] },
      ],
      [
        'an unknown enablement',
        'Enablement_EndUser_Assignment',
        { '@odata.type': TYPE.enablement, enabledRules: ['Fingerprint'] },
      ],
      [
        'a repeated enablement',
        'Enablement_EndUser_Assignment',
        { '@odata.type': TYPE.enablement, enabledRules: ['Justification', 'justification'] },
      ],
      [
        'enabledRules not a list',
        'Enablement_EndUser_Assignment',
        { '@odata.type': TYPE.enablement, enabledRules: 'Justification' },
      ],
      [
        'another caller in target',
        'Enablement_EndUser_Assignment',
        { '@odata.type': TYPE.enablement, target: { caller: 'Admin' } },
      ],
      [
        'another level in target',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, target: { level: 'Assignment' } },
      ],
      [
        'other operations in target',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, target: { operations: ['Activate'] } },
      ],
      [
        'settings in target',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, target: { enforcedSettings: ['x'] } },
      ],
      [
        'an unknown target property',
        'Expiration_Admin_Eligibility',
        { '@odata.type': TYPE.expiration, target: { colour: 'red' } },
      ],
      [
        'NoApproval with approval required',
        'Approval_EndUser_Assignment',
        approval({ approvalMode: 'NoApproval' }),
      ],
      ['an unknown approval mode', 'Approval_EndUser_Assignment', approval({ approvalMode: 'Sometimes' })],
      ['two stages for SingleStage', 'Approval_EndUser_Assignment', approval({}, [stage(), stage()])],
      ['one stage for Serial', 'Approval_EndUser_Assignment', approval({ approvalMode: 'Serial' })],
      [
        'three stages',
        'Approval_EndUser_Assignment',
        approval({ approvalMode: 'Serial' }, [stage(), stage(), stage()]),
      ],
      [
        'a stage timeout of 0 days',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ approvalStageTimeOutInDays: 0 })]),
      ],
      [
        'a stage timeout of 8 days',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ approvalStageTimeOutInDays: 8 })]),
      ],
      [
        'a fractional timeout',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ approvalStageTimeOutInDays: 1.5 })]),
      ],
      [
        'escalation without approvers',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ isEscalationEnabled: true, escalationTimeInMinutes: 30 })]),
      ],
      [
        'escalation after the timeout',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ escalationTimeInMinutes: 1440 })]),
      ],
      [
        'a setting without approvalStages',
        'Approval_EndUser_Assignment',
        { '@odata.type': TYPE.approval, setting: { isApprovalRequired: true } },
      ],
      [
        'an approver that is not a GUID',
        'Approval_EndUser_Assignment',
        approval({}, [
          stage({ primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: 'alice' }] }),
        ]),
      ],
      [
        'an unknown approver type',
        'Approval_EndUser_Assignment',
        approval({}, [stage({ primaryApprovers: [{ '@odata.type': '#microsoft.graph.externalSponsors' }] })]),
      ],
      [
        'an approver twice',
        'Approval_EndUser_Assignment',
        approval({}, [
          stage({
            primaryApprovers: [1, 2].map(() => ({
              '@odata.type': '#microsoft.graph.groupMembers',
              groupId: '11111111-1111-4111-8111-111111111111',
            })),
          }),
        ]),
      ],
      [
        '51 approvers',
        'Approval_EndUser_Assignment',
        approval({}, [
          stage({
            primaryApprovers: Array.from({ length: 51 }, (_, i) => ({
              '@odata.type': '#microsoft.graph.singleUser',
              userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            })),
          }),
        ]),
      ],
      [
        'an approver who does not exist',
        'Approval_EndUser_Assignment',
        approval({}, [
          stage({
            primaryApprovers: [
              {
                '@odata.type': '#microsoft.graph.singleUser',
                userId: '00000000-0000-4000-8000-000000000001',
              },
            ],
          }),
        ]),
        'Request_BadRequest',
      ],
      [
        'an approver group that does not exist',
        'Approval_EndUser_Assignment',
        approval({}, [
          stage({
            primaryApprovers: [
              {
                '@odata.type': '#microsoft.graph.groupMembers',
                groupId: '00000000-0000-4000-8000-000000000002',
              },
            ],
          }),
        ]),
        'Request_BadRequest',
      ],
      [
        'context enabled without a claim',
        'AuthenticationContext_EndUser_Assignment',
        { '@odata.type': TYPE.authenticationContext, isEnabled: true, claimValue: null },
      ],
      [
        'claim c100',
        'AuthenticationContext_EndUser_Assignment',
        { '@odata.type': TYPE.authenticationContext, isEnabled: true, claimValue: 'c100' },
      ],
      [
        'claim c0',
        'AuthenticationContext_EndUser_Assignment',
        { '@odata.type': TYPE.authenticationContext, isEnabled: true, claimValue: 'c0' },
      ],
      [
        'claim x1',
        'AuthenticationContext_EndUser_Assignment',
        { '@odata.type': TYPE.authenticationContext, isEnabled: false, claimValue: 'x1' },
      ],
      [
        'another recipient type',
        'Notification_Requestor_Admin_Assignment',
        { '@odata.type': TYPE.notification, recipientType: 'Admin' },
      ],
      [
        'an unknown notification level',
        'Notification_Admin_Admin_Assignment',
        { '@odata.type': TYPE.notification, notificationLevel: 'Loud' },
      ],
      [
        'SMS notifications',
        'Notification_Admin_Admin_Assignment',
        { '@odata.type': TYPE.notification, notificationType: 'Sms' },
      ],
      [
        'a recipient that is not an address',
        'Notification_Admin_Admin_Assignment',
        { '@odata.type': TYPE.notification, notificationRecipients: ['not-an-email'] },
      ],
      [
        'a named recipient',
        'Notification_Admin_Admin_Assignment',
        { '@odata.type': TYPE.notification, notificationRecipients: ['SOC <soc@contoso.test>'] },
      ],
      [
        'a recipient twice',
        'Notification_Admin_Admin_Assignment',
        { '@odata.type': TYPE.notification, notificationRecipients: ['a@contoso.test', 'A@contoso.test'] },
      ],
      [
        '51 recipients',
        'Notification_Admin_Admin_Assignment',
        {
          '@odata.type': TYPE.notification,
          notificationRecipients: Array.from({ length: 51 }, (_, i) => `r${i}@contoso.test`),
        },
      ],
      ['a list body', 'Expiration_EndUser_Assignment', [{ '@odata.type': TYPE.expiration }]],
      ['a null body', 'Expiration_EndUser_Assignment', null],
      ['a string body', 'Expiration_EndUser_Assignment', 'PT2H'],
    ];

    it.each(cases)('%s → 400', async (_name, ruleId, body, code = 'invalidRequest') => {
      const before = await snapshot();
      const res = await call(s, 'PATCH', `${rulesUrl}/${ruleId}`, h, body);
      expectGraphError(res, 400, code);
      expect(await snapshot()).toStrictEqual(before);
    });

    it('refuses an approver from another tenant as if it did not exist', async () => {
      const other = await s.otherTenant();
      const foreign = await userWithRoles(s, other.tenantId);
      const before = await snapshot();
      const body = approval({}, [
        stage({ primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: foreign.id }] }),
      ]);
      expectGraphError(
        await call(s, 'PATCH', `${rulesUrl}/Approval_EndUser_Assignment`, h, body),
        400,
        'Request_BadRequest',
      );
      expect(await snapshot()).toStrictEqual(before);
      // And that tenant's own administrator cannot reach this policy at all.
      const theirs = await tenantHeaders(s, other);
      expectGraphError(
        await call(
          s,
          'PATCH',
          `${rulesUrl}/Expiration_Admin_Assignment`,
          theirs,
          DOCUMENTED_RULE_UPDATES.Expiration_Admin_Assignment,
        ),
        404,
      );
    });

    it.each([
      [
        'a read-only property',
        { displayName: 'Mine', rules: [DOCUMENTED_RULE_UPDATES.Expiration_Admin_Eligibility] },
      ],
      ['no rules', { rules: [] }],
      ['a rule without id', { rules: [{ '@odata.type': TYPE.expiration, maximumDuration: 'P30D' }] }],
      [
        'an unknown rule id',
        {
          rules: [
            { '@odata.type': TYPE.expiration, id: 'Expiration_Robot_Assignment', maximumDuration: 'P30D' },
          ],
        },
      ],
      [
        'a rule twice',
        {
          rules: [
            DOCUMENTED_RULE_UPDATES.Expiration_Admin_Eligibility,
            { ...DOCUMENTED_RULE_UPDATES.Expiration_Admin_Eligibility, id: 'expiration_admin_eligibility' },
          ],
        },
      ],
      [
        'one good and one bad rule',
        {
          rules: [
            { ...DOCUMENTED_RULE_UPDATES.Expiration_Admin_Eligibility, maximumDuration: 'P45D' },
            {
              '@odata.type': TYPE.enablement,
              id: 'Enablement_Admin_Assignment',
              enabledRules: ['Ticketing'],
            },
          ],
        },
      ],
    ])('PATCH of the policy with %s → 400, nothing changes', async (_name, body) => {
      const before = await snapshot();
      const stored = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
      expectGraphError(await call(s, 'PATCH', `${POLICIES}/${policyId}`, h, body), 400, 'invalidRequest');
      expect(await snapshot()).toStrictEqual(before);
      expect(await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR)).toStrictEqual(stored);
    });

    it('answers 404 for an unknown rule or policy, and leaves the policy alone', async () => {
      const before = await snapshot();
      expectGraphError(
        await call(s, 'PATCH', `${rulesUrl}/Expiration_Robot_Assignment`, h, {
          '@odata.type': TYPE.expiration,
        }),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(
        await call(
          s,
          'PATCH',
          `${POLICIES}/${policyId}x/rules/Expiration_Admin_Assignment`,
          h,
          DOCUMENTED_RULE_UPDATES.Expiration_Admin_Assignment,
        ),
        404,
        'Request_ResourceNotFound',
      );
      expect(await snapshot()).toStrictEqual(before);
    });
  });
});
