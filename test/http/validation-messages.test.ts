// Validation messages for people (issue 11, item 2): the field's path in backticks, what is
// expected, an example where one helps, and every problem of a body in `details`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, expectGraphError, type Headers, type Method } from './support/graph.js';

const ELIGIBILITY = '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

const pimBody = (changes: Record<string, unknown> = {}) => ({
  action: 'adminAssign',
  principalId: '6be4b305-b75e-4efc-bfcc-31bd3b53a5f8',
  roleDefinitionId: USER_ADMINISTRATOR,
  directoryScopeId: '/',
  justification: 'on call',
  scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'P30D' } },
  ...changes,
});
const withExpiration = (expiration: Record<string, unknown>, startDateTime: unknown = null) =>
  pimBody({ scheduleInfo: { startDateTime, expiration } });
const user = (changes: Record<string, unknown> = {}) => ({
  accountEnabled: true,
  displayName: 'Ada',
  userPrincipalName: 'ada@contoso.test',
  ...changes,
});

describe('validation messages name the field, say what is expected and give an example', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  const cases: [string, Method, string, unknown, string, string | undefined][] = [
    [
      'a duration that is not ISO 8601',
      'POST',
      ELIGIBILITY,
      withExpiration({ type: 'afterDuration', duration: '8 hours' }),
      '`scheduleInfo.expiration.duration` must be an ISO 8601 duration such as PT8H, P180D or PT1H45M; "8 hours" is not one.',
      'scheduleInfo.expiration.duration',
    ],
    [
      'a duration in years',
      'POST',
      ELIGIBILITY,
      withExpiration({ type: 'afterDuration', duration: 'P1Y' }),
      '`scheduleInfo.expiration.duration` must count days, not years or months, whose length depends on the calendar: e.g. P365D instead of "P1Y".',
      'scheduleInfo.expiration.duration',
    ],
    [
      'a start without a time zone',
      'POST',
      ELIGIBILITY,
      withExpiration({ type: 'afterDuration', duration: 'P1D' }, '2026-12-01T08:00:00'),
      '`scheduleInfo.startDateTime` must have a time zone: add Z or an offset such as +02:00 to "2026-12-01T08:00:00".',
      'scheduleInfo.startDateTime',
    ],
    [
      'an unknown action',
      'POST',
      ELIGIBILITY,
      pimBody({ action: 'promote' }),
      '`action` must be one of (any case): adminAssign, adminUpdate, adminRemove, selfActivate, selfDeactivate, adminExtend, adminRenew, selfExtend, selfRenew; "promote" is not one.',
      'action',
    ],
    [
      'a malformed GUID',
      'POST',
      ELIGIBILITY,
      pimBody({ principalId: 'ada' }),
      '`principalId` must be a GUID such as 62e90394-69f5-4237-9190-012177145e10.',
      'principalId',
    ],
    [
      'a missing property',
      'POST',
      ELIGIBILITY,
      pimBody({ roleDefinitionId: undefined }),
      '`roleDefinitionId` is required.',
      'roleDefinitionId',
    ],
    [
      'a number for a string',
      'POST',
      ELIGIBILITY,
      pimBody({ justification: 42 }),
      '`justification` must be a string, not a number.',
      'justification',
    ],
    [
      'a string too long',
      'POST',
      ELIGIBILITY,
      pimBody({ justification: 'x'.repeat(612) }),
      '`justification` must have at most 500 characters (it has 612).',
      'justification',
    ],
    [
      'a nested object of the wrong type',
      'POST',
      ELIGIBILITY,
      pimBody({ ticketInfo: 'INC-1' }),
      '`ticketInfo` must be a JSON object, not a string.',
      'ticketInfo',
    ],
    [
      'an unknown property',
      'POST',
      ELIGIBILITY,
      pimBody({ roleId: USER_ADMINISTRATOR }),
      'The request body has an unknown property `roleId`; remove it or check its spelling.',
      'roleId',
    ],
    [
      'an unknown nested property',
      'POST',
      ELIGIBILITY,
      pimBody({ ticketInfo: { ticketNumber: 'INC-1', system: 'ServiceNow' } }),
      '`ticketInfo` has an unknown property `system`; remove it or check its spelling.',
      'ticketInfo.system',
    ],
    [
      'a body that is not an object',
      'POST',
      '/v1.0/users',
      [],
      'The request body must be a JSON object, not an array.',
      undefined,
    ],
    [
      'true or false',
      'POST',
      '/v1.0/users',
      user({ accountEnabled: 'yes' }),
      '`accountEnabled` must be true or false, not a string.',
      'accountEnabled',
    ],
    [
      'an empty name',
      'POST',
      '/v1.0/users',
      user({ displayName: '   ' }),
      '`displayName` must not be empty or only spaces.',
      'displayName',
    ],
    [
      'a schema’s own message',
      'POST',
      '/v1.0/users',
      user({ userPrincipalName: 'ada' }),
      '`userPrincipalName` must look like name@domain.',
      'userPrincipalName',
    ],
    [
      'a query option outside its values',
      'GET',
      '/v1.0/elevate/complianceReport?format=pdf',
      undefined,
      "`format` must be one of 'json', 'html'.",
      'format',
    ],
    [
      'a malformed id in the URL',
      'GET',
      '/v1.0/groups/not-a-guid',
      undefined,
      '`id` in the URL must be a GUID such as 62e90394-69f5-4237-9190-012177145e10.',
      'id',
    ],
  ];

  it.each(cases)('%s', async (_name, method, url, body, message, target) => {
    const res = await call(s, method, url, h, body);
    expectGraphError(res, 400, 'invalidRequest', message, target === undefined ? {} : { target });
  });

  it('lists every problem of a body in details, the first one as the message', async () => {
    const res = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: 1,
      displayName: '',
      mailNickname: 7,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalidRequest',
      message: '`accountEnabled` must be true or false, not a number.',
      target: 'accountEnabled',
      details: [
        {
          code: 'invalidRequest',
          message: '`accountEnabled` must be true or false, not a number.',
          target: 'accountEnabled',
        },
        {
          code: 'invalidRequest',
          message: '`displayName` must not be empty or only spaces.',
          target: 'displayName',
        },
        {
          code: 'invalidRequest',
          message: '`mailNickname` must be a string, not a number.',
          target: 'mailNickname',
        },
        { code: 'invalidRequest', message: '`userPrincipalName` is required.', target: 'userPrincipalName' },
      ],
    });
  });

  it('a value of the wrong type gets one sentence, not also the limits of the type it should have been', async () => {
    const res = await call(s, 'POST', '/v1.0/servicePrincipals', h, {
      displayName: 'job',
      appPermissions: 'User.Read.All',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      message: '`appPermissions` must be an array, not a string.',
      target: 'appPermissions',
    });
    expect(res.json().error).not.toHaveProperty('details');
  });
});
