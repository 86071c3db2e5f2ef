import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { ROLES } from './support/fixtures.js';
import { call, expectGraphError, UNKNOWN_ID, type Headers, type Method } from './support/graph.js';

describe('paths and methods no route has', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it.each([
    ['GET', '/v1.0/nope', 'nope'],
    ['GET', '/v1.0/nope/users', 'nope'],
    ['POST', '/v1.0/nope', 'nope'],
    ['GET', '/beta/auditLog', 'auditLog'],
    ['GET', `/v1.0/users/${UNKNOWN_ID}/nope`, 'nope'],
    ['GET', '/v1.0/roleManagement/directory/nope', 'nope'],
    ['GET', '/v1.0/roleManagement/entitlementManagement', 'entitlementManagement'],
    ['DELETE', `${ROLES}/roleAssignmentSchedules/x/y`, 'y'],
    ['GET', '/v1.0/n%C3%A9', 'né'],
    ['GET', '/v1.0/Users', 'Users'],
    ['GET', '/v1.0/roleManagement', 'roleManagement'],
    ['GET', '/v1.0', 'v1.0'],
  ] as [Method, string, string][])(
    '%s %s is 400 BadRequest naming the segment, as Graph answers',
    async (method, url, segment) => {
      expectGraphError(
        await call(s, method, url, h),
        400,
        'BadRequest',
        `Resource not found for the segment '${segment}'.`,
      );
    },
  );

  it('never echoes the query string, and bounds the echoed segment', async () => {
    const res = await call(s, 'GET', '/v1.0/nope?access_token=hunter2', h);
    expect(res.body).not.toContain('hunter2');
    const long = await call(s, 'GET', `/v1.0/${'x'.repeat(3000)}`, h);
    expectGraphError(long, 400, 'BadRequest', `Resource not found for the segment '${'x'.repeat(100)}'.`);
  });

  it.each([
    ['PUT', '/v1.0/users', 'GET, HEAD, POST'],
    ['DELETE', '/beta/users', 'GET, HEAD, POST'],
    ['POST', `/v1.0/users/${UNKNOWN_ID}`, 'DELETE, GET, HEAD, PATCH'],
    ['PATCH', `${ROLES}/roleAssignments/${UNKNOWN_ID}`, 'DELETE, GET, HEAD'],
    ['DELETE', `${ROLES}/roleAssignmentScheduleRequests`, 'GET, HEAD, POST'],
    ['GET', `${ROLES}/roleAssignmentScheduleRequests/${UNKNOWN_ID}/cancel`, 'POST'],
    ['POST', `/v1.0/groups/${UNKNOWN_ID}/members/$count`, 'GET, HEAD'],
    ['PUT', '/healthz', 'GET, HEAD'],
    ['GET', '/access/v1/evaluation', 'POST'],
  ] as [Method, string, string][])(
    '%s %s is 405 with Allow: %s and the Graph envelope',
    async (method, url, allow) => {
      const res = await call(s, method, url, h);
      expectGraphError(
        res,
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
      expect(res.headers.allow).toBe(allow);
    },
  );

  it('keeps 404 outside the Graph prefixes', async () => {
    expectGraphError(await call(s, 'GET', '/nope'), 404, 'NotFound', 'No resource matches GET /nope.');
    expectGraphError(
      await call(s, 'POST', '/v2.0/users'),
      404,
      'NotFound',
      'No resource matches POST /v2.0/users.',
    );
  });
});
