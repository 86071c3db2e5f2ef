import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoleManagementPolicy } from '../../app/ports.js';
import { project, type ExpandItem, type QueryOptions } from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { entityKey, keyParams, policyAssignmentKey } from '../graph/ids.js';
import { collectionOf, context, errors, selectable, withContext } from '../graph/json.js';
import {
  contextSuffix,
  policyAssignmentJson,
  policyAssignmentToJson,
  policyJson,
  policyToJson,
  ruleEntityJson,
  ruleJson,
  rulesToJson,
  ruleToJson,
} from '../graph/policy-json.js';
import { policyPatchBody, RULE_RELATIONS, rulePatchBody, toRulePatch } from '../graph/policy-request-json.js';
import {
  collectionEnvelope,
  collectionQuerystring,
  entityQuerystring,
  projectSelected,
  selectQuerystring,
  selectWithExpand,
} from '../graph/query.js';
import {
  assignmentSpec,
  policySpec,
  readPolicyCollectionQuery,
  readPolicyEntityQuery,
  ruleSpec,
} from './policy-query.js';

const ruleParams = z.object({ id: entityKey, ruleId: z.string().min(1).max(100) });
const policySelected = selectable(policyJson);
const assignmentSelected = selectable(policyAssignmentJson);

/** Graph's `Prefer: return=minimal` asks for 204 instead of the updated entity. */
const wantsMinimal = (request: FastifyRequest): boolean => {
  const prefer = request.headers.prefer;
  return typeof prefer === 'string' && /(^|[,;\s])return=minimal($|[,;\s])/i.test(prefer);
};

/** `policies/roleManagementPolicies('{id}')`, the entity-set path of one policy in a context URL. */
const policyPath = (policyId: string) =>
  `policies/roleManagementPolicies('${policyId.replaceAll("'", "''")}')`;

/**
 * Role settings (reference §2): `/policies/roleManagementPolicies` (list with the required scope
 * filter, get, PATCH rules), their `rules`/`effectiveRules`, and `/roleManagementPolicyAssignments`.
 */
export function policyRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, publicUrl, serviceRoot } = opts;
  const navContext = (policyId: string, item: ExpandItem) =>
    context(serviceRoot, `${policyPath(policyId)}/${item.name}${contextSuffix(item.select, [])}`);

  /** `GET …/{id}/rules` and `…/{id}/effectiveRules` (the same rules: nothing is inherited yet). */
  const listRules = async (request: FastifyRequest, policyId: string, nav: 'rules' | 'effectiveRules') => {
    const q = readPolicyEntityQuery(request.query, ruleSpec);
    const p = await services.rolePolicies.get(callerOf(request), policyId);
    const contextUrl = context(serviceRoot, `${policyPath(p.id)}/${nav}${contextSuffix(q.select, [])}`);
    return { '@odata.context': contextUrl, value: rulesToJson(p.rules, q.select) };
  };

  /** `GET …/{id}/rules/{ruleId}` and `…/{id}/effectiveRules/{ruleId}`. */
  const getRule = async (
    request: FastifyRequest,
    { id, ruleId }: { id: string; ruleId: string },
    nav: 'rules' | 'effectiveRules',
  ) => {
    const q = readPolicyEntityQuery(request.query, ruleSpec);
    const rule = await services.rolePolicies.getRule(callerOf(request), id, ruleId);
    const contextUrl = context(serviceRoot, `${policyPath(id)}/${nav}${contextSuffix(q.select, [])}/$entity`);
    return {
      '@odata.context': contextUrl,
      ...(project(ruleToJson(rule), q.select) as z.input<typeof ruleJson>),
    };
  };

  /** A policy as returned by a read: projected by `$select`, expanded navigations kept. */
  const readPolicyJson = (p: RoleManagementPolicy, q: QueryOptions) =>
    projectSelected(policyToJson(p, q.expand, navContext), selectWithExpand(q));

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['role settings'];

    app.get(
      '/policies/roleManagementPolicies',
      {
        schema: {
          tags,
          description: "Needs `$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'` (or 'Directory').",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(policySelected), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readPolicyCollectionQuery(request.query, policySpec);
        const page = await services.rolePolicies.list(callerOf(request), q);
        const contextUrl = context(
          serviceRoot,
          `policies/roleManagementPolicies${contextSuffix(q.select, q.expand)}`,
        );
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (p) =>
          policyToJson(p, q.expand, navContext),
        );
      },
    );

    app.get(
      '/policies/roleManagementPolicies/:id',
      {
        schema: {
          tags,
          params: keyParams,
          querystring: entityQuerystring,
          response: { 200: withContext(policySelected), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readPolicyEntityQuery(request.query, policySpec);
        const p = await services.rolePolicies.get(callerOf(request), request.params.id);
        const contextUrl = context(
          serviceRoot,
          `policies/roleManagementPolicies${contextSuffix(q.select, q.expand)}/$entity`,
        );
        return { '@odata.context': contextUrl, ...readPolicyJson(p, q) };
      },
    );

    app.patch(
      '/policies/roleManagementPolicies/:id',
      {
        schema: {
          tags,
          description: `Each rule of \`rules\` carries its \`id\` and \`@odata.type\`. ${RULE_RELATIONS}`,
          params: keyParams,
          body: policyPatchBody,
          response: {
            200: withContext(policyJson),
            204: z.null(),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const patches = request.body.rules.map(toRulePatch);
        const p = await services.rolePolicies.updateRules(callerOf(request), request.params.id, patches);
        if (wantsMinimal(request)) return reply.status(204).send(null);
        const contextUrl = context(serviceRoot, 'policies/roleManagementPolicies/$entity');
        return reply.status(200).send({ '@odata.context': contextUrl, ...policyToJson(p) });
      },
    );

    app.get(
      '/policies/roleManagementPolicies/:id/rules',
      {
        schema: {
          tags,
          params: keyParams,
          querystring: selectQuerystring,
          response: { 200: collectionOf(ruleJson), ...errors(400, 401, 403, 404) },
        },
      },
      (request) => listRules(request, request.params.id, 'rules'),
    );

    app.get(
      '/policies/roleManagementPolicies/:id/rules/:ruleId',
      {
        schema: {
          tags,
          params: ruleParams,
          querystring: selectQuerystring,
          response: { 200: ruleEntityJson, ...errors(400, 401, 403, 404) },
        },
      },
      (request) => getRule(request, request.params, 'rules'),
    );

    app.get(
      '/policies/roleManagementPolicies/:id/effectiveRules',
      {
        schema: {
          tags,
          params: keyParams,
          querystring: selectQuerystring,
          response: { 200: collectionOf(ruleJson), ...errors(400, 401, 403, 404) },
        },
      },
      (request) => listRules(request, request.params.id, 'effectiveRules'),
    );

    app.get(
      '/policies/roleManagementPolicies/:id/effectiveRules/:ruleId',
      {
        schema: {
          tags,
          params: ruleParams,
          querystring: selectQuerystring,
          response: { 200: ruleEntityJson, ...errors(400, 401, 403, 404) },
        },
      },
      (request) => getRule(request, request.params, 'effectiveRules'),
    );

    app.patch(
      '/policies/roleManagementPolicies/:id/rules/:ruleId',
      {
        schema: {
          tags,
          description:
            'The body must carry the derived `@odata.type` of the rule (Graph requires it) and, if it ' +
            `carries an \`id\`, the rule's own. ${RULE_RELATIONS}`,
          params: ruleParams,
          body: rulePatchBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { id, ruleId } = request.params;
        await services.rolePolicies.updateRule(callerOf(request), id, ruleId, toRulePatch(request.body));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/policies/roleManagementPolicyAssignments',
      {
        schema: {
          tags,
          description:
            "Needs `$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'`; `roleDefinitionId eq` optional.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(assignmentSelected), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const q = readPolicyCollectionQuery(request.query, assignmentSpec);
        const page = await services.rolePolicies.listAssignments(callerOf(request), q);
        const contextUrl = context(
          serviceRoot,
          `policies/roleManagementPolicyAssignments${contextSuffix(q.select, q.expand)}`,
        );
        return collectionEnvelope(request, publicUrl, contextUrl, page, q, (p) =>
          policyAssignmentToJson(p, q.expand),
        );
      },
    );

    app.get(
      '/policies/roleManagementPolicyAssignments/:id',
      {
        schema: {
          tags,
          params: z.object({ id: policyAssignmentKey }),
          querystring: entityQuerystring,
          response: { 200: withContext(assignmentSelected), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = readPolicyEntityQuery(request.query, assignmentSpec);
        const p = await services.rolePolicies.getAssignment(callerOf(request), request.params.id);
        const contextUrl = context(
          serviceRoot,
          `policies/roleManagementPolicyAssignments${contextSuffix(q.select, q.expand)}/$entity`,
        );
        return {
          '@odata.context': contextUrl,
          ...projectSelected(policyAssignmentToJson(p, q.expand), selectWithExpand(q)),
        };
      },
    );
  };
}
