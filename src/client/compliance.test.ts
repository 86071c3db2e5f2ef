import { describe, expect, it } from 'vitest';
import type { ComplianceSnapshot, ScheduleFact } from '../domain/compliance/checklist.js';
import type { EnabledRule, PolicyRule, RuleTarget } from '../domain/policy/types.js';
import { GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR } from '../domain/roles/built-in-role-ids.js';
import { clientChecklist, NOT_EVALUATED } from './compliance.js';

const target: RuleTarget = {
  caller: 'EndUser',
  operations: ['all'],
  level: 'Assignment',
  inheritableSettings: [],
  enforcedSettings: [],
  targetObjects: null,
};
const enablement = (enabledRules: EnabledRule[]): PolicyRule => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  id: 'Enablement_EndUser_Assignment',
  enabledRules,
  target,
});
const contextRule = (claimValue: string): PolicyRule => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  id: 'AuthenticationContext_EndUser_Assignment',
  isEnabled: true,
  claimValue,
  target,
});

function snapshot(rules: PolicyRule[], schedules: Partial<ScheduleFact>[] = []): ComplianceSnapshot {
  const fact = (s: Partial<ScheduleFact>, i: number): ScheduleFact => ({
    id: `s${i}`,
    principalId: `p${i}`,
    principalType: 'user',
    roleDefinitionId: GLOBAL_ADMINISTRATOR,
    directoryScopeId: '/',
    origin: 'pim',
    assignmentType: 'Assigned',
    start: 0,
    end: null,
    ...s,
  });
  return {
    tenantId: 't',
    generatedAt: 1_000,
    privilegedRoles: [
      { id: GLOBAL_ADMINISTRATOR, displayName: 'Global Administrator' },
      { id: PRIVILEGED_ROLE_ADMINISTRATOR, displayName: 'Privileged Role Administrator' },
    ],
    policies: new Map([
      [GLOBAL_ADMINISTRATOR, rules],
      [PRIVILEGED_ROLE_ADMINISTRATOR, [enablement(['MultiFactorAuthentication'])]],
    ]),
    authenticationContexts: [],
    assignments: schedules.map(fact),
    eligibilities: [],
    breakGlass: { groupId: null, groupExists: false, members: [], accounts: [] },
    forwarding: { destinations: [], cursors: [], headSeq: 0 },
    notifications: { emailEnabled: false, adminMailboxes: 0, adminWebhooks: 0, recent: { sent: 0, dead: 0 } },
    accessReviews: [],
    alerts: [],
  };
}
const status = (items: ReturnType<typeof clientChecklist>, id: string) =>
  items.find((i) => i.id === id)?.status;

describe('clientChecklist: what Graph cannot supply is never a verdict', () => {
  it('marks the checks Graph has no data for as not evaluated, with the reason and no evidence', () => {
    const items = clientChecklist(snapshot([enablement(['MultiFactorAuthentication'])]), []);
    for (const id of Object.keys(NOT_EVALUATED)) {
      const item = items.find((i) => i.id === id);
      expect(item).toMatchObject({ status: 'notEvaluated', reason: NOT_EVALUATED[id], evidence: {} });
    }
    expect(status(items, 'mfaOnActivation')).toBe('pass');
  });

  it('a role whose MFA rests on a context Graph does not describe is not evaluated; without any rule it fails', () => {
    expect(
      status(clientChecklist(snapshot([enablement([]), contextRule('c1')]), ['c1']), 'mfaOnActivation'),
    ).toBe('notEvaluated');
    // The contexts could not be read at all (null): the same.
    expect(
      status(clientChecklist(snapshot([enablement([]), contextRule('c1')]), null), 'mfaOnActivation'),
    ).toBe('notEvaluated');
    // A context that does not exist is no MFA: a fail, as on the server.
    expect(
      status(clientChecklist(snapshot([enablement([]), contextRule('c9')]), ['c1']), 'mfaOnActivation'),
    ).toBe('fail');
    expect(status(clientChecklist(snapshot([enablement([])]), []), 'mfaOnActivation')).toBe('fail');
  });

  it('counts Global Administrators, active or eligible, each principal once: 2 to 4 pass', () => {
    const ga = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        principalId: `p${i}`,
        assignmentType: 'Activated',
        end: 5_000,
      }));
    const count = (n: number) => status(clientChecklist(snapshot([], ga(n)), []), 'globalAdministratorCount');
    expect([1, 2, 4, 5].map(count)).toEqual(['fail', 'pass', 'pass', 'fail']);
    const twice = clientChecklist(
      snapshot([], [{ principalId: 'a' }, { principalId: 'a', id: 'other' }]),
      [],
    );
    expect(twice.find((i) => i.id === 'globalAdministratorCount')?.evidence.count).toBe(1);
  });
});
