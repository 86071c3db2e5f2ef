import { z } from 'zod';

// Response schemas of directory-role PIM (reference §1.2-§1.7), complete: every property the
// mappers in `pim-json.ts` write is required (nulls written out, as Graph does); navigations are
// present only with `$expand`. Routes answer `$select`-able reads with `selectable(…)` of these.

const nullableString = z.string().nullable();
/** An expanded navigation: an object, or null when it does not exist. */
const navigation = z.looseObject({}).nullable();
const scheduleInfoJson = z.object({
  startDateTime: nullableString,
  recurrence: z.null(),
  expiration: z.object({ type: z.string(), endDateTime: nullableString, duration: nullableString }),
});
const identityJson = z.object({ displayName: nullableString, id: z.string() }).nullable();

/** An optional navigation (present only when `$expand` names it). */
const expanded = navigation.optional();

/**
 * A schedule request, complete: every property (nulls written out, as Graph does), then the
 * navigations `$expand` may add. `@odata.type` only on `filterByCurrentUser` results.
 */
export const scheduleRequestJson = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  status: z.string(),
  createdDateTime: z.string(),
  completedDateTime: nullableString,
  approvalId: nullableString,
  customData: nullableString,
  action: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: nullableString,
  appScopeId: nullableString,
  isValidationOnly: z.boolean(),
  targetScheduleId: nullableString,
  justification: nullableString,
  createdBy: z.object({ application: identityJson, device: z.null(), user: identityJson }),
  scheduleInfo: scheduleInfoJson.nullable(),
  ticketInfo: z.object({ ticketNumber: nullableString, ticketSystem: nullableString }),
  principal: expanded,
  roleDefinition: expanded,
  directoryScope: expanded,
  activatedUsing: expanded,
  targetSchedule: expanded,
});

const scheduleProperties = {
  '@odata.type': z.string().optional(),
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: nullableString,
  appScopeId: nullableString,
  createdUsing: nullableString,
  createdDateTime: z.string(),
  modifiedDateTime: nullableString,
  status: z.string(),
  memberType: z.string(),
};

/** A `unifiedRoleAssignmentSchedule`, complete. */
export const assignmentScheduleJson = z.object({
  ...scheduleProperties,
  assignmentType: nullableString,
  scheduleInfo: scheduleInfoJson,
  principal: expanded,
  roleDefinition: expanded,
  directoryScope: expanded,
  activatedUsing: expanded,
});

/** A `unifiedRoleEligibilitySchedule`, complete (no `assignmentType`, no `activatedUsing`). */
export const eligibilityScheduleJson = z.object({
  ...scheduleProperties,
  scheduleInfo: scheduleInfoJson,
  principal: expanded,
  roleDefinition: expanded,
  directoryScope: expanded,
});

const instanceProperties = {
  '@odata.type': z.string().optional(),
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: nullableString,
  appScopeId: nullableString,
  startDateTime: nullableString,
  endDateTime: nullableString,
};

/** A `unifiedRoleAssignmentScheduleInstance`, complete. */
export const assignmentInstanceJson = z.object({
  ...instanceProperties,
  assignmentType: nullableString,
  memberType: z.string(),
  roleAssignmentOriginId: nullableString,
  roleAssignmentScheduleId: nullableString,
  principal: expanded,
  roleDefinition: expanded,
  directoryScope: expanded,
  activatedUsing: expanded,
});

/** A `unifiedRoleEligibilityScheduleInstance`, complete. */
export const eligibilityInstanceJson = z.object({
  ...instanceProperties,
  memberType: z.string(),
  roleEligibilityScheduleId: nullableString,
  principal: expanded,
  roleDefinition: expanded,
  directoryScope: expanded,
});

// PIM for Groups (reference §4), complete as `pim-group-json.ts` writes them.

const groupRefs = {
  accessId: z.string(),
  principalId: z.string(),
  groupId: z.string(),
  principal: expanded,
  group: expanded,
};

/** A `privilegedAccessGroupAssignmentScheduleRequest` / `…EligibilityScheduleRequest`, complete. */
export const groupRequestJson = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  status: z.string(),
  completedDateTime: nullableString,
  createdDateTime: z.string(),
  approvalId: nullableString,
  customData: nullableString,
  createdBy: z.object({ application: identityJson, device: z.null(), user: identityJson }),
  action: z.string(),
  isValidationOnly: z.boolean(),
  justification: nullableString,
  scheduleInfo: scheduleInfoJson.nullable(),
  ticketInfo: z.object({ ticketNumber: nullableString, ticketSystem: nullableString }),
  targetScheduleId: nullableString,
  ...groupRefs,
});

const groupScheduleProperties = {
  '@odata.type': z.string().optional(),
  id: z.string(),
  createdDateTime: z.string(),
  modifiedDateTime: nullableString,
  createdUsing: nullableString,
  status: z.string(),
  scheduleInfo: scheduleInfoJson,
  memberType: z.string(),
  ...groupRefs,
};

/** A `privilegedAccessGroupEligibilitySchedule`, complete. */
export const groupEligibilityScheduleJson = z.object(groupScheduleProperties);

/** A `privilegedAccessGroupAssignmentSchedule`, complete. */
export const groupAssignmentScheduleJson = z.object({
  ...groupScheduleProperties,
  assignmentType: nullableString,
});

const groupInstanceProperties = {
  '@odata.type': z.string().optional(),
  id: z.string(),
  startDateTime: nullableString,
  endDateTime: nullableString,
  memberType: z.string(),
  ...groupRefs,
};

/** A `privilegedAccessGroupEligibilityScheduleInstance`, complete. */
export const groupEligibilityInstanceJson = z.object({
  ...groupInstanceProperties,
  eligibilityScheduleId: nullableString,
});

/** A `privilegedAccessGroupAssignmentScheduleInstance`, complete. */
export const groupAssignmentInstanceJson = z.object({
  ...groupInstanceProperties,
  assignmentType: nullableString,
  assignmentScheduleId: nullableString,
});
