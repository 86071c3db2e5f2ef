import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CreateScheduleRequest } from '../../app/pim/gather.js';
import {
  scheduleRequestFields,
  eligibilityScheduleFields,
  eligibilityInstanceFields,
} from '../../odata/collections.js';
import { scheduleStatusAt } from '../../domain/pim/status.js';
import type { ScheduleKind } from '../../domain/pim/types.js';
import type { ScheduleRequest } from '../../domain/pim/schedule.js';
import { isWithin } from '../../domain/resources/scope-path.js';
import { DomainError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { parseDateTime } from '../../domain/time/datetime.js';
import { nextLink } from '../../odata/next-link.js';
import type { FieldMap } from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { readCollectionQuery } from '../graph/query.js';
import { statusOfDomainError } from '../errors.js';
import {
  armInstance,
  armRequest,
  armChildResource,
  armRoleAssignment,
  armRoleDefinition,
  armSchedule,
  actionOf,
  expirationTypeOf,
} from './arm-json.js';
import { armPolicy, armPolicyAssignment, rulePatchesOf } from './arm-policy-json.js';
import { armApprovalRoute } from './arm-approvals.js';
import {
  ARM_API_VERSION,
  ARM_APPROVALS_API_VERSION,
  parseArmPath,
  roleGuidOf,
  type ArmCollection,
  type ArmPath,
} from './arm-path.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (max: number) => z.string().max(max).nullable().optional();

/** The body of `PUT …/role{Eligibility,Assignment}ScheduleRequests/{name}` (Azure REST 2020-10-01). */
const requestBody = z.object({
  properties: z.object({
    principalId: z.string().regex(GUID, 'must be a GUID'),
    roleDefinitionId: z.string().max(1200),
    requestType: z.string().max(40),
    justification: text(500),
    scheduleInfo: z
      .object({
        startDateTime: text(64),
        expiration: z
          .object({ type: text(40), endDateTime: text(64), duration: text(64) })
          .nullable()
          .optional(),
      })
      .nullable()
      .optional(),
    ticketInfo: z
      .object({ ticketNumber: text(100), ticketSystem: text(100) })
      .nullable()
      .optional(),
    linkedRoleEligibilityScheduleId: text(1200),
    targetRoleEligibilityScheduleId: text(1200),
    targetRoleAssignmentScheduleId: text(1200),
    condition: text(2000),
    conditionVersion: text(10),
  }),
});
type RequestBody = z.infer<typeof requestBody>;

const KIND_OF: Partial<Record<ArmCollection, ScheduleKind>> = {
  roleEligibilityScheduleRequests: 'eligibility',
  roleAssignmentScheduleRequests: 'assignment',
  roleEligibilitySchedules: 'eligibility',
  roleAssignmentSchedules: 'assignment',
  roleEligibilityScheduleInstances: 'eligibility',
  roleAssignmentScheduleInstances: 'assignment',
};

/** ARM's error envelope: `{"error":{"code","message"}}`, chosen for these routes by their plugin. */
function armErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DomainError) {
    const code =
      err.kind === 'forbidden'
        ? 'AuthorizationFailed'
        : err.kind === 'unauthenticated'
          ? 'InvalidAuthenticationToken'
          : err.code === 'invalidRequest'
            ? 'InvalidRequestContent'
            : err.code;
    if (err.kind === 'unauthenticated') void reply.header('www-authenticate', 'Bearer');
    return reply.status(statusOfDomainError(err)).send({ error: { code, message: err.message } });
  }
  const status =
    typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500
      ? err.statusCode
      : 500;
  if (status === 500) {
    request.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'InternalServerError', message: 'An internal error occurred.' } });
  }
  const message =
    err instanceof SyntaxError ? 'The request body is not valid JSON.' : 'The request is malformed.';
  return reply.status(status).send({ error: { code: 'InvalidRequestContent', message } });
}

/**
 * `api-version` is required and must be the one served: 2020-10-01, or Azure's version of
 * `roleAssignmentApprovals` for those. @throws ValidationError
 */
function checkApiVersion(query: unknown, served: string) {
  const v = (query as Record<string, unknown>)['api-version'];
  if (v === undefined || v === '')
    throw new ValidationError(
      'The api-version query parameter (?api-version=) is required for all requests.',
      'api-version',
      'MissingApiVersionParameter',
    );
  if (v !== served)
    throw new ValidationError(
      `The api-version '${(typeof v === 'string' ? v : 'given more than once').slice(0, 40)}' is invalid. The supported versions are '${served}'.`,
      'api-version',
      'InvalidApiVersionParameter',
    );
}

/**
 * ARM's `$filter` of PIM lists: `asTarget()` (the caller's own), `atScope()` (exactly this scope),
 * `principalId eq '{id}'`, joined by `and`; `asApprover()` (requests waiting for the caller's
 * decision) where `approver` allows it. Without `atScope()` a list holds the scope, the scopes
 * above it and those below it, as Azure's do. @throws ValidationError
 */
function armFilter(
  raw: unknown,
  callerId: string,
  scope: string,
  approver = false,
): { odata: string[]; atScope: boolean; asApprover: boolean } {
  const odata: string[] = [];
  let atScope = false;
  let asApprover = false;
  if (typeof raw !== 'string' || raw.trim() === '') return { odata, atScope, asApprover };
  for (const part of raw.split(/\s+and\s+/i)) {
    const p = part.trim();
    if (/^asTarget\(\)$/i.test(p)) odata.push(`principalId eq '${callerId}'`);
    else if (approver && /^asApprover\(\)$/i.test(p)) asApprover = true;
    else if (/^atScope\(\)$/i.test(p)) {
      atScope = true;
      odata.push(`directoryScopeId eq '${scope.replace(/'/g, "''")}'`);
    } else {
      const m = /^principalId\s+eq\s+'([0-9a-f-]{36})'$/i.exec(p);
      if (m?.[1] === undefined || !GUID.test(m[1]))
        throw new ValidationError(
          `The filter '${p.slice(0, 80)}' is not supported: use asTarget(), atScope()${approver ? ', asApprover()' : ''} or principalId eq '{id}'.`,
          '$filter',
          'InvalidFilterParameter',
        );
      odata.push(`principalId eq '${m[1].toLowerCase()}'`);
    }
  }
  return { odata, atScope, asApprover };
}

/**
 * `$filter=roleDefinitionId eq '{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}'`
 * of policy assignment lists (how Azure's documentation finds a role's policy): the role's GUID.
 * @throws ValidationError
 */
function roleFilter(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const m = /^\s*roleDefinitionId\s+eq\s+'([^']{1,1200})'\s*$/i.exec(raw);
  if (m?.[1] === undefined)
    throw new ValidationError(
      `The filter '${raw.slice(0, 80)}' is not supported: use roleDefinitionId eq '{roleDefinitionId}'.`,
      '$filter',
      'InvalidFilterParameter',
    );
  return roleGuidOf(m[1]);
}

/** Whether an item at `itemScope` belongs in a list at `scope`: at, above or below it. */
const related = (itemScope: string, scope: string) =>
  isWithin(itemScope, scope) || isWithin(scope, itemScope);

/** Whether a stored request is what this PUT asks for (an identical retry). */
function sameRequest(r: ScheduleRequest, cmd: CreateScheduleRequest): boolean {
  return (
    r.kind === cmd.kind &&
    r.resourceType === 'resourceRole' &&
    r.action === cmd.action &&
    r.principalId === cmd.principalId &&
    r.roleDefinitionId === cmd.roleDefinitionId &&
    r.directoryScopeId === cmd.directoryScopeId &&
    (r.justification ?? null) === (cmd.justification ?? null)
  );
}

/**
 * The Azure Resource Manager API for resource PIM (ADR 0029, docs/resources.md): the
 * `Microsoft.Authorization` endpoints of the 2020-10-01 specification under any scope path,
 * `{scope}/providers/Microsoft.Authorization/{collection}[/{name}[/cancel]]?api-version=2020-10-01`.
 * Mounted at `/subscriptions/*` and `/providers/*` (Azure's own paths) and `/arm/*` (any
 * organisation path: `/arm/prod/databases/providers/Microsoft.Authorization/…`). The scope is a
 * wildcard, so these routes are described by Azure's specification, not by `/openapi.json`.
 */
export function armRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;

  const put = async (request: FastifyRequest, reply: FastifyReply, p: ArmPath) => {
    const kind = KIND_OF[p.collection];
    if (p.collection === 'roleAssignments')
      throw new ValidationError(
        'Role assignments are read-only here: make them with roleAssignmentScheduleRequests (AdminAssign, NoExpiration for a permanent one).',
        undefined,
        'InvalidRequestContent',
      );
    if (kind === undefined || !p.collection.endsWith('Requests') || p.name === null || p.action !== null)
      throw new ValidationError(
        'Only schedule requests are created with PUT.',
        undefined,
        'InvalidRequestContent',
      );
    if (!GUID.test(p.name))
      throw new ValidationError(
        'The request name must be a GUID the client generates.',
        'name',
        'InvalidRequestContent',
      );
    const parsed = requestBody.safeParse(request.body);
    if (!parsed.success)
      throw new ValidationError(
        `The request content is invalid: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')} ${i.message}`)
          .join('; ')}`,
        undefined,
        'InvalidRequestContent',
      );
    const cmd = commandOf(parsed.data, kind, p.scope, p.name.toLowerCase());
    const caller = callerOf(request);
    const existing = async () => {
      try {
        return (
          await services.scheduleRequests.get(caller, kind, cmd.requestId!, EMPTY_QUERY, 'resourceRole')
        ).request;
      } catch {
        return undefined;
      }
    };
    const before = await existing();
    if (before !== undefined) {
      if (!sameRequest(before, cmd))
        throw new ValidationError(
          'A different request already has this name; generate a new GUID for a new request.',
          'name',
          'RequestNameConflict',
        );
      return reply.status(200).send(armRequest(before, opts.clock.now()));
    }
    try {
      const created = await services.scheduleRequests.create(caller, cmd);
      return reply.status(201).send(armRequest(created, created.createdAt));
    } catch (e) {
      // A concurrent identical PUT may have won: answer with its request.
      const won = await existing();
      if (won !== undefined && sameRequest(won, cmd))
        return reply.status(200).send(armRequest(won, opts.clock.now()));
      throw e;
    }
  };

  const get = async (request: FastifyRequest, p: ArmPath) => {
    const caller = callerOf(request);
    const query = request.query as Record<string, unknown>;
    if (p.collection === 'roleDefinitions') {
      if (p.name !== null)
        return armRoleDefinition(await services.resourceRoles.get(caller, p.name), p.scope);
      const all = await services.resourceRoles.all(
        caller,
        readCollectionQuery({ $top: '999' }, { fields: {} }),
      );
      return {
        value: all
          .filter((r) => r.assignableScopes.some((a) => related(p.scope, a)))
          .map((r) => armRoleDefinition(r, p.scope)),
      };
    }
    if (p.collection === 'roleManagementPolicies') {
      if (p.name !== null)
        return armPolicy(await services.rolePolicies.getForResource(caller, p.scope, p.name));
      return { value: (await services.rolePolicies.listForResource(caller, p.scope)).map(armPolicy) };
    }
    if (p.collection === 'roleManagementPolicyAssignments') {
      if (p.name === null) {
        const role = roleFilter(query['$filter']);
        const all = await services.rolePolicies.listForResource(caller, p.scope);
        return {
          value: all.filter((x) => role === undefined || x.role.id === role).map(armPolicyAssignment),
        };
      }
      // `{policyName}_{roleDefinitionGuid}`, as Azure names a policy assignment.
      const at = p.name.lastIndexOf('_');
      const policy = await services.rolePolicies.getForResource(
        caller,
        p.scope,
        p.name.slice(0, Math.max(at, 0)),
      );
      if (policy.role.id !== p.name.slice(at + 1).toLowerCase())
        throw new NotFoundError(
          'The role management policy assignment does not exist.',
          'RoleManagementPolicyAssignmentNotFound',
        );
      return armPolicyAssignment(policy);
    }
    if (p.collection === 'eligibleChildResources') {
      if (p.name !== null) throw new NotFoundError('No such resource.', 'NotFound');
      const type = childTypeFilter(query['$filter']);
      const all = await services.eligibleChildResources(caller, p.scope);
      return {
        value: all.filter((c) => type === undefined || c.type.toLowerCase() === type).map(armChildResource),
      };
    }
    if (p.collection === 'roleAssignments') {
      if (p.name !== null) {
        const { item } = await services.pimSchedules.getInstance(
          caller,
          'assignment',
          p.name,
          EMPTY_QUERY,
          'resourceRole',
        );
        return armRoleAssignment(item);
      }
      // Azure's `atScope()` here is "at the scope or above it" (not below).
      const raw = typeof query['$filter'] === 'string' ? query['$filter'] : '';
      const parts = raw.split(/\s+and\s+/i).filter((x) => x.trim() !== '');
      const atOrAbove = parts.some((x) => /^\s*atScope\(\)\s*$/i.test(x));
      const { odata } = armFilter(
        parts.filter((x) => !/^\s*atScope\(\)\s*$/i.test(x)).join(' and '),
        caller.id,
        p.scope,
      );
      const q = collectionQuery(odata, query, eligibilityInstanceFields);
      const { page } = await services.pimSchedules.listInstances(caller, 'assignment', q, 'resourceRole');
      return {
        value: page.items
          .filter((i) =>
            atOrAbove ? isWithin(p.scope, i.directoryScopeId) : related(i.directoryScopeId, p.scope),
          )
          .map(armRoleAssignment),
        ...(page.hasMore ? { nextLink: nextLink(request.url, publicUrl, q.skip + page.items.length) } : {}),
      };
    }
    const kind = KIND_OF[p.collection]!;
    if (p.name !== null) {
      if (p.collection.endsWith('Requests')) {
        const { request: r, now } = await services.scheduleRequests.get(
          caller,
          kind,
          p.name,
          EMPTY_QUERY,
          'resourceRole',
        );
        return armRequest(r, now);
      }
      if (p.collection.endsWith('Instances')) {
        const { item } = await services.pimSchedules.getInstance(
          caller,
          kind,
          p.name,
          EMPTY_QUERY,
          'resourceRole',
        );
        return armInstance(item);
      }
      const { item, now } = await services.pimSchedules.getSchedule(
        caller,
        kind,
        p.name,
        EMPTY_QUERY,
        'resourceRole',
      );
      return armSchedule(item, scheduleStatusAt(item, now));
    }
    const { odata, atScope, asApprover } = armFilter(
      query['$filter'],
      caller.id,
      p.scope,
      p.collection.endsWith('Requests'),
    );
    const fields = p.collection.endsWith('Requests')
      ? scheduleRequestFields
      : p.collection.endsWith('Instances')
        ? eligibilityInstanceFields
        : eligibilityScheduleFields;
    const q = collectionQuery(odata, query, fields);
    const keep = (scope: string) => atScope || related(scope, p.scope);
    const link = (hasMore: boolean, shown: number) =>
      hasMore ? { nextLink: nextLink(request.url, publicUrl, q.skip + shown) } : {};
    if (p.collection.endsWith('Requests')) {
      // `asApprover()`: the requests waiting for the caller's decision (the approver's inbox).
      const { page, now } = asApprover
        ? await services.scheduleRequests.filterByCurrentUser(caller, kind, 'approver', q, 'resourceRole')
        : await services.scheduleRequests.list(caller, kind, q, 'resourceRole');
      return {
        value: page.items.filter((r) => keep(r.directoryScopeId)).map((r) => armRequest(r, now)),
        ...link(page.hasMore, page.items.length),
      };
    }
    if (p.collection.endsWith('Instances')) {
      const { page } = await services.pimSchedules.listInstances(caller, kind, q, 'resourceRole');
      return {
        value: page.items.filter((i) => keep(i.directoryScopeId)).map((i) => armInstance(i, p.scope)),
        ...link(page.hasMore, page.items.length),
      };
    }
    const { page, now } = await services.pimSchedules.listSchedules(caller, kind, q, 'resourceRole');
    return {
      value: page.items
        .filter((s) => keep(s.directoryScopeId))
        .map((s) => armSchedule(s, scheduleStatusAt(s, now), p.scope)),
      ...link(page.hasMore, page.items.length),
    };
  };

  return async (root) => {
    root.setErrorHandler(armErrorHandler);
    root.addHook('onRequest', authenticateHook(services));
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      checkApiVersion(
        request.query,
        APPROVALS_PATH.test(request.url.split('?')[0] ?? '') ? ARM_APPROVALS_API_VERSION : ARM_API_VERSION,
      );
      const path = decodedPath(request.url).replace(/^\/arm(?=\/)/, '');
      const p = parseArmPath(path);
      if (p.collection === 'roleAssignmentApprovals')
        return reply.send(await armApprovalRoute(opts, request, p));
      if (request.method === 'PUT') return put(request, reply, p);
      if (request.method === 'PATCH') {
        if (p.collection !== 'roleManagementPolicies' || p.name === null || p.action !== null)
          throw new ValidationError(
            'Only role management policies are patched.',
            undefined,
            'InvalidRequestContent',
          );
        const patches = rulePatchesOf(request.body);
        return reply.send(
          armPolicy(
            await services.rolePolicies.updateForResource(callerOf(request), p.scope, p.name, patches),
          ),
        );
      }
      if (request.method === 'POST') {
        const kind = KIND_OF[p.collection];
        if (
          kind === undefined ||
          p.name === null ||
          p.action?.toLowerCase() !== 'cancel' ||
          !p.collection.endsWith('Requests')
        )
          throw new ValidationError(
            'Only cancel is posted, to a schedule request.',
            undefined,
            'InvalidRequestContent',
          );
        await services.scheduleRequests.cancel(callerOf(request), kind, p.name, 'resourceRole');
        return reply.status(200).send(null);
      }
      if (p.action !== null)
        throw new ValidationError('Unexpected path segment.', undefined, 'InvalidRequestContent');
      return reply.send(await get(request, p));
    };
    for (const prefix of ['/subscriptions/*', '/providers/*', '/arm/*']) {
      root.route({
        method: ['GET', 'PUT', 'POST', 'PATCH'],
        url: prefix,
        schema: { hide: true },
        handler: handle,
      });
    }
  };
}

const EMPTY_QUERY = readCollectionQuery({}, { fields: {} });

/** A path to Azure's `roleAssignmentApprovals` (served at their own api-version). */
const APPROVALS_PATH = /\/providers\/microsoft\.authorization\/roleassignmentapprovals(\/|$)/i;

/** A list's OData query from ARM's filter parts, `$top` and `$skiptoken`. */
function collectionQuery(odata: string[], query: Record<string, unknown>, fields: FieldMap) {
  return readCollectionQuery(
    {
      ...(odata.length > 0 ? { $filter: odata.join(' and ') } : {}),
      $top: typeof query['$top'] === 'string' ? query['$top'] : '100',
      ...(typeof query['$skiptoken'] === 'string' ? { $skiptoken: query['$skiptoken'] } : {}),
    },
    { fields },
  );
}

/** `$filter=resourceType eq '{type}'` of `eligibleChildResources`, lower-cased. @throws ValidationError */
function childTypeFilter(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const m = /^\s*resourceType\s+eq\s+'([^']{1,256})'\s*$/i.exec(raw);
  if (m?.[1] === undefined)
    throw new ValidationError(
      `The filter '${raw.slice(0, 80)}' is not supported: use resourceType eq '{type}'.`,
      '$filter',
      'InvalidFilterParameter',
    );
  return m[1].toLowerCase();
}

/** The URL's path, percent-decoded. @throws ValidationError `InvalidResourceScope` for a bad escape */
function decodedPath(url: string): string {
  try {
    return decodeURIComponent(url.split('?')[0] ?? '');
  } catch {
    throw new ValidationError('The path has an invalid percent-escape.', undefined, 'InvalidResourceScope');
  }
}

/** The engine's command from an ARM request body. @throws ValidationError */
function commandOf(
  body: RequestBody,
  kind: ScheduleKind,
  scope: string,
  requestId: string,
): CreateScheduleRequest {
  const p = body.properties;
  const action = actionOf(p.requestType);
  if (action === undefined)
    throw new ValidationError(
      `requestType '${p.requestType.slice(0, 40)}' is not one of AdminAssign, AdminRemove, AdminUpdate, AdminExtend, AdminRenew, SelfActivate, SelfDeactivate, SelfExtend, SelfRenew.`,
      'requestType',
      'InvalidRequestContent',
    );
  if (p.condition != null)
    throw new ValidationError(
      'Conditions on role assignments are not supported.',
      'condition',
      'InvalidRequestContent',
    );
  const exp = p.scheduleInfo?.expiration;
  const type = exp?.type == null ? 'notSpecified' : expirationTypeOf(exp.type);
  if (type === undefined)
    throw new ValidationError(
      'expiration.type must be AfterDuration, AfterDateTime or NoExpiration.',
      'type',
      'InvalidRequestContent',
    );
  return {
    kind,
    resourceType: 'resourceRole',
    action,
    principalId: p.principalId.toLowerCase(),
    roleDefinitionId: roleGuidOf(p.roleDefinitionId),
    directoryScopeId: scope,
    justification: p.justification ?? null,
    ticketInfo: p.ticketInfo
      ? { ticketNumber: p.ticketInfo.ticketNumber ?? null, ticketSystem: p.ticketInfo.ticketSystem ?? null }
      : null,
    scheduleInfo:
      p.scheduleInfo == null
        ? null
        : {
            startDateTime:
              p.scheduleInfo.startDateTime == null
                ? null
                : parseDateTime(p.scheduleInfo.startDateTime, 'startDateTime'),
            expiration: {
              type,
              endDateTime: exp?.endDateTime == null ? null : parseDateTime(exp.endDateTime, 'endDateTime'),
              duration: exp?.duration ?? null,
            },
          },
    isValidationOnly: false,
    customData: null,
    requestId,
  };
}
