// Answers the OpenAPI document once described wrongly (found by the reliability fuzz): discovery
// and JWKS without a body, the unknown-tenant 400 undocumented, rule GETs with a 200 schema no body
// satisfies, the export and the HTML report documented as JSON, entity GETs listing collection
// options they refuse. Each real answer is checked against what the document now says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors, type Schema } from '../reliability/support/json-schema.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { ROLES } from './support/fixtures.js';
import { call, filterQuery, type Headers } from './support/graph.js';

interface Operation {
  description?: string;
  parameters?: { name: string; in: string; schema: Schema }[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('the document describes the bodies the server sends', () => {
  let s: TestServer;
  let h: Headers;
  let doc: Doc;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    doc = (await call(s, 'GET', '/openapi.json')).json<Doc>();
  });
  afterAll(() => s.close());

  /** The real answer to `url`, checked against the document's response for its status. */
  async function answersAsDocumented(path: string, url: string, headers: Headers = {}) {
    const res = await call(s, 'GET', url, headers);
    const response = doc.paths[path]?.get?.responses[String(res.statusCode)];
    expect(response, `${path} documents ${res.statusCode}`).toBeDefined();
    const media = String(res.headers['content-type']).split(';')[0]!;
    const content = response!.content?.[media];
    expect(content, `${path} ${res.statusCode} documents ${media}`).toBeDefined();
    if (media === 'application/json' || media.endsWith('+json'))
      expect(schemaErrors(content!.schema, res.json())).toEqual([]);
    return res;
  }

  it('discovery, the tenant discovery (also for an unknown tenant) and the key sets', async () => {
    const tenant = s.boot.tenantId;
    await answersAsDocumented('/.well-known/openid-configuration', '/.well-known/openid-configuration');
    await answersAsDocumented(
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server',
    );
    const own = await answersAsDocumented(
      '/{tenant}/v2.0/.well-known/openid-configuration',
      `/${tenant}/v2.0/.well-known/openid-configuration`,
    );
    expect(own.statusCode).toBe(200);
    const unknown = await answersAsDocumented(
      '/{tenant}/v2.0/.well-known/openid-configuration',
      '/00000000-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration',
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toBe('invalid_tenant');
    const keys = await answersAsDocumented('/discovery/v2.0/keys', '/discovery/v2.0/keys');
    expect(keys.statusCode).toBe(200);
    await answersAsDocumented('/{tenant}/discovery/v2.0/keys', `/${tenant}/discovery/v2.0/keys`);
  });

  it('one rule of a policy, by rules and effectiveRules, for every rule type', async () => {
    const list = await call(
      s,
      'GET',
      `/v1.0/policies/roleManagementPolicies?${filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole'")}&$expand=rules`,
      h,
    );
    const policy = list.json().value[0] as { id: string; rules: { id: string; '@odata.type': string }[] };
    const types = new Set(policy.rules.map((r) => r['@odata.type']));
    expect(types.size).toBe(5);
    for (const type of types) {
      const rule = policy.rules.find((r) => r['@odata.type'] === type)!;
      for (const nav of ['rules', 'effectiveRules']) {
        const res = await answersAsDocumented(
          `/v1.0/policies/roleManagementPolicies/{id}/${nav}/{ruleId}`,
          `/v1.0/policies/roleManagementPolicies/${policy.id}/${nav}/${rule.id}`,
          h,
        );
        expect(res.statusCode).toBe(200);
      }
    }
  });

  it('the compliance report as JSON and as HTML, the audit export as JSON lines and CSV', async () => {
    const json = await answersAsDocumented(
      '/v1.0/elevate/complianceReport',
      '/v1.0/elevate/complianceReport',
      h,
    );
    expect(json.statusCode).toBe(200);
    const html = await answersAsDocumented(
      '/v1.0/elevate/complianceReport',
      '/v1.0/elevate/complianceReport?format=html',
      h,
    );
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    for (const [format, type] of [
      ['jsonl', 'application/x-ndjson'],
      ['csv', 'text/csv'],
    ]) {
      const res = await answersAsDocumented(
        '/v1.0/auditLogs/export',
        `/v1.0/auditLogs/export?${range}&format=${format}`,
        h,
      );
      expect(res.headers['content-type']).toMatch(new RegExp(`^${type}`));
    }
  });

  it('an entity GET lists only the options it takes; $top and $count state their form', () => {
    for (const kind of [
      'roleAssignmentScheduleRequests',
      'roleEligibilitySchedules',
      'roleAssignmentScheduleInstances',
    ]) {
      const names = doc.paths[`${ROLES}/${kind}/{id}`]!.get!.parameters!.filter((p) => p.in === 'query').map(
        (p) => p.name,
      );
      expect(names.sort(), kind).toEqual(['$expand', '$select']);
    }
    const list = doc.paths['/v1.0/users']!.get!.parameters!;
    const top = JSON.stringify(list.find((p) => p.name === '$top')!.schema);
    const count = JSON.stringify(list.find((p) => p.name === '$count')!.schema);
    expect(top).toContain('"pattern":"^\\\\d{1,3}$"');
    expect(count).toContain('"pattern"');
  });

  it('a date-time the document calls valid but no calendar has (30 February) is refused by its format', async () => {
    const op = doc.paths['/v1.0/auditLogs/export']!.get!;
    expect(op.parameters!.find((p) => p.name === 'from')!.schema).toMatchObject({
      format: 'date-time',
      maxLength: 40,
    });
    const res = await call(
      s,
      'GET',
      '/v1.0/auditLogs/export?from=2026-02-30T00:00:00Z&to=2026-03-05T00:00:00Z',
      h,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/day that exists/);
  });
});
