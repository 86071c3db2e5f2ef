import { ValidationError } from '../../domain/shared/errors.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import {
  assignmentInstanceFields,
  assignmentScheduleFields,
  eligibilityInstanceFields,
  eligibilityScheduleFields,
  groupAssignmentInstanceFields,
  groupAssignmentScheduleFields,
  groupEligibilityInstanceFields,
  groupEligibilityScheduleFields,
  groupScheduleRequestFields,
  principalIsOf,
  scheduleRequestFields,
} from '../../odata/collections.js';
import { project, type ExpandItem, type QueryOptions, type QuerySpec } from '../../odata/index.js';
import { projectSelected, selectWithExpand } from '../graph/query.js';

// OData for the PIM routes: what each collection accepts, the bound function in a path segment,
// and how one item is shaped before `$select` projects it.

const isof = { functions: { isof: principalIsOf } };
export const SPECS: Record<'request' | 'schedule' | 'instance', Record<ScheduleKind, QuerySpec>> = {
  request: {
    assignment: {
      fields: scheduleRequestFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope', 'activatedUsing', 'targetSchedule'],
    },
    eligibility: {
      fields: scheduleRequestFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope', 'targetSchedule'],
    },
  },
  schedule: {
    assignment: {
      fields: assignmentScheduleFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope', 'activatedUsing'],
      ...isof,
    },
    eligibility: {
      fields: eligibilityScheduleFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope'],
      ...isof,
    },
  },
  instance: {
    assignment: {
      fields: assignmentInstanceFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope', 'activatedUsing'],
      ...isof,
    },
    eligibility: {
      fields: eligibilityInstanceFields,
      expandable: ['principal', 'roleDefinition', 'directoryScope'],
      ...isof,
    },
  },
};

/** PIM for Groups: `$filter` by `groupId`, `principalId`, `accessId` and the rest; `$expand=principal,group`. */
const groupExpandable = ['principal', 'group'];
export const GROUP_SPECS: Record<'request' | 'schedule' | 'instance', Record<ScheduleKind, QuerySpec>> = {
  request: {
    assignment: { fields: groupScheduleRequestFields, expandable: groupExpandable },
    eligibility: { fields: groupScheduleRequestFields, expandable: groupExpandable },
  },
  schedule: {
    assignment: { fields: groupAssignmentScheduleFields, expandable: groupExpandable, ...isof },
    eligibility: { fields: groupEligibilityScheduleFields, expandable: groupExpandable, ...isof },
  },
  instance: {
    assignment: { fields: groupAssignmentInstanceFields, expandable: groupExpandable, ...isof },
    eligibility: { fields: groupEligibilityInstanceFields, expandable: groupExpandable, ...isof },
  },
};

/** `filterByCurrentUser(on='principal')` as a path segment (any case; the router has decoded it). */
const BOUND_FUNCTION = /^filterByCurrentUser\((.*)\)$/is;
const ON_ARGUMENT = /^\s*on\s*=\s*'([^']{0,40})'\s*$/i;

/** The `on` value if `segment` calls `filterByCurrentUser`, else undefined. @throws ValidationError */
export function boundFunctionOn(segment: string): string | undefined {
  const call = BOUND_FUNCTION.exec(segment);
  if (!call) return undefined;
  const on = ON_ARGUMENT.exec(call[1] ?? '');
  if (!on) {
    throw new ValidationError(
      "filterByCurrentUser takes one argument, e.g. filterByCurrentUser(on='principal').",
      'on',
    );
  }
  return on[1] ?? '';
}

/** A nested `$select` (`principal($select=id)`) applied to the expanded objects. */
function nestedSelect<J extends Record<string, unknown>>(json: J, expand: readonly ExpandItem[]): J {
  const out: Record<string, unknown> = { ...json };
  for (const item of expand) {
    const nav = out[item.name];
    if (item.select && nav !== null && typeof nav === 'object') {
      out[item.name] = project(nav as Record<string, unknown>, item.select);
    }
  }
  return out as J;
}

/**
 * One PIM item before `$select` projects it: `@odata.type` first when given (the items of a
 * `filterByCurrentUser` result carry it), and nested `$select`s applied to expanded objects.
 */
export const pimItem = <J extends Record<string, unknown>>(json: J, q: QueryOptions, type?: string) => ({
  ...(type ? { '@odata.type': `#microsoft.graph.${type}` } : {}),
  ...nestedSelect(json, q.expand),
});

/** One PIM entity as returned by a read: {@link pimItem}, projected by `$select`. */
export const pimEntity = <J extends Record<string, unknown>>(json: J, q: QueryOptions) =>
  projectSelected(pimItem(json, q), selectWithExpand(q));
