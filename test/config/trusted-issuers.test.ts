import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const issuer = {
  id: 'corp',
  displayName: 'Contoso Entra ID',
  issuer: 'https://login.microsoftonline.com/0b5f0d1c-1111-4222-8333-944445555666/v2.0',
  audience: 'api://elevate',
};
const load = (list: unknown) => loadConfig({ ELEVATE_TRUSTED_ISSUERS: JSON.stringify(list) });

describe('ELEVATE_TRUSTED_ISSUERS', () => {
  it('is empty by default and fills in the documented defaults', () => {
    expect(loadConfig({}).trustedIssuers).toEqual([]);
    expect(load([issuer]).trustedIssuers).toEqual([
      {
        ...issuer,
        userClaim: 'preferred_username',
        onFirstSignIn: 'link',
        groupMap: {},
        mfaAmrValues: ['mfa'],
        mfaAcrValues: [],
      },
    ]);
  });

  it.each([
    ['not JSON', '{', /ELEVATE_TRUSTED_ISSUERS: must be a JSON array of issuers/],
    [
      'plain http elsewhere than localhost',
      [{ ...issuer, issuer: 'http://idp.example.com' }],
      /\[0\]\.issuer: must be https/,
    ],
    ['a bad id', [{ ...issuer, id: 'Not A Slug' }], /\[0\]\.id: /],
    ['an unknown field', [{ ...issuer, secret: 'x' }], /ELEVATE_TRUSTED_ISSUERS: /],
    ['a secret without client id', [{ ...issuer, clientSecret: 's' }], /clientSecret needs clientId/],
    [
      'a group map without claim',
      [{ ...issuer, groupMap: { admins: '6e4b2a1c-1111-4222-8333-944445555666' } }],
      /groupMap needs groupsClaim/,
    ],
    [
      'a group map to a non-GUID',
      [{ ...issuer, groupsClaim: 'groups', groupMap: { admins: 'x' } }],
      /must be a GUID/,
    ],
    ['a bad first sign-in mode', [{ ...issuer, onFirstSignIn: 'invite' }], /onFirstSignIn/],
    [
      'duplicate ids',
      [issuer, { ...issuer, issuer: 'https://other.example.com' }],
      /issuer ids must be distinct/,
    ],
    ['duplicate issuers', [issuer, { ...issuer, id: 'other' }], /issuer URLs must be distinct/],
  ])('refuses %s, naming the setting', (_name, list, message) => {
    const run = () =>
      loadConfig({ ELEVATE_TRUSTED_ISSUERS: typeof list === 'string' ? list : JSON.stringify(list) });
    expect(run).toThrow(/^Invalid configuration: ELEVATE_TRUSTED_ISSUERS: /);
    expect(run).toThrow(message);
  });

  it('accepts plain http on the loopback interface (development and tests)', () => {
    const c = load([{ ...issuer, issuer: 'http://127.0.0.1:9999', clientId: 'elevate' }]);
    expect(c.trustedIssuers[0]?.issuer).toBe('http://127.0.0.1:9999');
  });
});
