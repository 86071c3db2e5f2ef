// Invariant 7 for PIM: malformed request bodies (bad enums, negative or huge durations, impossible
// dates, wrong types, missing fields, over-long and 1 MB strings) sent to every POST here get a 4xx
// Graph envelope and persist nothing — no request, schedule, slot or audit entry.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import {
  addUser,
  adminAt,
  ASSIGNMENT_REQUESTS,
  ELIGIBILITY_REQUESTS,
  type Headers,
  ManualClock,
  pimServer,
  rowCounts,
  USER_ADMINISTRATOR,
} from './support.js';

const RUNS = 60;

/** A valid body of each action; every mutation below makes it invalid at the edge. */
const baseBody = (action: string, principalId: string): Record<string, unknown> => ({
  action,
  principalId,
  roleDefinitionId: USER_ADMINISTRATOR,
  directoryScopeId: '/',
  justification: 'because',
  scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
  ticketInfo: { ticketNumber: 'INC-1', ticketSystem: 'ServiceNow' },
});

const ACTIONS = [
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'adminExtend',
  'adminRenew',
  'selfActivate',
  'selfDeactivate',
  'selfExtend',
  'selfRenew',
];

const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
const notAnAction = fc
  .string({ maxLength: 30 })
  .filter((t) => !ACTIONS.some((a) => a.toLowerCase() === t.toLowerCase()));
const notAGuid = fc
  .string({ maxLength: 40 })
  .filter((t) => !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(t));
const badDuration = fc.constantFrom(
  'PT-1H',
  'P100000Y',
  '-P1D',
  'P1Y',
  '8 hours',
  'PT',
  'P',
  '',
  'PT1.5H',
  'P99999D',
);
const badDate = fc.constantFrom(
  '2025-13-40T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-01-01T25:00:00Z',
  '2025-01-01',
  '2025-01-01T00:00:00',
  'yesterday',
  '0000-01-01T00:00:00Z',
  '2025-01-01T00:00:00+15:00',
);
const badScope = fc.constantFrom('', 'tenant', '/administrativeUnits/x', '//', '/not-a-guid', '/'.repeat(3));
const tooLong = (n: number) => fc.constant('x'.repeat(n));

type Mutation = (b: Record<string, unknown>) => unknown;
const set =
  (path: string[], value: unknown): Mutation =>
  (b) => {
    const copy = structuredClone(b);
    let at: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
    at[path.at(-1) ?? ''] = value;
    return copy;
  };
const drop =
  (key: string): Mutation =>
  (b) => {
    const copy = structuredClone(b);
    delete copy[key];
    return copy;
  };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  notAnAction.map((v) => set(['action'], v)),
  wrongType.map((v) => set(['action'], v)),
  notAGuid.map((v) => set(['principalId'], v)),
  notAGuid.map((v) => set(['roleDefinitionId'], v)),
  badScope.map((v) => set(['directoryScopeId'], v)),
  wrongType.map((v) => set(['directoryScopeId'], v)),
  fc.constantFrom('action', 'principalId', 'roleDefinitionId', 'directoryScopeId').map(drop),
  wrongType.map((v) => set(['justification'], v)),
  tooLong(501).map((v) => set(['justification'], v)),
  tooLong(1_100_000).map((v) => set(['justification'], v)),
  badDuration.map((v) => set(['scheduleInfo', 'expiration', 'duration'], v)),
  badDate.map((v) => set(['scheduleInfo', 'startDateTime'], v)),
  badDate.map((v) => set(['scheduleInfo', 'expiration', 'endDateTime'], v)),
  fc
    .constantFrom('Forever', 'after_duration', '', 'AFTERDURATIONX')
    .map((v) => set(['scheduleInfo', 'expiration', 'type'], v)),
  wrongType.map((v) => set(['scheduleInfo', 'expiration', 'type'], v)),
  wrongType.map((v) => set(['scheduleInfo'], v === null ? 1 : v)),
  tooLong(101).map((v) => set(['ticketInfo', 'ticketNumber'], v)),
  wrongType.map((v) => set(['ticketInfo', 'ticketSystem'], v)),
  fc.constantFrom('yes', 1, null).map((v) => set(['isValidationOnly'], v)),
  fc.constantFrom('foo', 'roleAssignmentId', 'status').map((k) => set([k], 'x')),
  fc.constant(set(['appScopeId'], '/app')),
  fc.constant(set(['scheduleInfo', 'recurrence'], { pattern: {} })),
  fc.constant<Mutation>(() => []),
  fc.constant<Mutation>(() => 'adminAssign'),
  fc.constant<Mutation>(() => null),
);

describe('malformed PIM request bodies (property-based)', () => {
  let s: TestServer;
  let clock: ManualClock;
  let admin: Headers;
  let principal: string;

  beforeAll(async () => {
    ({ s, clock } = await pimServer());
    admin = await adminAt(s, clock);
    principal = await addUser(s);
  });
  afterAll(async () => s.close());

  it('every malformed body to every POST is a 4xx Graph envelope and persists nothing', async () => {
    const before = await rowCounts(s);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(ASSIGNMENT_REQUESTS, ELIGIBILITY_REQUESTS),
        fc.constantFrom(...ACTIONS),
        mutation,
        async (url, action, mutate) => {
          const payload = JSON.stringify(mutate(baseBody(action, principal)));
          const res = await s.app.inject({
            method: 'POST',
            url,
            headers: { ...admin, 'content-type': 'application/json' },
            payload,
          });
          expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          const body = res.json<{
            error: { code: string; message: string; innerError: Record<string, unknown> };
          }>();
          expect(typeof body.error.code).toBe('string');
          expect(typeof body.error.message).toBe('string');
          expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
        },
      ),
      { numRuns: RUNS },
    );
    // Cancel of ids that name nothing, with or without junk bodies.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 60 })),
        fc.oneof(fc.constant(undefined), fc.json()),
        async (id, body) => {
          const res = await s.app.inject({
            method: 'POST',
            url: `${ASSIGNMENT_REQUESTS}/${encodeURIComponent(id)}/cancel`,
            headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { payload: body }),
          });
          expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          expect(res.json<{ error: { code: string } }>().error.code).toEqual(expect.any(String));
        },
      ),
      { numRuns: RUNS },
    );
    expect(await rowCounts(s)).toEqual(before);
  });

  it('the documented casing variants are accepted (any-case input), bad enums list the allowed values', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: ELIGIBILITY_REQUESTS,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({
        Action: 'AdminAssign',
        PrincipalId: principal.toUpperCase(),
        RoleDefinitionId: USER_ADMINISTRATOR,
        DirectoryScopeId: '/',
        Justification: 'casing',
        ScheduleInfo: { StartDateTime: null, Expiration: { Type: 'AFTERDURATION', Duration: 'P1D' } },
        isValidationOnly: true,
      }),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      action: 'adminAssign',
      principalId: principal,
      isValidationOnly: true,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P1D' } },
    });
    const bad = await s.app.inject({
      method: 'POST',
      url: ELIGIBILITY_REQUESTS,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...baseBody('adminAssign', principal), action: 'promote' }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: {
        code: 'invalidRequest',
        message: expect.stringContaining(
          'adminAssign, adminUpdate, adminRemove, selfActivate, selfDeactivate',
        ),
        target: 'action',
      },
    });
  });
});
