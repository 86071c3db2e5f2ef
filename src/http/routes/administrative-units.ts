import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  administrativeUnitFields,
  administrativeUnitMemberFields,
} from '../../app/administrative-units/ports.js';
import { AU_VISIBILITIES, type AdministrativeUnit } from '../../domain/directory/administrative-unit.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { directoryObjectJson, toDirectoryObjectJson } from '../graph/directory-json.js';
import { directoryObjectReference, guid, idParams } from '../graph/ids.js';
import {
  collectionOf,
  context,
  errors,
  nonEmpty,
  odataType,
  selectable,
  str,
  withContext,
  withoutAnnotation,
} from '../graph/json.js';
import { collectionEnvelope, collectionQuerystring, readCollectionQuery } from '../graph/query.js';

const tags = ['directory'];

/** Graph's `administrativeUnit` (assigned membership; Elevate has no dynamic units). */
export const administrativeUnitJson = z.object({
  id: z.string(),
  deletedDateTime: z.null(),
  displayName: z.string(),
  description: z.string().nullable(),
  visibility: z.string().nullable(),
  isMemberManagementRestricted: z.boolean(),
  membershipType: z.string(),
  membershipRule: z.null(),
  membershipRuleProcessingState: z.null(),
});

const unitJson = (u: AdministrativeUnit): z.infer<typeof administrativeUnitJson> => ({
  id: u.id,
  deletedDateTime: null,
  displayName: u.displayName,
  description: u.description,
  visibility: u.visibility,
  isMemberManagementRestricted: false,
  membershipType: 'Assigned',
  membershipRule: null,
  membershipRuleProcessingState: null,
});

const visibility = z.enum(AU_VISIBILITIES).nullable();

const unitProperties = z
  .object({
    '@odata.type': odataType('administrativeUnit').optional(),
    displayName: nonEmpty(256),
    description: str(1024).nullable().optional(),
    visibility: visibility.optional(),
  })
  .strict();

const createBody = unitProperties.transform(withoutAnnotation);
const updateBody = unitProperties.partial().strict().transform(withoutAnnotation);

/** `POST …/members/$ref`: the member's `@odata.id` (a user or a group), parsed to its id. */
const refBody = z.object({ '@odata.id': directoryObjectReference }).strict();

/**
 * `/directory/administrativeUnits` (list, create, get, update, delete) and their `members` (list,
 * add and remove `$ref`), as Graph has them (ADR 0042, docs/administrative-units.md).
 */
export function administrativeUnitRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const entity = context(serviceRoot, 'directory/administrativeUnits/$entity');
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/directory/administrativeUnits',
      {
        schema: {
          tags,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(selectable(administrativeUnitJson)), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, { fields: administrativeUnitFields });
        const page = await services.administrativeUnits.list(callerOf(request), q);
        const ctx = context(serviceRoot, 'directory/administrativeUnits');
        return collectionEnvelope(request, publicUrl, ctx, page, q, unitJson);
      },
    );

    app.post(
      '/directory/administrativeUnits',
      {
        schema: {
          tags,
          description: 'Creates an administrative unit (assigned membership). Audited.',
          body: createBody,
          response: { 201: withContext(administrativeUnitJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const u = await services.administrativeUnits.create(callerOf(request), request.body);
        return reply.status(201).send({ '@odata.context': entity, ...unitJson(u) });
      },
    );

    app.get(
      '/directory/administrativeUnits/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(administrativeUnitJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        '@odata.context': entity,
        ...unitJson(await services.administrativeUnits.get(callerOf(request), request.params.id)),
      }),
    );

    app.patch(
      '/directory/administrativeUnits/:id',
      {
        schema: {
          tags,
          description: "Changes a unit's displayName, description or visibility. Audited.",
          params: idParams,
          body: updateBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        await services.administrativeUnits.update(callerOf(request), request.params.id, {
          ...(b.displayName === undefined ? {} : { displayName: b.displayName }),
          ...(b.description === undefined ? {} : { description: b.description }),
          ...(b.visibility === undefined ? {} : { visibility: b.visibility }),
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/directory/administrativeUnits/:id',
      {
        schema: {
          tags,
          description:
            'Deletes a unit and its memberships. A unit that a role assignment or a current or future PIM eligibility or assignment names as its directoryScopeId is refused with 400 Request_BadRequest: remove those first. Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await services.administrativeUnits.delete(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/directory/administrativeUnits/:id/members',
      {
        schema: {
          tags,
          params: idParams,
          querystring: collectionQuerystring,
          response: { 200: collectionOf(directoryObjectJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readCollectionQuery(request.query, {
          fields: administrativeUnitMemberFields,
          defaultTop: 100,
        });
        const page = await services.administrativeUnits.members(callerOf(request), request.params.id, q);
        const ctx = context(serviceRoot, 'directoryObjects');
        return collectionEnvelope(request, publicUrl, ctx, page, q, (m) =>
          toDirectoryObjectJson({ groupId: m.unitId, memberId: m.memberId, memberType: m.memberType }),
        );
      },
    );

    app.post(
      '/directory/administrativeUnits/:id/members/$ref',
      {
        schema: {
          tags,
          description:
            'Adds a user or a group to the unit (400 Request_BadRequest for a service principal or a member already there; 404 when the unit or the object does not exist). Audited.',
          params: idParams,
          body: refBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.administrativeUnits.addMember(
          callerOf(request),
          request.params.id,
          request.body['@odata.id'],
        );
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/directory/administrativeUnits/:id/members/:memberId/$ref',
      {
        schema: {
          tags,
          params: z.object({ id: guid, memberId: guid }),
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.administrativeUnits.removeMember(
          callerOf(request),
          request.params.id,
          request.params.memberId,
        );
        return reply.status(204).send(null);
      },
    );
  };
}
