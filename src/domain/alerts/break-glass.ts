import type { AuditActivity } from '../audit/activities.js';
import { userTarget } from '../audit/targets.js';
import type { Requirement } from '../authorization/requirement.js';
import type { DomainEvent } from '../events/domain-event.js';
import * as R from '../roles/built-in-roles.js';

/** A user marked as a break-glass (emergency access) account (ADR 0033). */
export interface BreakGlassAccount {
  tenantId: string;
  userId: string;
  createdAt: number;
  /** Who marked it (a user or application id). */
  createdBy: string;
  /** The last use the account declared a test when it justified it; null when never tested. */
  lastTestedAt: number | null;
}

/** How a break-glass account was used: a completed sign-in, or a token refreshed without one. */
export const BREAK_GLASS_USE_METHODS = ['password', 'passkey', 'federated', 'refreshToken'] as const;
export type BreakGlassUseMethod = (typeof BREAK_GLASS_USE_METHODS)[number];

/** One use of a break-glass account, justified afterwards by the account itself. */
export interface BreakGlassUse {
  tenantId: string;
  id: string;
  userId: string;
  usedAt: number;
  method: BreakGlassUseMethod;
  justification: string | null;
  isTest: boolean;
  justifiedAt: number | null;
}

/** Longest justification kept, as PIM's request justifications. */
export const MAX_BREAK_GLASS_JUSTIFICATION = 500;

/**
 * Who marks and reads break-glass accounts. Marking exempts an account from the permanent-
 * assignment item of the compliance report, so only the role administrators may; security
 * administrators and readers see them (they receive the use incidents).
 */
export const BREAK_GLASS_RULES = {
  read: {
    appPermissions: ['RoleManagement.Read.Directory', 'RoleManagementAlert.Read.Directory'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.SECURITY_ADMINISTRATOR,
      R.SECURITY_READER,
      R.GLOBAL_READER,
    ],
  },
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
} satisfies Record<string, Requirement>;

const activity = (code: string, activityDisplayName: string, operationType: AuditActivity['operationType']) =>
  ({
    code,
    activityDisplayName,
    category: 'RoleManagement',
    operationType,
    loggedByService: 'Privileged Identity Management',
  }) as const satisfies AuditActivity;

/** Audit activities of break-glass accounts; codes never change once shipped. */
export const BREAK_GLASS_ACTIVITIES = {
  mark: activity('breakGlass.account.mark', 'Mark break-glass account', 'Add'),
  unmark: activity('breakGlass.account.unmark', 'Unmark break-glass account', 'Delete'),
  use: activity('breakGlass.account.use', 'Break-glass account used', 'Other'),
  justify: activity('breakGlass.use.justify', 'Justify break-glass account use', 'Update'),
} as const;

/** The user a break-glass event names. */
export interface NamedUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

export const breakGlassMarked = (user: NamedUser): DomainEvent => ({
  type: 'breakGlass.accountMarked',
  audit: [{ activity: BREAK_GLASS_ACTIVITIES.mark, targets: [userTarget(user)] }],
});

export const breakGlassUnmarked = (user: NamedUser): DomainEvent => ({
  type: 'breakGlass.accountUnmarked',
  audit: [{ activity: BREAK_GLASS_ACTIVITIES.unmark, targets: [userTarget(user)] }],
});

/** A break-glass account signed in or refreshed a token: audited, and published for consumers. */
export const breakGlassUsed = (user: NamedUser, use: BreakGlassUse): DomainEvent => ({
  type: 'breakGlass.accountUsed',
  audit: [
    {
      activity: BREAK_GLASS_ACTIVITIES.use,
      targets: [userTarget(user)],
      additionalDetails: [
        { key: 'UseId', value: use.id },
        { key: 'Method', value: use.method },
      ],
    },
  ],
  payload: {
    tenantId: use.tenantId,
    userId: use.userId,
    useId: use.id,
    method: use.method,
    usedDateTime: new Date(use.usedAt).toISOString(),
  },
});

export const breakGlassUseJustified = (user: NamedUser, use: BreakGlassUse): DomainEvent => ({
  type: 'breakGlass.useJustified',
  audit: [
    {
      activity: BREAK_GLASS_ACTIVITIES.justify,
      targets: [userTarget(user)],
      justification: use.justification,
      additionalDetails: [
        { key: 'UseId', value: use.id },
        { key: 'IsTest', value: String(use.isTest) },
      ],
    },
  ],
});
