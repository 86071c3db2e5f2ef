import { z } from 'zod';
import type { NamedDecisionItem } from '../../app/access-reviews/ports.js';
import type { DefinitionInput, DefinitionView } from '../../app/access-reviews/definitions.js';
import type { InstanceView } from '../../app/access-reviews/instances.js';
import type {
  Reviewer,
  ReviewScope,
  RoleInScope,
  ReviewSettings,
} from '../../domain/access-reviews/types.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { formatDuration, parseDuration } from '../../domain/time/duration.js';
import { dt, dtOrNull, DURATION_PATTERN, nonEmpty, str } from './json.js';

// Graph's access review shapes (accessReviewScheduleDefinition, accessReviewInstance,
// accessReviewInstanceDecisionItem) ↔ Elevate's terms. Scope and reviewer queries are parsed here,
// once, into roles and reviewers; the JSON Elevate answers with writes them back in one canonical form.

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ROLE_DEFINITION = new RegExp(`^/roleManagement/directory/roleDefinitions/(${GUID})$`);
const ELIGIBLE = new RegExp(
  `^/roleManagement/directory/roleEligibilityScheduleInstances\\?.*roleDefinitionId eq '(${GUID})'`,
);
const ACTIVE = new RegExp(
  `^/roleManagement/directory/roleAssignmentScheduleInstances\\?.*roleDefinitionId eq '(${GUID})'`,
);
const USER = new RegExp(`^/users/(${GUID})$`);
const GROUP = new RegExp(`^/groups/(${GUID})/(transitiveMembers|members)$`);
const PRINCIPALS = {
  '/users': 'user',
  '/groups': 'group',
  '/servicePrincipals': 'servicePrincipal',
} as const;

const QUERY_SCOPE_TYPE = z
  .enum(['#microsoft.graph.accessReviewQueryScope', 'microsoft.graph.accessReviewQueryScope'])
  .optional();

const principalScope = z
  .object({
    '@odata.type': QUERY_SCOPE_TYPE,
    query: z.enum(['/users', '/groups', '/servicePrincipals']),
    queryType: z.literal('MicrosoftGraph').optional(),
    queryRoot: str(100).nullable().optional(),
  })
  .strict();

const RESOURCE_QUERY = new RegExp(
  `^/roleManagement/directory/(?:roleDefinitions/${GUID}|role(?:Eligibility|Assignment)ScheduleInstances\\?.*roleDefinitionId eq '${GUID}'.*)$`,
);
const queryScope = z
  .object({
    '@odata.type': QUERY_SCOPE_TYPE,
    query: z
      .string()
      .max(1000)
      .regex(
        RESOURCE_QUERY,
        'must name a directory role (roleDefinitions/{id} or a schedule instances query)',
      ),
    queryType: z.literal('MicrosoftGraph').optional(),
    queryRoot: str(100).nullable().optional(),
  })
  .strict();

const REVIEWER_QUERY = new RegExp(
  `^(?:/users/${GUID}|/groups/${GUID}/(?:transitiveMembers|members)|\\./manager)$`,
);
const reviewerScope = z
  .object({
    '@odata.type': str(100).optional(),
    query: z
      .string()
      .max(300)
      .regex(
        REVIEWER_QUERY,
        'must be /users/{id}, /groups/{id}/transitiveMembers, /groups/{id}/members or ./manager',
      ),
    queryType: z.literal('MicrosoftGraph').optional(),
    queryRoot: str(100).nullable().optional(),
  })
  .strict();

const date = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'must be a date such as 2026-01-31');

const recurrence = z
  .object({
    pattern: z
      .object({
        type: z.enum(['daily', 'weekly', 'absoluteMonthly', 'absoluteYearly']),
        interval: z.number().int().min(1).max(99),
        month: z.number().int().min(0).max(12).optional(),
        dayOfMonth: z.number().int().min(0).max(31).optional(),
        daysOfWeek: z.array(str(10)).max(7).optional(),
        firstDayOfWeek: str(10).optional(),
        index: str(10).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    range: z
      .object({
        type: z.enum(['noEnd', 'endDate', 'numbered']),
        startDate: date,
        endDate: date.nullable().optional(),
        numberOfOccurrences: z.number().int().min(0).max(1000).optional(),
        recurrenceTimeZone: str(100).nullable().optional(),
      })
      .strict(),
  })
  .strict();

const settings = z
  .object({
    mailNotificationsEnabled: z.boolean().optional(),
    reminderNotificationsEnabled: z.boolean().optional(),
    justificationRequiredOnApproval: z.boolean().optional(),
    defaultDecisionEnabled: z.boolean().optional(),
    defaultDecision: z.enum(['Approve', 'Deny', 'Recommendation', 'None']).optional(),
    instanceDurationInDays: z.number().int().min(1).max(365).optional(),
    autoApplyDecisionsEnabled: z.boolean().optional(),
    recommendationsEnabled: z.boolean().optional(),
    recommendationLookBackDuration: str(64).meta({ pattern: DURATION_PATTERN }).nullable().optional(),
    decisionHistoriesForReviewersEnabled: z.boolean().optional(),
    recurrence: recurrence.nullable().optional(),
    applyActions: z
      .array(z.object({ '@odata.type': str(100) }).strict())
      .max(2)
      .optional(),
  })
  .strict();

/** What a definition body must also meet that its schema cannot state (the routes' description). */
export const DEFINITION_RELATIONS =
  'Also refused (400): `instanceDurationInDays` longer than the recurrence period; an `endDate` range ' +
  'without an endDate on or after its startDate; a `numbered` range without numberOfOccurrences of at least 1; ' +
  'a fallback reviewer cannot be the manager; the scope cannot be changed by `PUT`; roles, users and groups ' +
  'named must exist (`BadRequest`).';

/** The body of `POST`/`PUT definitions`, as Graph writes it. */
export const definitionBody = z
  .object({
    '@odata.type': str(100).optional(),
    displayName: nonEmpty(256),
    descriptionForAdmins: str(1024).nullable().optional(),
    descriptionForReviewers: str(1024).nullable().optional(),
    scope: z
      .object({
        '@odata.type': z.literal('#microsoft.graph.principalResourceMembershipsScope'),
        principalScopes: z.array(principalScope).min(1).max(3),
        resourceScopes: z.array(queryScope).min(1).max(50),
      })
      .strict()
      .describe(
        '`principalResourceMembershipsScope`: principalScopes `/users`, `/groups`, `/servicePrincipals`; resourceScopes ' +
          '`/roleManagement/directory/roleDefinitions/{id}` (eligible and active), or ' +
          "`/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(roleDefinitionId eq '{id}')` " +
          '(eligible), or the same on `roleAssignmentScheduleInstances` (active). Several roles is an Elevate extension.',
      ),
    reviewers: z.array(reviewerScope).max(25).optional(),
    fallbackReviewers: z.array(reviewerScope).max(25).optional(),
    backupReviewers: z.array(reviewerScope).max(0).optional(),
    additionalNotificationRecipients: z.array(z.unknown()).max(0).optional(),
    instanceEnumerationScope: z.null().optional(),
    settings: settings.optional(),
  })
  .strict();

type DefinitionBody = z.output<typeof definitionBody>;

const bad = (message: string, target: string) => new ValidationError(message, target);

function parseScope(s: DefinitionBody['scope']): ReviewScope {
  const principalTypes = s.principalScopes.map((p, n) => {
    const t = PRINCIPALS[p.query];
    if (t === undefined)
      throw bad(
        `Unsupported principal scope '${p.query}': use /users, /groups or /servicePrincipals.`,
        `scope.principalScopes[${n}]`,
      );
    return t;
  });
  const roles = new Map<string, RoleInScope>();
  s.resourceScopes.forEach((r, n) => {
    const both = ROLE_DEFINITION.exec(r.query);
    const eligible = ELIGIBLE.exec(r.query);
    const active = ACTIVE.exec(r.query);
    const id = (both ?? eligible ?? active)?.[1]?.toLowerCase();
    if (id === undefined)
      throw bad(
        `Unsupported resource scope '${r.query.slice(0, 200)}': name a directory role.`,
        `scope.resourceScopes[${n}]`,
      );
    const was = roles.get(id) ?? { roleDefinitionId: id, eligible: false, active: false };
    roles.set(id, {
      ...was,
      eligible: was.eligible || !!both || !!eligible,
      active: was.active || !!both || !!active,
    });
  });
  return { roles: [...roles.values()], principalTypes: [...new Set(principalTypes)] };
}

function parseReviewers(list: DefinitionBody['reviewers'], target: string): Reviewer[] {
  return (list ?? []).map((r, n): Reviewer => {
    const user = USER.exec(r.query);
    if (user) return { kind: 'user', id: user[1]!.toLowerCase() };
    const group = GROUP.exec(r.query);
    if (group)
      return { kind: 'group', id: group[1]!.toLowerCase(), transitive: group[2] === 'transitiveMembers' };
    if (r.query === './manager') return { kind: 'manager' };
    throw bad(
      `Unsupported reviewer '${r.query.slice(0, 200)}': use /users/{id}, /groups/{id}/transitiveMembers, or ./manager with queryRoot decisions.`,
      `${target}[${n}]`,
    );
  });
}

const dayOf = (text: string) => Date.parse(`${text}T00:00:00Z`);

/** The definition as Elevate's use cases take it. @throws ValidationError */
export function toDefinitionInput(b: DefinitionBody): DefinitionInput {
  const s = b.settings ?? {};
  const r = s.recurrence ?? null;
  const lookBack = s.recommendationLookBackDuration ?? 'P30D';
  return {
    displayName: b.displayName,
    descriptionForAdmins: b.descriptionForAdmins ?? null,
    descriptionForReviewers: b.descriptionForReviewers ?? null,
    scope: parseScope(b.scope),
    reviewers: parseReviewers(b.reviewers, 'reviewers'),
    fallbackReviewers: parseReviewers(b.fallbackReviewers, 'fallbackReviewers'),
    settings: {
      mailNotificationsEnabled: s.mailNotificationsEnabled ?? true,
      reminderNotificationsEnabled: s.reminderNotificationsEnabled ?? true,
      justificationRequiredOnApproval: s.justificationRequiredOnApproval ?? false,
      defaultDecisionEnabled: s.defaultDecisionEnabled ?? false,
      defaultDecision: s.defaultDecision ?? 'None',
      instanceDurationInDays: s.instanceDurationInDays ?? 14,
      autoApplyDecisionsEnabled: s.autoApplyDecisionsEnabled ?? false,
      recommendationsEnabled: s.recommendationsEnabled ?? false,
      recommendationLookBackDurationMs: parseDuration(lookBack, 'settings.recommendationLookBackDuration'),
      recurrence:
        r === null
          ? null
          : {
              pattern: r.pattern ? { type: r.pattern.type, interval: r.pattern.interval } : null,
              range: {
                type: r.range.type,
                startDate: dayOf(r.range.startDate),
                endDate: r.range.endDate ? dayOf(r.range.endDate) : null,
                numberOfOccurrences: r.range.numberOfOccurrences ?? 0,
              },
            },
    },
  };
}

const CANONICAL_ELIGIBLE = (id: string) =>
  `/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(roleDefinitionId eq '${id}')`;
const CANONICAL_ACTIVE = (id: string) =>
  `/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal&$filter=(assignmentType eq 'Assigned' and roleDefinitionId eq '${id}')`;
const QUERY_SCOPE = '#microsoft.graph.accessReviewQueryScope';

export function scopeToJson(s: ReviewScope) {
  const path = { user: '/users', group: '/groups', servicePrincipal: '/servicePrincipals' } as const;
  return {
    '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
    principalScopes: s.principalTypes.map((t) => ({
      '@odata.type': QUERY_SCOPE,
      query: path[t],
      queryType: 'MicrosoftGraph',
      queryRoot: null,
    })),
    resourceScopes: s.roles.map((r) => ({
      '@odata.type': QUERY_SCOPE,
      query:
        r.eligible && r.active
          ? `/roleManagement/directory/roleDefinitions/${r.roleDefinitionId}`
          : r.eligible
            ? CANONICAL_ELIGIBLE(r.roleDefinitionId)
            : CANONICAL_ACTIVE(r.roleDefinitionId),
      queryType: 'MicrosoftGraph',
      queryRoot: null,
    })),
  };
}

export const reviewersToJson = (list: readonly Reviewer[]) =>
  list.map((r) => ({
    '@odata.type': '#microsoft.graph.accessReviewReviewerScope',
    query:
      r.kind === 'user'
        ? `/users/${r.id}`
        : r.kind === 'group'
          ? `/groups/${r.id}/${r.transitive ? 'transitiveMembers' : 'members'}`
          : './manager',
    queryType: 'MicrosoftGraph',
    queryRoot: r.kind === 'manager' ? 'decisions' : null,
  }));

const day = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));

function settingsToJson(s: ReviewSettings) {
  const { pattern, range } = s.recurrence;
  return {
    mailNotificationsEnabled: s.mailNotificationsEnabled,
    reminderNotificationsEnabled: s.reminderNotificationsEnabled,
    justificationRequiredOnApproval: s.justificationRequiredOnApproval,
    defaultDecisionEnabled: s.defaultDecisionEnabled,
    defaultDecision: s.defaultDecision,
    instanceDurationInDays: s.instanceDurationInDays,
    autoApplyDecisionsEnabled: s.autoApplyDecisionsEnabled,
    recommendationsEnabled: s.recommendationsEnabled,
    recommendationLookBackDuration: formatDuration(s.recommendationLookBackDurationMs),
    decisionHistoriesForReviewersEnabled: false,
    applyActions: s.autoApplyDecisionsEnabled
      ? [{ '@odata.type': '#microsoft.graph.removeAccessApplyAction' }]
      : [],
    recurrence: {
      pattern:
        pattern === null
          ? null
          : {
              type: pattern.type,
              interval: pattern.interval,
              month: 0,
              dayOfMonth: 0,
              daysOfWeek: [],
              firstDayOfWeek: 'sunday',
              index: 'first',
            },
      range: {
        type: range.type,
        numberOfOccurrences: range.numberOfOccurrences,
        recurrenceTimeZone: null,
        startDate: day(range.startDate),
        endDate: day(range.endDate),
      },
    },
  };
}

const loose = z.record(z.string(), z.unknown());
const identity = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  userPrincipalName: z.string().nullable(),
});

export const definitionJson = z.object({
  id: z.string(),
  displayName: z.string(),
  createdDateTime: z.string(),
  lastModifiedDateTime: z.string(),
  status: z.string(),
  descriptionForAdmins: z.string().nullable(),
  descriptionForReviewers: z.string().nullable(),
  createdBy: identity,
  scope: loose,
  instanceEnumerationScope: z.null(),
  reviewers: z.array(loose),
  fallbackReviewers: z.array(loose),
  backupReviewers: z.array(loose),
  additionalNotificationRecipients: z.array(loose),
  settings: loose,
});

export const definitionToJson = (d: DefinitionView): z.input<typeof definitionJson> => ({
  id: d.id,
  displayName: d.displayName,
  createdDateTime: dt(d.createdAt),
  lastModifiedDateTime: dt(d.modifiedAt),
  status: d.status,
  descriptionForAdmins: d.descriptionForAdmins,
  descriptionForReviewers: d.descriptionForReviewers,
  createdBy: d.createdBy,
  scope: scopeToJson(d.scope),
  instanceEnumerationScope: null,
  reviewers: reviewersToJson(d.reviewers),
  fallbackReviewers: reviewersToJson(d.fallbackReviewers),
  backupReviewers: [],
  additionalNotificationRecipients: [],
  settings: settingsToJson(d.settings),
});

export const instanceJson = z.object({
  id: z.string(),
  startDateTime: z.string(),
  endDateTime: z.string(),
  status: z.string(),
  scope: loose,
  reviewers: z.array(loose),
  fallbackReviewers: z.array(loose),
});

export const instanceToJson = (
  i: InstanceView,
  d: Pick<DefinitionView, 'scope' | 'reviewers' | 'fallbackReviewers'>,
): z.input<typeof instanceJson> => ({
  id: i.id,
  startDateTime: dt(i.startAt),
  endDateTime: dt(i.endAt),
  status: i.statusNow,
  scope: scopeToJson(d.scope),
  reviewers: reviewersToJson(d.reviewers),
  fallbackReviewers: reviewersToJson(d.fallbackReviewers),
});

const NOBODY = { id: '00000000-0000-0000-0000-000000000000', displayName: '', userPrincipalName: '' };

export const decisionJson = z.object({
  id: z.string(),
  accessReviewId: z.string(),
  decision: z.string(),
  justification: z.string().nullable(),
  recommendation: z.string(),
  applyResult: z.string(),
  appliedBy: identity,
  appliedDateTime: z.string().nullable(),
  reviewedBy: identity,
  reviewedDateTime: z.string().nullable(),
  principal: loose,
  principalLink: z.string(),
  resource: loose,
  resourceLink: z.string(),
  insights: z.array(loose),
});

export const decisionToJson = (x: NamedDecisionItem, serviceRoot: string): z.input<typeof decisionJson> => {
  const principalType = {
    user: 'userIdentity',
    group: 'groupIdentity',
    servicePrincipal: 'servicePrincipalIdentity',
  }[x.principalType];
  const principalSet = { user: 'users', group: 'groups', servicePrincipal: 'servicePrincipals' }[
    x.principalType
  ];
  return {
    id: x.id,
    accessReviewId: x.instanceId,
    decision: x.decision,
    justification: x.justification,
    recommendation: x.recommendation,
    applyResult: x.applyResult,
    appliedBy:
      x.appliedBy === null ? NOBODY : { id: x.appliedBy, displayName: null, userPrincipalName: null },
    appliedDateTime: dtOrNull(x.appliedAt),
    reviewedBy:
      x.reviewedBy === null
        ? NOBODY
        : {
            id: x.reviewedBy,
            displayName: x.reviewedByDisplayName,
            userPrincipalName: x.reviewedByUserPrincipalName,
          },
    reviewedDateTime: dtOrNull(x.reviewedAt),
    principal: {
      '@odata.type': `#microsoft.graph.${principalType}`,
      id: x.principalId,
      displayName: x.principalDisplayName,
      ...(x.principalType === 'user' ? { userPrincipalName: x.principalUserPrincipalName } : {}),
    },
    principalLink: `${serviceRoot}/${principalSet}/${x.principalId}`,
    resource: {
      id: x.roleDefinitionId,
      displayName: x.roleDisplayName,
      type: x.scheduleKind === 'eligibility' ? 'eligibleRoleAssignment' : 'activeRoleAssignment',
      directoryScopeId: x.directoryScopeId,
    },
    resourceLink: `${serviceRoot}/roleManagement/directory/roleDefinitions/${x.roleDefinitionId}`,
    // Elevate's insight: the principal's last activation of the role, which the recommendation rests on.
    insights: [
      {
        '@odata.type': '#microsoft.graph.elevateRoleActivationInsight',
        insightCreatedDateTime: null,
        lastActivationDateTime: dtOrNull(x.lastActivationAt),
      },
    ],
  };
};
