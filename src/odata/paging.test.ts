import { describe, expect, it } from 'vitest';
import { nextLink } from './next-link.js';
import { ODataError } from './odata-error.js';
import { decodeSkipToken, encodeSkipToken } from './skip-token.js';

describe('skip tokens', () => {
  it.each([0, 1, 100, 2_147_483_647])('round-trips offset %i', (offset) => {
    const token = encodeSkipToken(offset);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSkipToken(token)).toBe(offset);
  });

  const forged = (payload: string): string => Buffer.from(payload).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'djE6MTA=+/'],
    ['other version', forged('v2:10')],
    ['negative', forged('v1:-1')],
    ['leading zero', forged('v1:010')],
    ['too large', forged('v1:2147483648')],
    ['trailing data', forged('v1:10 ')],
    ['non-canonical spelling', `${encodeSkipToken(10)}A`],
    ['long', 'A'.repeat(1000)],
  ])('rejects %s', (_name, token) => {
    expect(() => decodeSkipToken(token)).toThrow(ODataError);
    expect(() => decodeSkipToken(token)).toThrow('The $skiptoken is invalid or has expired.');
  });
});

describe('nextLink', () => {
  const token = encodeSkipToken(40);
  it.each([
    [
      "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$filter=principalId eq 'x'&$top=20",
      'https://pim.example.com',
      `https://pim.example.com/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$filter=principalId%20eq%20%27x%27&$top=20&$skiptoken=${token}`,
    ],
    [
      `/v1.0/users?$top=20&$skip=20&%24SkipToken=${encodeSkipToken(20)}&$select=id`,
      'https://pim.example.com/',
      `https://pim.example.com/v1.0/users?$top=20&$select=id&$skiptoken=${token}`,
    ],
    ['/v1.0/users', 'https://example.com/pim/', `https://example.com/pim/v1.0/users?$skiptoken=${token}`],
    [
      'http://evil.example/v1.0/users?a=1#frag',
      'https://pim.example.com',
      `https://pim.example.com/v1.0/users?a=1&$skiptoken=${token}`,
    ],
    [
      '//evil.example/v1.0/users?$top=1&&',
      'https://pim.example.com',
      `https://pim.example.com/v1.0/users?$top=1&$skiptoken=${token}`,
    ],
  ])('%s', (requestUrl, baseUrl, expected) => {
    expect(nextLink(requestUrl, baseUrl, 40)).toBe(expected);
  });

  it('keeps options a client can read back', () => {
    const link = new URL(nextLink("/v1.0/x?$filter=a eq 'b+c'&$orderby=a desc", 'https://h', 7));
    expect(Object.fromEntries(link.searchParams)).toEqual({
      $filter: "a eq 'b c'",
      $orderby: 'a desc',
      $skiptoken: encodeSkipToken(7),
    });
  });
});
