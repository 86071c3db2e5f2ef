import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { createUser, ROLES } from './support/fixtures.js';
import { call, expectGraphError, followPages, type Headers } from './support/graph.js';

// Graph pages its directory and PIM collections by `$skiptoken` (`@odata.nextLink`) only and
// answers `$skip` with "'$skip' is not supported by the service."; Elevate does the same.
describe('$skip', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
    for (let i = 0; i < 3; i++) await createUser(s, h);
  });
  afterAll(() => s.close());

  it.each([
    '/v1.0/users?$skip=1',
    '/v1.0/users?$top=1&$SKIP=1',
    `${ROLES}/roleDefinitions?$skip=0`,
    `${ROLES}/roleAssignmentScheduleInstances?$skip=10`,
    '/v1.0/auditLogs/directoryAudits?$skip=1',
    '/beta/groups?$skip=1',
  ])('GET %s is refused with 400', async (url) => {
    expectGraphError(
      await call(s, 'GET', url, h),
      400,
      'unsupportedQueryOption',
      "'$skip' is not supported by the service.",
      { target: url.includes('$SKIP') ? '$SKIP' : '$skip' },
    );
  });

  it('is not documented; $skiptoken paging is', async () => {
    const doc = (await call(s, 'GET', '/openapi.json')).json();
    const names = doc.paths['/v1.0/users'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toContain('$skiptoken');
    expect(names).not.toContain('$skip');
  });

  it('leaves paging by @odata.nextLink whole', async () => {
    const pages = await followPages(s, h, '/v1.0/users?$top=1&$select=id');
    expect(pages.length).toBeGreaterThanOrEqual(4);
    const ids = pages.flatMap((p) => p.value.map((u) => u.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
