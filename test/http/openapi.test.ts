import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { call } from './support/graph.js';

const GRAPH_PATHS: Record<string, string[]> = {
  '/v1.0/users': ['get', 'post'],
  '/v1.0/users/{id}': ['get', 'patch', 'delete'],
  '/v1.0/me': ['get'],
  '/v1.0/groups': ['get', 'post'],
  '/v1.0/groups/{id}': ['get', 'patch', 'delete'],
  '/v1.0/groups/{id}/members': ['get'],
  '/v1.0/groups/{id}/members/$ref': ['post'],
  '/v1.0/groups/{id}/members/{memberId}/$ref': ['delete'],
  '/v1.0/servicePrincipals': ['get', 'post'],
  '/v1.0/servicePrincipals/{id}': ['get', 'patch', 'delete'],
  '/v1.0/servicePrincipals/{id}/addPassword': ['post'],
  '/v1.0/servicePrincipals/{id}/removePassword': ['post'],
  '/v1.0/roleManagement/directory/roleDefinitions': ['get', 'post'],
  '/v1.0/roleManagement/directory/roleDefinitions/{id}': ['get', 'patch', 'delete'],
  '/v1.0/roleManagement/directory/roleAssignments': ['get', 'post'],
  '/v1.0/roleManagement/directory/roleAssignments/{id}': ['get', 'delete'],
  '/beta/roleManagement/directory/roleAssignmentApprovals/{id}': ['get'],
  '/beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps': ['get'],
  '/beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps/{stepId}': ['patch'],
};

interface Operation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
}

describe('OpenAPI document, docs UI and probes', () => {
  let s: TestServer;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    s = await testServer();
    const res = await call(s, 'GET', '/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  });
  afterAll(() => s.close());

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(doc) as never);
    const errors = 'errors' in result ? result.errors : [];
    expect(errors.map((e: { message: string }) => e.message.split('\n')[0])).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every Graph path with its methods and the Graph error responses', () => {
    for (const [path, methods] of Object.entries(GRAPH_PATHS)) {
      expect(Object.keys(doc.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
      for (const m of methods)
        expect(Object.keys(doc.paths[path]![m]!.responses), `${m} ${path}`).toContain('401');
    }
  });

  it('documents the OData options as query parameters of collection routes', () => {
    for (const path of ['/v1.0/users', '/v1.0/groups', '/v1.0/roleManagement/directory/roleAssignments']) {
      const names = (doc.paths[path]!.get!.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      expect(names, path).toEqual(
        expect.arrayContaining(['$filter', '$select', '$orderby', '$top', '$skiptoken', '$count']),
      );
      expect(names, path).not.toContain('type');
      expect(names, path).not.toContain('additionalProperties');
    }
  });

  it('serves the browsable docs UI at /docs', async () => {
    const res = await call(s, 'GET', '/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
    const init = await call(s, 'GET', '/docs/static/swagger-initializer.js');
    expect(init.statusCode).toBe(200);
  });

  it('answers /healthz and /readyz without a token once migrations are applied', async () => {
    const health = await call(s, 'GET', '/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toStrictEqual({ status: 'ok' });
    const ready = await call(s, 'GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toStrictEqual({ status: 'ready' });
    const applied = await s.db.kysely
      .selectFrom('schema_migrations')
      .select('name')
      .orderBy('name')
      .execute();
    expect(applied.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
  });

  it('reports 503 from /readyz while a migration is pending', async () => {
    const [first] = await s.db.kysely.selectFrom('schema_migrations').selectAll().execute();
    await s.db.kysely.deleteFrom('schema_migrations').where('name', '=', first!.name).execute();
    try {
      const res = await call(s, 'GET', '/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toStrictEqual({ status: 'not ready', reason: 'migrations pending' });
    } finally {
      await s.db.kysely.insertInto('schema_migrations').values(first!).execute();
    }
    expect((await call(s, 'GET', '/readyz')).statusCode).toBe(200);
  });
});
