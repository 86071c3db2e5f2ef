import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import { checkConnectorSecret, checkSettings, checkTargetGrant, withSettingDefaults } from './connector.js';

const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('connector settings of the HTTP types (ADR 0039)', () => {
  it('takes host and port from the url, https by default', () => {
    expect(checkSettings('webhook', { url: 'https://hooks.example.com/elevate' })).toEqual(
      withSettingDefaults({
        host: 'hooks.example.com',
        port: 443,
        url: 'https://hooks.example.com/elevate',
      }),
    );
    expect(checkSettings('scim', { url: 'https://idp.example.com:8443/scim/v2' })).toMatchObject({
      host: 'idp.example.com',
      port: 8443,
      scimUserAttribute: 'userName',
      listUrl: null,
      endSessions: false,
    });
  });

  it('refuses http unless the operator allows it, and a missing url', () => {
    expect(() => checkSettings('webhook', { url: 'http://hooks.example.com/' })).toThrow(
      /^settings\.url must use https:\/\//,
    );
    expect(checkSettings('webhook', { url: 'http://hooks.example.com/' }, true)).toMatchObject({ port: 80 });
    expect(() =>
      checkSettings('webhook', { url: 'https://a.example.com/', listUrl: 'http://a.example.com/list' }),
    ).toThrow(/^settings\.listUrl must use https:\/\//);
    expect(() => checkSettings('scim', {})).toThrow('settings.url is required for webhook and scim.');
    expect(() => checkSettings('postgresql', { username: 'elevate' })).toThrow(
      'settings.host is required for postgresql, mariadb, redis and ldap.',
    );
  });

  it('keeps settings of one type out of another', () => {
    const s = checkSettings('scim', {
      url: 'https://idp.example.com/scim/v2',
      listUrl: 'https://x.example.com/',
      endSessions: true,
    });
    expect(s).toMatchObject({ listUrl: null, endSessions: false });
    expect(
      checkSettings('webhook', { url: 'https://h.example.com/', scimUserAttribute: 'externalId' }),
    ).toMatchObject({
      scimUserAttribute: null,
    });
  });

  it('wants a whsec_ secret for a webhook, any text for the others', () => {
    expect(checkConnectorSecret('webhook', WHSEC)).toBe(WHSEC);
    expect(() => checkConnectorSecret('webhook', 'hunter2')).toThrow(ValidationError);
    expect(checkConnectorSecret('scim', 'a bearer token')).toBe('a bearer token');
  });

  it('checks targets per type: a SCIM group id fits in a path, a webhook target is one word', () => {
    expect(checkTargetGrant('scim', '7f1c2a9e-1d1a-4d0a-9c1e-2f3b4c5d6e7f')).toBeTruthy();
    expect(() => checkTargetGrant('scim', '../Users')).toThrow(/SCIM group id/);
    expect(() => checkTargetGrant('scim', 'a b')).toThrow(/SCIM group id/);
    expect(() => checkTargetGrant('scim', '..')).toThrow(/SCIM group id/);
    expect(checkTargetGrant('webhook', 'billing:admins')).toBe('billing:admins');
    expect(() => checkTargetGrant('webhook', 'two words')).toThrow(/a name the receiver knows/);
  });
});
