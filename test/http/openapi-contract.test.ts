// The OpenAPI document says what the server does: public endpoints need no token, a 204 has no
// body, and a request valid by the documented schema is not refused for its shape. A request body
// the document allows gets past validation: it may still be refused for the state it meets (an
// unknown principal, a policy rule, a duplicate), never as malformed (`invalidRequest`).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { createCustomRole, createGroup, createServicePrincipal, createUser } from './support/fixtures.js';
import { call, filterQuery, UNKNOWN_ID, type Headers, type Method } from './support/graph.js';
import { arbitraryOf, type JsonSchema } from './support/schema-arbitrary.js';
import { RELATIONS } from './support/stated-relations.js';

interface Operation {
  description?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Doc = { security: unknown[]; paths: Record<string, Record<string, Operation>> };

/** Samples per operation with a JSON body; bounded to keep the suite fast. */
const SAMPLES = 12;

describe('the OpenAPI document is honest', () => {
  let s: TestServer;
  let h: Headers;
  let doc: Doc;
  /** A real object for each path parameter, so a request reaches its use case. */
  let ids: Record<string, string>;

  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    doc = (await call(s, 'GET', '/openapi.json')).json<Doc>();
    const policies = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicies?${filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole'")}&$expand=rules`,
      h,
    );
    const policy = policies.json().value[0];
    ids = {
      users: (await createUser(s, h)).id,
      groups: (await createGroup(s, h)).id,
      servicePrincipals: (await createServicePrincipal(s, h)).id,
      roleDefinitions: (await createCustomRole(s, h)).id,
      roleManagementPolicies: policy.id,
      ruleId: policy.rules[0].id,
      ruleType: policy.rules[0]['@odata.type'],
      authenticationContextClassReferences: 'c5',
    };
  });
  afterAll(() => s.close());

  /**
   * What the operation's description adds to its body schema about its path: a rule PATCH carries
   * the `@odata.type` of the rule it names, and no other rule's `id`; an authentication context's
   * body names no other context's `id`.
   */
  const fitsPath = (path: string) => (body: unknown) => {
    if (path.endsWith('/authenticationContextClassReferences/{id}')) {
      const id = (body as { id?: string }).id;
      return id === undefined || id === ids.authenticationContextClassReferences;
    }
    if (!path.endsWith('/rules/{ruleId}')) return true;
    const rule = body as { '@odata.type'?: string; id?: string };
    return rule['@odata.type'] === ids.ruleType && (rule.id === undefined || rule.id === ids.ruleId);
  };

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );

  it('documents OpenID discovery, JWKS and the token endpoint without security, the API with bearer', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    const open = [
      '/.well-known/openid-configuration',
      '/{tenant}/v2.0/.well-known/openid-configuration',
      '/discovery/v2.0/keys',
      '/{tenant}/discovery/v2.0/keys',
      '/{tenant}/oauth2/v2.0/{*}',
    ];
    for (const path of open) {
      expect(doc.paths[path]?.get, path).toBeDefined();
      expect(doc.paths[path]!.get!.security, path).toEqual([]);
    }
    for (const { path, method, op } of operations()) {
      if (/^\/(v1\.0|beta|access)\//.test(path)) expect(op.security, `${method} ${path}`).toBeUndefined();
      else expect(op.security, `${method} ${path}`).toEqual([]);
    }
  });

  it('documents every 204 without a body', () => {
    const noContent = operations().filter(({ op }) => '204' in op.responses);
    expect(noContent.length).toBeGreaterThanOrEqual(20);
    for (const { path, method, op } of noContent) {
      expect(op.responses['204'], `${method} ${path}`).toEqual({ description: 'No Content' });
    }
  });

  it('accepts every request body the document allows (sampled), refusing none as malformed', async () => {
    const withBody = operations().filter(({ op }) => op.requestBody?.content['application/json']);
    expect(withBody.length).toBeGreaterThanOrEqual(15);
    /** Each refusal once per operation and reason, with one body that provoked it. */
    const refused = new Map<string, string>();
    for (const { path, method, op } of withBody) {
      const schema = op.requestBody!.content['application/json']!.schema;
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string, at: number) => {
        if (name !== 'id') return ids[name] ?? UNKNOWN_ID;
        const collection = path
          .slice(0, at - 1)
          .split('/')
          .at(-1)!;
        return ids[collection] ?? UNKNOWN_ID;
      });
      const samples = fc.sample(arbitraryOf(schema).filter(fitsPath(path)), {
        numRuns: SAMPLES,
        seed: 20261127,
      });
      for (const body of samples) {
        const res = await call(s, method as Method, url, h, body);
        const error =
          res.statusCode >= 400 ? res.json<{ error?: { code: string; message: string } }>().error : undefined;
        if (res.statusCode >= 500 || error?.code === 'invalidRequest') {
          const relation = RELATIONS.find(
            (r) => r.operations.test(path) && r.message.test(error?.message ?? ''),
          );
          if (relation && res.statusCode === 400) {
            expect(op.description, `${method} ${path} states: ${relation.stated}`).toContain(relation.stated);
            continue;
          }
          const reason = `${method} ${path} → ${res.statusCode} ${error?.message.replace(/'[^']*'$/, '').slice(0, 160)}`;
          if (!refused.has(reason)) refused.set(reason, JSON.stringify(body).slice(0, 300));
        }
      }
    }
    const report = [...refused].map(([reason, body]) => `${reason}\n    e.g. ${body}`);
    expect(report).toEqual([]);
  }, 120_000);
});
