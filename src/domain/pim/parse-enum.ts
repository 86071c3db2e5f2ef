import { ValidationError } from '../shared/errors.js';
import {
  ASSIGNMENT_TYPES,
  EXPIRATION_TYPES,
  MEMBER_TYPES,
  REQUEST_ACTIONS,
  REQUEST_STATUSES,
  SCHEDULE_KINDS,
} from './types.js';
import type {
  AssignmentType,
  ExpirationType,
  MemberType,
  RequestAction,
  RequestStatus,
  ScheduleKind,
} from './types.js';

/** Longest enum text we look at; Graph's longest value here is 23 characters. */
export const MAX_ENUM_TEXT_LENGTH = 64;

/**
 * Reads a Graph enum value in any case and returns its canonical spelling. Graph's own docs send
 * `"AdminAssign"`/`"AfterDuration"` and answer `"adminAssign"`/`"afterDuration"` (reference §1.4),
 * so clients written from either must work; we store and emit only the canonical form.
 *
 * @param target the request field, reported in the error (e.g. `action`).
 * @throws ValidationError (`invalidRequest`) naming the allowed values, when `text` is not one.
 */
export function parseGraphEnum<const Value extends string>(
  allowed: readonly Value[],
  text: string,
  target: string,
): Value {
  if (typeof text === 'string' && text.length <= MAX_ENUM_TEXT_LENGTH) {
    const lower = text.toLowerCase();
    const found = allowed.find((value) => value.toLowerCase() === lower);
    if (found !== undefined) return found;
  }
  throw new ValidationError(
    `\`${target}\` must be one of (any case): ${allowed.join(', ')}; ${shown(text)} is not one.`,
    target,
  );
}

/** A request's `action`: `parseAction('SelfActivate')` → `'selfActivate'`. @throws ValidationError */
export function parseAction(text: string, target = 'action'): RequestAction {
  return parseGraphEnum(REQUEST_ACTIONS, text, target);
}

/**
 * `scheduleInfo.expiration.type`: `parseExpirationType('AfterDuration')` → `'afterDuration'`.
 * @throws ValidationError
 */
export function parseExpirationType(text: string, target = 'scheduleInfo.expiration.type'): ExpirationType {
  return parseGraphEnum(EXPIRATION_TYPES, text, target);
}

/** A request status as a `$filter` literal names it: `'pendingapproval'` → `'PendingApproval'`. @throws ValidationError */
export function parseRequestStatus(text: string, target = 'status'): RequestStatus {
  return parseGraphEnum(REQUEST_STATUSES, text, target);
}

/** `memberType` in a `$filter`: `'direct'` → `'Direct'`. @throws ValidationError */
export function parseMemberType(text: string, target = 'memberType'): MemberType {
  return parseGraphEnum(MEMBER_TYPES, text, target);
}

/** `assignmentType` in a `$filter`: `'activated'` → `'Activated'`. @throws ValidationError */
export function parseAssignmentType(text: string, target = 'assignmentType'): AssignmentType {
  return parseGraphEnum(ASSIGNMENT_TYPES, text, target);
}

/** `eligibility` or `assignment`, e.g. from a CLI flag. @throws ValidationError */
export function parseScheduleKind(text: string, target = 'kind'): ScheduleKind {
  return parseGraphEnum(SCHEDULE_KINDS, text, target);
}

/** The offending value in an error message: quoted if short, described if not (it may be 1 MB). */
function shown(text: unknown): string {
  if (typeof text !== 'string') return `a value of type ${text === null ? 'null' : typeof text}`;
  if (text.length > MAX_ENUM_TEXT_LENGTH) return `a value of ${text.length} characters`;
  return JSON.stringify(text);
}
