import { readdirSync, readFileSync } from 'node:fs';
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

  /** Every operation of the API (not the probes, the docs UI or the authorization server). */
  const apiOperations = () =>
    Object.entries(doc.paths)
      .filter(([path]) => /^\/(v1\.0|beta|access)\//.test(path))
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([method]) => method !== 'head' && method !== 'options')
          .map(([method, op]) => ({
            method,
            path,
            errors: Object.keys(op.responses).filter((c) => c >= '400'),
          })),
      );

  it('declares the error statuses each operation can answer, not one list for all', () => {
    const operations = apiOperations();
    expect(operations.length).toBeGreaterThan(50);
    for (const { method, path, errors } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      // The edge refuses malformed input (400), missing tokens (401) and callers over their rate
      // limit (429) on every route.
      expect(errors, name).toEqual(expect.arrayContaining(['400', '401', '429']));
      expect(
        errors.every((code) => ['400', '401', '403', '404', '409', '429'].includes(code)),
        name,
      ).toBe(true);
      // Reads never lose a compare-and-set.
      if (method === 'get') expect(errors, name).not.toContain('409');
      // 404 needs an object named in the path (or the signed-in user, `/me`).
      if (!path.includes('{') && !path.startsWith('/v1.0/me')) expect(errors, name).not.toContain('404');
    }
    const errorsOf = (method: string, path: string) =>
      apiOperations().find((op) => op.method === method && op.path === path)?.errors;
    expect(errorsOf('get', '/v1.0/users')).toEqual(['400', '401', '403', '429']);
    expect(errorsOf('patch', '/v1.0/users/{id}')).toEqual(['400', '401', '403', '404', '409', '429']);
    // PIM lists are filtered to what the caller may see; others' objects are 404, never 403.
    expect(errorsOf('get', '/v1.0/roleManagement/directory/roleAssignmentScheduleInstances')).toEqual([
      '400',
      '401',
      '429',
    ]);
    expect(errorsOf('get', '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests/{id}')).toEqual([
      '400',
      '401',
      '404',
      '429',
    ]);
  });

  it('finds every API path written out literally in src/http/routes (grep finds the route)', () => {
    // A collection's `/$count` is registered beside it by `http/graph/count.ts`, not written out.
    const dir = new URL('../../src/http/routes/', import.meta.url);
    const source = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(new URL(name, dir), 'utf8'))
      .join('\n');
    for (const { path } of apiOperations()) {
      const literal = path
        .replace(/^\/(v1\.0|beta)/, '')
        .replace(/\/\$count$/, '')
        .replace(/\{(\w+)\}/g, ':$1');
      expect(source, path).toContain(`'${literal}'`);
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
