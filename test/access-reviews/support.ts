import { makeReviewDecisions } from '../../src/app/access-reviews/decisions.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import type { TestServer } from '../helpers/server.js';
import { call, type Headers, type ManualClock, useCases, userCaller } from '../pim/support.js';

export const DEFINITIONS = '/v1.0/identityGovernance/accessReviews/definitions';
export const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
export const GROUPS_ADMINISTRATOR = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';

export type Json = Record<string, unknown>;

/** A definition body as Graph writes one for a PIM role review. */
export function definitionBody(
  over: {
    roles?: string[];
    reviewers?: Json[];
    fallbackReviewers?: Json[];
    settings?: Json;
    displayName?: string;
  } = {},
): Json {
  return {
    displayName: over.displayName ?? 'Quarterly review of admin roles',
    descriptionForAdmins: 'Privileged roles, every quarter',
    descriptionForReviewers: 'Keep only what is used',
    scope: {
      '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
      principalScopes: [
        {
          '@odata.type': '#microsoft.graph.accessReviewQueryScope',
          query: '/users',
          queryType: 'MicrosoftGraph',
        },
      ],
      resourceScopes: (over.roles ?? [USER_ADMINISTRATOR, GROUPS_ADMINISTRATOR]).map((id) => ({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${id}')`,
        queryType: 'MicrosoftGraph',
      })),
    },
    reviewers: over.reviewers ?? [],
    ...(over.fallbackReviewers ? { fallbackReviewers: over.fallbackReviewers } : {}),
    settings: {
      mailNotificationsEnabled: true,
      reminderNotificationsEnabled: true,
      justificationRequiredOnApproval: false,
      defaultDecisionEnabled: true,
      defaultDecision: 'Recommendation',
      instanceDurationInDays: 14,
      autoApplyDecisionsEnabled: true,
      recommendationsEnabled: true,
      recommendationLookBackDuration: 'P30D',
      recurrence: {
        pattern: { type: 'absoluteMonthly', interval: 3 },
        range: { type: 'noEnd', startDate: '2026-12-01' },
      },
      ...over.settings,
    },
  };
}

export const userReviewer = (id: string): Json => ({ query: `/users/${id}`, queryType: 'MicrosoftGraph' });
export const managerReviewer: Json = {
  query: './manager',
  queryType: 'MicrosoftGraph',
  queryRoot: 'decisions',
};

export async function createDefinition(s: TestServer, admin: Headers, body: Json): Promise<string> {
  const res = await call(s, 'POST', DEFINITIONS, admin, body);
  if (res.statusCode !== 201) throw new Error(`definition refused: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

/** Reviewers' use cases over the server's database (users have no tokens in these tests). */
export function reviewerCases(s: TestServer, clock: ManualClock) {
  return makeReviewDecisions({ uow: createUnitOfWork(s.db), clock });
}

/** Activates an eligible role now, as the user, for an hour (activation rules relaxed by the test). */
export async function activate(s: TestServer, clock: ManualClock, user: string, role: string) {
  return useCases(s, clock).requests.create(userCaller(s, user), {
    kind: 'assignment',
    action: 'selfActivate',
    principalId: user,
    roleDefinitionId: role,
    directoryScopeId: '/',
    justification: 'incident',
    ticketInfo: null,
    scheduleInfo: {
      startDateTime: null,
      expiration: { type: 'afterDuration', endDateTime: null, duration: 'PT1H' },
    },
    isValidationOnly: false,
    customData: null,
  });
}
