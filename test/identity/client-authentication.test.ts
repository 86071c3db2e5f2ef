import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { ClientDirectoryAdapter } from '../../src/identity/provider/client-directory-adapter.js';
import { presentedSecretMatches } from '../../src/identity/provider/client-secret-verification.js';
import { InMemoryProviderAdapter } from '../../src/identity/provider/in-memory-provider-adapter.js';
import { canonicalResource, resolveDefaultScope } from '../../src/identity/provider/resource-scopes.js';
import {
  currentTokenRequestContext,
  runWithTokenRequestContext,
} from '../../src/identity/provider/token-request-context.js';
import { InMemoryClientDirectory, newTestApplication } from './support/in-memory-ports.js';

describe('presentedSecretMatches', () => {
  const now = 1_800_000_000_000;
  const { principal, secret } = newTestApplication();

  it('matches the right secret only, never for an empty one', () => {
    expect(presentedSecretMatches(principal, secret, now)).toBe(true);
    expect(presentedSecretMatches(principal, `${secret}x`, now)).toBe(false);
    expect(presentedSecretMatches(principal, '', now)).toBe(false);
  });

  it('treats validity as half-open and ignores disabled principals', () => {
    const expiring = { ...principal, secrets: principal.secrets.map((s) => ({ ...s, endDateTimeMs: now })) };
    expect(presentedSecretMatches(expiring, secret, now - 1)).toBe(true);
    expect(presentedSecretMatches(expiring, secret, now)).toBe(false);
    expect(presentedSecretMatches({ ...principal, accountEnabled: false }, secret, now)).toBe(false);
  });
});

describe('ClientDirectoryAdapter', () => {
  const clients = new InMemoryClientDirectory();
  const { principal, secret } = newTestApplication();
  clients.put(principal);
  const adapter = new ClientDirectoryAdapter(clients, 'unusable-placeholder');

  it('gives oidc-provider client metadata without the secret or its hashes, and stashes the principal', async () => {
    await runWithTokenRequestContext(undefined, async () => {
      const metadata = await adapter.find(principal.appId);
      expect(metadata).toEqual({
        client_id: principal.appId,
        client_name: principal.displayName,
        client_secret: 'unusable-placeholder',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
      });
      expect(JSON.stringify(metadata)).not.toContain(secret);
      expect(JSON.stringify(metadata)).not.toContain(principal.secrets[0]!.secretHash);
      expect(currentTokenRequestContext()?.principals.get(principal.appId)).toEqual(principal);
    });
  });

  it('finds nothing outside a request, for another tenant, or for an oversized id', async () => {
    expect(await adapter.find(principal.appId)).toBeUndefined();
    await runWithTokenRequestContext(crypto.randomUUID(), async () => {
      expect(await adapter.find(principal.appId)).toBeUndefined();
    });
    await runWithTokenRequestContext(principal.tenantId.toUpperCase(), async () => {
      expect(await adapter.find(principal.appId)).toBeDefined();
      expect(await adapter.find('x'.repeat(300))).toBeUndefined();
    });
  });

  it('keeps request contexts apart', async () => {
    await Promise.all([
      runWithTokenRequestContext(principal.tenantId, async () => {
        await adapter.find(principal.appId);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(currentTokenRequestContext()?.principals.size).toBe(1);
      }),
      runWithTokenRequestContext(principal.tenantId, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(currentTokenRequestContext()?.principals.size).toBe(0);
      }),
    ]);
  });
});

describe('resource scopes', () => {
  const allowed = new Set(['http://127.0.0.1:8080', 'https://graph.microsoft.com']);

  it('canonicalizes resource URIs', () => {
    expect(canonicalResource('HTTPS://Graph.Microsoft.com/')).toBe('https://graph.microsoft.com');
    expect(canonicalResource('api://a1b2')).toBe('api://a1b2');
    expect(canonicalResource('https://x.example/?q=1')).toBeUndefined();
    expect(canonicalResource('https://user:pw@x.example')).toBeUndefined();
    expect(canonicalResource('not a uri')).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:8080/.default', { resource: 'http://127.0.0.1:8080' }],
    ['https://graph.microsoft.com//.default', { resource: 'https://graph.microsoft.com' }],
    [undefined, { error: 'invalid_request' }],
    ['  ', { error: 'invalid_request' }],
    ['https://evil.example/.default', { error: 'invalid_scope' }],
    ['https://graph.microsoft.com/User.Read', { error: 'invalid_scope' }],
    ['openid https://graph.microsoft.com/.default', { error: 'invalid_scope' }],
  ])('%s → %o', (scope, expected) => {
    expect(resolveDefaultScope(scope, allowed)).toMatchObject(expected);
  });
});

describe('InMemoryProviderAdapter', () => {
  it('expires entries by the injected clock and supports lookups by uid, user code and grant', async () => {
    const clock = new ManualClock(0);
    const adapter = new InMemoryProviderAdapter('DeviceCode', clock);
    await adapter.upsert('a', { uid: 'u1', userCode: 'ABCD', grantId: 'g1' }, 10);
    await adapter.upsert('b', { grantId: 'g1' });
    expect(await adapter.findByUid('u1')).toMatchObject({ userCode: 'ABCD' });
    expect(await adapter.findByUserCode('ABCD')).toMatchObject({ uid: 'u1' });
    await adapter.consume('a');
    expect((await adapter.find('a'))?.consumed).toBe(0);
    clock.set(9_999);
    expect(await adapter.find('a')).toBeDefined();
    clock.set(10_000);
    expect(await adapter.find('a')).toBeUndefined();
    await adapter.revokeByGrantId('g1');
    expect(await adapter.find('b')).toBeUndefined();
  });
});
