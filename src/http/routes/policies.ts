import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rolePolicyAssignmentFields, rolePolicyFields } from '../../odata/collections.js';
import {
  ODataError,
  parseQueryOptions,
  project,
  type ExpandItem,
  type FieldMap,
  type QueryOptions,
  type QuerySpec,
} from '../../odata/index.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { BuildOptions } from '../build-options.js';
import { collectionOf, context, errorResponses, idParam } from '../graph/json.js';
import {
  contextSuffix,
  policyAssignmentJson,
  policyAssignmentToJson,
  policyJson,
  policyToJson,
  RULE_PROPERTIES,
  ruleEntityJson,
  ruleJson,
  rulesToJson,
  ruleToJson,
} from '../graph/policy-json.js';
import { policyPatchBody, rulePatchBody, toRulePatch } from '../graph/policy-request-json.js';
import { collectionQuerystring, readCollectionQuery, sendPage } from '../graph/query.js';

const POLICIES = 'policies/roleManagementPolicies';
const ASSIGNMENTS = 'policies/roleManagementPolicyAssignments';

/** Rule properties for `$select` on rules; rules live in JSON, so nothing here reaches SQL. */
const ruleFields: FieldMap = Object.fromEntries(
  RULE_PROPERTIES.map((name) => [name, { column: name, type: 'string', filterable: false, sortable: false }]),
);

const policySpec: QuerySpec = { fields: rolePolicyFields, expandable: ['rules', 'effectiveRules'] };
const assignmentSpec: QuerySpec = {
  fields: rolePolicyAssignmentFields,
  expandable: ['policy', 'policy/rules', 'policy/effectiveRules'],
};
const ruleSpec: QuerySpec = { fields: ruleFields };

/** Names of a nested `$select`, in the spelling of `allowed`. @throws ODataError('invalidSelect') */
function canonicalSelect(
  names: readonly string[] | undefined,
  allowed: readonly string[],
): string[] | undefined {
  return names?.map((name) => {
    const found = allowed.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (found === undefined) {
      throw new ODataError(
        'invalidSelect',
        `Could not find a property named '${name.slice(0, 40)}' to select.`,
        '$select',
      );
    }
    return found;
  });
}

/** Checks nested `$select`s: on rules against rule properties, on a policy against its properties. */
function checkExpand(items: readonly ExpandItem[]): ExpandItem[] {
  const policyProperties = [...Object.keys(rolePolicyFields), 'rules', 'effectiveRules'];
  return items.map((item): ExpandItem => {
    const allowed = item.name === 'policy' ? policyProperties : RULE_PROPERTIES;
    const select = canonicalSelect(item.select, allowed);
    const expand = item.expand && checkExpand(item.expand);
    return { name: item.name, ...(select ? { select } : {}), ...(expand ? { expand } : {}) };
  });
}

/**
 * Query options of a single entity (or of a policy's rules): only `$select` and `$expand`.
 * @throws ODataError('unsupportedQueryOption') for any other `$` option.
 */
function readEntityQuery(query: unknown, spec: QuerySpec): QueryOptions {
  const options = (query ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (key.startsWith('$') && !['$select', '$expand'].includes(key.toLowerCase())) {
      throw new ODataError(
        'unsupportedQueryOption',
        `Query option '${key.slice(0, 40)}' is not supported here.`,
        key.slice(0, 64),
      );
    }
  }
  const q = parseQueryOptions(options, spec);
  return { ...q, expand: checkExpand(q.expand) };
}

/** `$select` plus the expanded navigation names, which `project` must keep. */
const selectWithExpand = (q: QueryOptions): string[] | undefined =>
  q.select && [...q.select, ...q.expand.map((item) => item.name)];

/** Graph's `Prefer: return=minimal` asks for 204 instead of the updated entity. */
const wantsMinimal = (request: FastifyRequest): boolean => {
  const prefer = request.headers.prefer;
  return typeof prefer === 'string' && /(^|[,;\s])return=minimal($|[,;\s])/i.test(prefer);
};

/**
 * Role settings (reference §2): `/policies/roleManagementPolicies` (list with the required scope
 * filter, get, PATCH rules), their `rules`/`effectiveRules`, and `/roleManagementPolicyAssignments`.
 */
export function policyRoutes(opts: BuildOptions): FastifyPluginAsync {
  const { services, publicUrl } = opts;
  const navContext = (policyId: string, item: ExpandItem) =>
    context(
      publicUrl,
      `${POLICIES}('${policyId.replaceAll("'", "''")}')/${item.name}${contextSuffix(item.select, [])}`,
    );

  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));
    const tags = ['role settings'];
    const params = z.object({ id: idParam });
    const ruleParams = z.object({ id: idParam, ruleId: z.string().min(1).max(100) });

    app.get(
      `/${POLICIES}`,
      {
        schema: {
          tags,
          description: "Needs `$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'` (or 'Directory').",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(policyJson), ...errorResponses },
        },
      },
      async (request) => {
        const parsed = readCollectionQuery(request.query, policySpec);
        const q = { ...parsed, expand: checkExpand(parsed.expand) };
        const page = await services.rolePolicies.list(callerOf(request), q);
        return sendPage(
          request,
          publicUrl,
          context(publicUrl, `${POLICIES}${contextSuffix(q.select, q.expand)}`),
          page,
          { ...q, select: selectWithExpand(q) },
          (p) => policyToJson(p, q.expand, navContext),
        );
      },
    );

    app.get(
      `/${POLICIES}/:id`,
      {
        schema: {
          tags,
          params,
          querystring: collectionQuerystring,
          response: { 200: policyJson, ...errorResponses },
        },
      },
      async (request) => {
        const q = readEntityQuery(request.query, policySpec);
        const p = await services.rolePolicies.get(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, `${POLICIES}${contextSuffix(q.select, q.expand)}/$entity`),
          ...project(policyToJson(p, q.expand, navContext), selectWithExpand(q)),
        };
      },
    );

    app.patch(
      `/${POLICIES}/:id`,
      {
        schema: {
          tags,
          params,
          body: policyPatchBody,
          response: { 200: policyJson, 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const patches = request.body.rules.map(toRulePatch);
        const p = await services.rolePolicies.updateRules(callerOf(request), request.params.id, patches);
        if (wantsMinimal(request)) return reply.status(204).send(null);
        return reply
          .status(200)
          .send({ '@odata.context': context(publicUrl, `${POLICIES}/$entity`), ...policyToJson(p) });
      },
    );

    for (const nav of ['rules', 'effectiveRules'] as const) {
      app.get(
        `/${POLICIES}/:id/${nav}`,
        {
          schema: {
            tags,
            params,
            querystring: collectionQuerystring,
            response: { 200: collectionOf(ruleJson), ...errorResponses },
          },
        },
        async (request) => {
          const q = readEntityQuery(request.query, ruleSpec);
          const p = await services.rolePolicies.get(callerOf(request), request.params.id);
          const ctx = `${POLICIES}('${p.id.replaceAll("'", "''")}')/${nav}${contextSuffix(q.select, [])}`;
          return { '@odata.context': context(publicUrl, ctx), value: rulesToJson(p.rules, q.select) };
        },
      );

      app.get(
        `/${POLICIES}/:id/${nav}/:ruleId`,
        {
          schema: {
            tags,
            params: ruleParams,
            querystring: collectionQuerystring,
            response: { 200: ruleEntityJson, ...errorResponses },
          },
        },
        async (request) => {
          const q = readEntityQuery(request.query, ruleSpec);
          const { id, ruleId } = request.params;
          const rule = await services.rolePolicies.getRule(callerOf(request), id, ruleId);
          const ctx = `${POLICIES}('${id.replaceAll("'", "''")}')/${nav}${contextSuffix(q.select, [])}/$entity`;
          return {
            '@odata.context': context(publicUrl, ctx),
            ...(project(ruleToJson(rule), q.select) as z.input<typeof ruleJson>),
          };
        },
      );
    }

    app.patch(
      `/${POLICIES}/:id/rules/:ruleId`,
      {
        schema: {
          tags,
          description: 'The body must carry the derived `@odata.type` of the rule (Graph requires it).',
          params: ruleParams,
          body: rulePatchBody,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { id, ruleId } = request.params;
        await services.rolePolicies.updateRule(callerOf(request), id, ruleId, toRulePatch(request.body));
        return reply.status(204).send(null);
      },
    );

    app.get(
      `/${ASSIGNMENTS}`,
      {
        schema: {
          tags,
          description:
            "Needs `$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'`; `roleDefinitionId eq` optional.",
          querystring: collectionQuerystring,
          response: { 200: collectionOf(policyAssignmentJson), ...errorResponses },
        },
      },
      async (request) => {
        const parsed = readCollectionQuery(request.query, assignmentSpec);
        const q = { ...parsed, expand: checkExpand(parsed.expand) };
        const page = await services.rolePolicies.listAssignments(callerOf(request), q);
        return sendPage(
          request,
          publicUrl,
          context(publicUrl, `${ASSIGNMENTS}${contextSuffix(q.select, q.expand)}`),
          page,
          { ...q, select: selectWithExpand(q) },
          (p) => policyAssignmentToJson(p, q.expand),
        );
      },
    );

    app.get(
      `/${ASSIGNMENTS}/:id`,
      {
        schema: {
          tags,
          params,
          querystring: collectionQuerystring,
          response: { 200: policyAssignmentJson, ...errorResponses },
        },
      },
      async (request) => {
        const q = readEntityQuery(request.query, assignmentSpec);
        const p = await services.rolePolicies.getAssignment(callerOf(request), request.params.id);
        return {
          '@odata.context': context(publicUrl, `${ASSIGNMENTS}${contextSuffix(q.select, q.expand)}/$entity`),
          ...project(policyAssignmentToJson(p, q.expand), selectWithExpand(q)),
        };
      },
    );
  };
}
