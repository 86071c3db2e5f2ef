import { z } from 'zod';
import type { CreateScheduleRequest } from '../../app/pim/create-request.js';
import { DIRECTORY_SCOPE_PATTERN, validateDirectoryScope } from '../../domain/roles/directory-scope.js';
import { parseAction, parseExpirationType } from '../../domain/pim/parse-enum.js';
import {
  EXPIRATION_TYPES,
  REQUEST_ACTIONS,
  type RequestedSchedule,
  type ScheduleKind,
  type TicketInfo,
} from '../../domain/pim/types.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { MAX_DATETIME_TEXT_LENGTH, parseDateTime } from '../../domain/time/datetime.js';
import { parseDuration } from '../../domain/time/duration.js';
import { guid } from '../graph/ids.js';
import { documentedEnum, DURATION_PATTERN, str } from '../graph/json.js';

/** Longest justification accepted; Entra's portal allows 500 characters. */
export const MAX_JUSTIFICATION = 500;
/** Longest ticket number or ticket system. */
export const MAX_TICKET_FIELD = 100;
/** Longest `customData` ("not used" by Graph; kept and echoed). */
export const MAX_CUSTOM_DATA = 1000;

export const odataType = str(200).optional();

// Enums, dates and durations are parsed by the domain (any case, named errors); the document states
// their canonical values, `date-time` and the duration pattern, so what it allows is accepted.
const dateTime = z.string().max(MAX_DATETIME_TEXT_LENGTH).meta({ format: 'date-time' });

const expirationBody = z
  .object({
    '@odata.type': odataType,
    type: z.string().max(64).meta(documentedEnum(EXPIRATION_TYPES)).optional(),
    endDateTime: dateTime.nullable().optional(),
    duration: z.string().max(64).meta({ pattern: DURATION_PATTERN }).nullable().optional(),
  })
  .strict();

export const scheduleInfoBody = z
  .object({
    '@odata.type': odataType,
    startDateTime: dateTime.nullable().optional(),
    recurrence: z.null().optional(),
    expiration: expirationBody.nullable().optional(),
  })
  .strict();

export const ticketInfoBody = z
  .object({
    '@odata.type': odataType,
    ticketNumber: str(MAX_TICKET_FIELD).nullable().optional(),
    ticketSystem: str(MAX_TICKET_FIELD).nullable().optional(),
  })
  .strict();

/**
 * The body of `POST …/roleAssignmentScheduleRequests` and `…/roleEligibilityScheduleRequests`.
 * Unknown properties are refused, except those Graph clients send (`@odata.type`,
 * `isValidationOnly`, `customData`, `appScopeId`). Enums, dates and durations are read as bounded
 * text here and parsed by the domain (`parseAction`, `parseDateTime`, `parseDuration`), whose
 * errors name the field and, for enums, the allowed values.
 */
export const scheduleRequestBody = z
  .object({
    '@odata.type': odataType,
    action: z.string().max(64).meta(documentedEnum(REQUEST_ACTIONS)),
    principalId: guid,
    roleDefinitionId: guid,
    // Required by `toCreateCommand` (its message says how); Graph also allows appScopeId instead.
    directoryScopeId: str(200)
      .meta({ pattern: DIRECTORY_SCOPE_PATTERN })
      .nullable()
      .optional()
      .meta({ nullable: false }),
    appScopeId: str(200)
      .nullable()
      .optional()
      .meta(documentedEnum([null])),
    justification: str(MAX_JUSTIFICATION).nullable().optional(),
    scheduleInfo: scheduleInfoBody.nullable().optional(),
    ticketInfo: ticketInfoBody.nullable().optional(),
    isValidationOnly: z.boolean().optional(),
    customData: str(MAX_CUSTOM_DATA).nullable().optional(),
  })
  .strict()
  .meta({ required: ['action', 'principalId', 'roleDefinitionId', 'directoryScopeId'] });

export type ScheduleRequestBody = z.infer<typeof scheduleRequestBody>;

/** Property names per object, for matching any-case input to Graph's camelCase. */
const KEYS: Record<'top' | 'scheduleInfo' | 'expiration' | 'ticketInfo', readonly string[]> = {
  top: Object.keys(scheduleRequestBody.shape),
  scheduleInfo: Object.keys(scheduleInfoBody.shape),
  expiration: Object.keys(expirationBody.shape),
  ticketInfo: Object.keys(ticketInfoBody.shape),
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renames keys to Graph's spelling when they match case-insensitively; two spellings of one key are refused. */
function canonicalKeys(value: unknown, known: readonly string[], where: string): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
    if (Object.hasOwn(out, name)) {
      throw new ValidationError(`Property '${name}' is given twice in ${where}.`, name);
    }
    out[name] = v;
  }
  return out;
}

/**
 * Graph accepts property names in any case (`Action`, `PrincipalId` from PowerShell scripts); this
 * rewrites them to camelCase before the schema runs (a `preValidation` step).
 * @throws ValidationError when one property is given in two spellings
 */
export function canonicalizeRequestBody(body: unknown, topKeys: readonly string[] = KEYS.top): unknown {
  const top = canonicalKeys(body, topKeys, 'the request');
  if (!isPlainObject(top)) return top;
  const scheduleInfo = canonicalKeys(top.scheduleInfo, KEYS.scheduleInfo, 'scheduleInfo');
  if (isPlainObject(scheduleInfo)) {
    scheduleInfo.expiration = canonicalKeys(
      scheduleInfo.expiration,
      KEYS.expiration,
      'scheduleInfo.expiration',
    );
    if (scheduleInfo.expiration === undefined) delete scheduleInfo.expiration;
  }
  return {
    ...top,
    ...(top.scheduleInfo === undefined ? {} : { scheduleInfo }),
    ...(top.ticketInfo === undefined
      ? {}
      : { ticketInfo: canonicalKeys(top.ticketInfo, KEYS.ticketInfo, 'ticketInfo') }),
  };
}

/** `scheduleInfo` parsed: dates to epoch ms, the expiration type canonical, the duration checked. */
export function parseSchedule(body: NonNullable<ScheduleRequestBody['scheduleInfo']>): RequestedSchedule {
  const expiration = body.expiration ?? null;
  const duration = expiration?.duration ?? null;
  if (duration !== null) parseDuration(duration, 'scheduleInfo.expiration.duration');
  const endText = expiration?.endDateTime ?? null;
  const startText = body.startDateTime ?? null;
  return {
    startDateTime: startText === null ? null : parseDateTime(startText, 'scheduleInfo.startDateTime'),
    expiration: {
      type:
        expiration?.type === undefined
          ? 'notSpecified'
          : parseExpirationType(expiration.type, 'scheduleInfo.expiration.type'),
      endDateTime: endText === null ? null : parseDateTime(endText, 'scheduleInfo.expiration.endDateTime'),
      duration,
    },
  };
}

const blankToNull = (text: string | null | undefined): string | null =>
  text === undefined || text === null || text.trim() === '' ? null : text;

/** `ticketInfo` with blank fields read as absent. */
export function parseTicket(ticket: ScheduleRequestBody['ticketInfo']): TicketInfo | null {
  if (ticket === undefined || ticket === null) return null;
  return { ticketNumber: blankToNull(ticket.ticketNumber), ticketSystem: blankToNull(ticket.ticketSystem) };
}

/**
 * The use case's command from a validated body. Every given field is parsed whatever the action, so
 * a malformed value is refused even where the action would ignore it.
 * @throws ValidationError (`invalidRequest`) naming the field
 */
export function toCreateCommand(kind: ScheduleKind, body: ScheduleRequestBody): CreateScheduleRequest {
  const action = parseAction(body.action);
  if (body.appScopeId !== undefined && body.appScopeId !== null) {
    throw new ValidationError(
      'appScopeId is not supported: Elevate scopes directory roles with directoryScopeId only.',
      'appScopeId',
    );
  }
  if (body.directoryScopeId === undefined || body.directoryScopeId === null) {
    throw new ValidationError(
      'directoryScopeId is required (use "/" for the whole tenant).',
      'directoryScopeId',
    );
  }
  const directoryScopeId = validateDirectoryScope(body.directoryScopeId);
  const ticketInfo = parseTicket(body.ticketInfo);
  return {
    kind,
    action,
    principalId: body.principalId,
    roleDefinitionId: body.roleDefinitionId,
    directoryScopeId,
    justification: body.justification ?? null,
    ticketInfo,
    scheduleInfo: body.scheduleInfo ? parseSchedule(body.scheduleInfo) : null,
    isValidationOnly: body.isValidationOnly ?? false,
    customData: body.customData ?? null,
  };
}
