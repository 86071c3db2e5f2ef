import { z } from 'zod';
import type { CreateScheduleRequest } from '../../app/pim/create-request.js';
import { parseAction } from '../../domain/pim/parse-enum.js';
import { GROUP_ACCESS_IDS, REQUEST_ACTIONS, type ScheduleKind } from '../../domain/pim/types.js';
import { guid } from '../graph/ids.js';
import { documentedEnum, str } from '../graph/json.js';
import {
  canonicalizeRequestBody,
  MAX_CUSTOM_DATA,
  MAX_JUSTIFICATION,
  odataType,
  parseSchedule,
  parseTicket,
  scheduleInfoBody,
  ticketInfoBody,
} from './pim-body.js';

/**
 * The body of `POST /identityGovernance/privilegedAccess/group/assignmentScheduleRequests` and
 * `…/eligibilityScheduleRequests` (reference §4): `accessId` (`member` or `owner`, any case),
 * `groupId` and `principalId` instead of a role and a directory scope; otherwise as for directory
 * roles. An unknown `accessId` is refused by the use case (`InvalidAccessId`), an unknown group
 * with `GroupNotFound`.
 */
export const groupRequestBody = z
  .object({
    '@odata.type': odataType,
    action: z.string().max(64).meta(documentedEnum(REQUEST_ACTIONS)),
    accessId: z.string().max(64).meta(documentedEnum(GROUP_ACCESS_IDS)),
    principalId: guid,
    groupId: guid,
    justification: str(MAX_JUSTIFICATION).nullable().optional(),
    scheduleInfo: scheduleInfoBody.nullable().optional(),
    ticketInfo: ticketInfoBody.nullable().optional(),
    isValidationOnly: z.boolean().optional(),
    customData: str(MAX_CUSTOM_DATA).nullable().optional(),
  })
  .strict();

export type GroupRequestBody = z.infer<typeof groupRequestBody>;

const TOP_KEYS = Object.keys(groupRequestBody.shape);

/** Property names in any case, as Graph reads them (see `canonicalizeRequestBody`). */
export const canonicalizeGroupRequestBody = (body: unknown): unknown =>
  canonicalizeRequestBody(body, TOP_KEYS);

/**
 * The use case's command: the access id where a role id goes, the group id where a directory
 * scope goes (`ResourceType` `group`).
 * @throws ValidationError (`invalidRequest`) naming the field
 */
export function toGroupCommand(kind: ScheduleKind, body: GroupRequestBody): CreateScheduleRequest {
  return {
    kind,
    resourceType: 'group',
    action: parseAction(body.action),
    principalId: body.principalId,
    roleDefinitionId: body.accessId.toLowerCase(),
    directoryScopeId: body.groupId,
    justification: body.justification ?? null,
    ticketInfo: parseTicket(body.ticketInfo),
    scheduleInfo: body.scheduleInfo ? parseSchedule(body.scheduleInfo) : null,
    isValidationOnly: body.isValidationOnly ?? false,
    customData: body.customData ?? null,
  };
}
