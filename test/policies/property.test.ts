import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../src/domain/policy/default-rules.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { DOCUMENTED_DEFAULT_RULES } from './fixtures.js';
import { call, GLOBAL_ADMINISTRATOR, POLICIES, policyIdOf, storedPolicy, type Headers } from './support.js';

type Json = Record<string, unknown>;

const RULE_TYPES = [...new Set(DOCUMENTED_DEFAULT_RULES.map((r) => r['@odata.type']))];

/** Values no duration rule accepts: malformed, negative, calendar units, out of every bound. */
const BAD_DURATIONS = [
  'PT-1H',
  '-P1D',
  'P100000Y',
  'P1Y',
  'P1M',
  '2025-13-40',
  '2025-13-40T25:61:00Z',
  'PT0S',
  'PT4M',
  'P',
  'PT',
  'PT1H ',
  ' PT1H',
  'PT0.5H',
  'P1W2D',
  'P99999999999D',
  'NaN',
  '',
  'x'.repeat(65),
];

/** Any JSON value that is not of the given kind. */
const notA = (kind: 'boolean' | 'string' | 'array' | 'integer' | 'object') =>
  fc.jsonValue({ maxDepth: 2 }).filter((v) => {
    switch (kind) {
      case 'boolean':
        return typeof v !== 'boolean';
      case 'string':
        return typeof v !== 'string';
      case 'array':
        return !Array.isArray(v);
      case 'integer':
        return !Number.isInteger(v);
      case 'object':
        return v === null || typeof v !== 'object' || Array.isArray(v);
    }
  });

/** A string that is none of `values` in any case. */
const notOneOf = (values: readonly string[]) =>
  fc
    .string({ maxLength: 40 })
    .filter((v) => !values.some((value) => value.toLowerCase() === v.toLowerCase()));

const KNOWN_KEYS = new Set([
  '@odata.type',
  'id',
  'target',
  'isExpirationRequired',
  'maximumDuration',
  'enabledRules',
  'setting',
  'isEnabled',
  'claimValue',
  'notificationType',
  'recipientType',
  'notificationLevel',
  'isDefaultRecipientsEnabled',
  'notificationRecipients',
]);

const unknownKey = fc
  .string({ minLength: 1, maxLength: 30 })
  .filter((k) => !KNOWN_KEYS.has(k) && k !== '__proto__');

/** One change that makes any valid body of that rule invalid. */
function breakRule(rule: Json): fc.Arbitrary<Json> {
  const set = (path: string[], value: unknown): Json => {
    const copy = structuredClone(rule);
    let at: Json = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Json;
    at[path[path.length - 1] as string] = value;
    return copy;
  };
  const common: fc.Arbitrary<Json>[] = [
    fc.constant((({ '@odata.type': _t, ...rest }) => rest)(rule)),
    fc
      .constantFrom(...RULE_TYPES.filter((t) => t !== rule['@odata.type']))
      .map((t) => set(['@odata.type'], t)),
    fc.tuple(unknownKey, fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ ...rule, [k]: v })),
    notA('string').map((v) => set(['id'], v)),
    fc.constantFrom('Expiration_Robot', 'x', '').map((v) => set(['id'], v)),
    notA('object')
      .filter((v) => v !== null)
      .map((v) => set(['target'], v)),
    fc
      .constantFrom('None', 'admin', 'enduser', 'Robot')
      .map((caller) =>
        set(
          ['target', 'caller'],
          caller.toLowerCase() === String((rule.target as Json).caller).toLowerCase() ? 'Robot' : caller,
        ),
      ),
    fc.constantFrom(['Activate'], ['all', 'renew'], [], 'all').map((v) => set(['target', 'operations'], v)),
  ];
  const specific: fc.Arbitrary<Json>[] = [];
  switch (rule['@odata.type']) {
    case '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule':
      specific.push(
        fc.constantFrom(...BAD_DURATIONS).map((v) => set(['maximumDuration'], v)),
        notA('string').map((v) => set(['maximumDuration'], v)),
        notA('boolean').map((v) => set(['isExpirationRequired'], v)),
      );
      break;
    case '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule':
      specific.push(
        notA('array').map((v) => set(['enabledRules'], v)),
        notOneOf(['MultiFactorAuthentication', 'Justification', 'Ticketing']).map((v) =>
          set(['enabledRules'], [v]),
        ),
        fc.constant(set(['enabledRules'], ['Justification', 'JUSTIFICATION'])),
      );
      break;
    case '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule':
      specific.push(
        notA('object').map((v) => set(['setting'], v)),
        notA('boolean').map((v) => set(['setting', 'isApprovalRequired'], v)),
        notOneOf(['SingleStage', 'Serial', 'Parallel', 'NoApproval']).map((v) =>
          set(['setting', 'approvalMode'], v),
        ),
        fc
          .constantFrom(0, 8, -1, 1.5, 1e9)
          .map((v) => set(['setting', 'approvalStages', '0', 'approvalStageTimeOutInDays'], v)),
        notA('array').map((v) => set(['setting', 'approvalStages', '0', 'primaryApprovers'], v)),
        fc
          .constantFrom(
            { '@odata.type': '#microsoft.graph.singleUser', userId: 'not-a-guid' },
            { '@odata.type': '#microsoft.graph.singleUser', userId: '00000000-0000-4000-8000-00000000dead' },
            {
              '@odata.type': '#microsoft.graph.groupMembers',
              groupId: '00000000-0000-4000-8000-00000000beef',
            },
            { '@odata.type': '#microsoft.graph.connectedOrganizationMembers', connectedOrganizationId: 'x' },
            { userId: '00000000-0000-4000-8000-000000000001' },
          )
          .map((a) => set(['setting', 'approvalStages', '0', 'primaryApprovers'], [a])),
        fc.constant(set(['setting', 'approvalStages'], [])),
      );
      break;
    case '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule':
      specific.push(
        notA('boolean').map((v) => set(['isEnabled'], v)),
        fc.constantFrom('c0', 'c100', 'x1', 'c', 'c1 ', 'acrs', '💥').map((v) => set(['claimValue'], v)),
        fc.constant({ ...rule, isEnabled: true, claimValue: null }),
      );
      break;
    case '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule':
      specific.push(
        notOneOf(['Email']).map((v) => set(['notificationType'], v)),
        notOneOf(['None', 'Critical', 'All']).map((v) => set(['notificationLevel'], v)),
        notA('boolean').map((v) => set(['isDefaultRecipientsEnabled'], v)),
        fc
          .string({ maxLength: 60 })
          .filter((v) => !/^[^\s@]+@[^\s@]+\.[a-z]+$/i.test(v))
          .map((v) => set(['notificationRecipients'], [v])),
        fc
          .constantFrom('Requestor', 'Approver', 'Admin')
          .map((v) => set(['recipientType'], v === rule.recipientType ? 'Robot' : v)),
      );
      break;
  }
  return fc.oneof(...common, ...specific);
}

describe('random bad bodies to the PATCH endpoints', () => {
  let s: TestServer;
  let h: Headers;
  let policyId: string;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    policyId = await policyIdOf(s, h, GLOBAL_ADMINISTRATOR);
  });
  afterAll(() => s.close());

  const expectRefused = async (url: string, body: unknown) => {
    const before = await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR);
    const res = await call(s, 'PATCH', url, h, body);
    expect(
      res.statusCode,
      `${url} ${JSON.stringify(body).slice(0, 300)} → ${res.body.slice(0, 300)}`,
    ).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const error = res.json().error;
    expect(error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(error.innerError).toMatchObject({ 'request-id': res.headers['request-id'] });
    expect(await storedPolicy(s, s.boot.tenantId, GLOBAL_ADMINISTRATOR)).toStrictEqual(before);
  };

  const ruleAndBody = fc
    .constantFrom(...DOCUMENTED_DEFAULT_RULES)
    .chain((rule) => fc.tuple(fc.constant(rule.id), breakRule(rule as Json)));

  it('any JSON value is refused with a 4xx envelope and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RULE_IDS), fc.jsonValue({ maxDepth: 4 }), async (ruleId, body) => {
        await expectRefused(`${POLICIES}/${policyId}/rules/${ruleId}`, body);
        await expectRefused(`${POLICIES}/${policyId}`, body);
        await expectRefused(`${POLICIES}/${policyId}`, { rules: [body] });
      }),
      { numRuns: 150 },
    );
  });

  it('a valid rule body with one bad change is refused and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(ruleAndBody, async ([ruleId, body]) => {
        await expectRefused(`${POLICIES}/${policyId}/rules/${ruleId}`, body);
      }),
      { numRuns: 300 },
    );
  });

  it('a policy PATCH with one bad rule among good ones is refused as a whole', async () => {
    const good = DOCUMENTED_DEFAULT_RULES.filter((r) => r.id.startsWith('Notification_')).slice(0, 3);
    await fc.assert(
      fc.asyncProperty(ruleAndBody, fc.nat({ max: 3 }), async ([ruleId, body], at) => {
        if (body.id !== undefined && body.id !== ruleId) return; // a wrong id names another rule here
        const rules: unknown[] = good.map((r) => ({ ...r, notificationLevel: 'Critical' }));
        rules.splice(at, 0, { ...body, id: ruleId });
        if (rules.filter((r) => (r as Json).id === ruleId).length > 1) return;
        await expectRefused(`${POLICIES}/${policyId}`, { rules });
      }),
      { numRuns: 200 },
    );
  });

  it('a 1 MB string is refused too', async () => {
    const body = {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      maximumDuration: 'P'.repeat(1_100_000),
    };
    await expectRefused(`${POLICIES}/${policyId}/rules/Expiration_EndUser_Assignment`, body);
    await expectRefused(`${POLICIES}/${policyId}/rules/Expiration_EndUser_Assignment`, {
      ...body,
      maximumDuration: 'P'.repeat(500_000),
    });
  });
});
