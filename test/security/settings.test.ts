// ELEVATE_TRUSTED_PROXIES, ELEVATE_RATE_LIMIT, ELEVATE_AUTHZEN_RATE_LIMIT and
// ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS: parsing and defaults.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { DEFAULT_REFUSAL_WINDOW_MS } from '../../src/app/events/refusal-flush.js';
import { DEFAULT_API_RATE_LIMITS } from '../../src/http/rate-limit.js';

describe('throttling settings', () => {
  it('trusts no proxy by default, and the default rate limits are the documented ones', () => {
    const c = loadConfig({});
    expect(c.trustedProxies).toBeUndefined();
    expect({ graph: c.rateLimit, authzen: c.authzenRateLimit }).toEqual(DEFAULT_API_RATE_LIMITS);
    expect(c.auditRefusalWindowSeconds * 1000).toBe(DEFAULT_REFUSAL_WINDOW_MS);
  });

  it('reads the refusal window in seconds, 0 to 3600', () => {
    expect(loadConfig({ ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS: '0' }).auditRefusalWindowSeconds).toBe(0);
    for (const bad of ['-1', '3601', 'a minute'])
      expect(() => loadConfig({ ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS: bad })).toThrow(
        /^Invalid configuration: ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS: /,
      );
  });

  it('reads trusted proxies as addresses, CIDR ranges and named ranges', () => {
    const c = loadConfig({ ELEVATE_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.168.1.5,fd00::/8 ,::1,loopback, ' });
    expect(c.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8', '::1', 'loopback']);
    expect(loadConfig({ ELEVATE_TRUSTED_PROXIES: '' }).trustedProxies).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x', '*'])(
    'refuses the trusted proxy %j, naming the variable',
    (entry) => {
      expect(() => loadConfig({ ELEVATE_TRUSTED_PROXIES: `127.0.0.1,${entry}` })).toThrow(ConfigError);
      expect(() => loadConfig({ ELEVATE_TRUSTED_PROXIES: entry })).toThrow(
        /^Invalid configuration: ELEVATE_TRUSTED_PROXIES: not an IP address or CIDR range/,
      );
    },
  );

  it('reads a rate limit as requests per second and burst, ten seconds of burst by default, or off', () => {
    expect(loadConfig({ ELEVATE_RATE_LIMIT: '20,50' }).rateLimit).toEqual({ perSecond: 20, burst: 50 });
    expect(loadConfig({ ELEVATE_RATE_LIMIT: '0.5' }).rateLimit).toEqual({ perSecond: 0.5, burst: 5 });
    expect(loadConfig({ ELEVATE_RATE_LIMIT: 'off' }).rateLimit).toBeNull();
    expect(loadConfig({ ELEVATE_AUTHZEN_RATE_LIMIT: '0' }).authzenRateLimit).toBeNull();
  });

  it.each(['fast', '-1,10', '10,0', '0,10', '10,', '1e9'])('refuses the rate limit %j', (value) => {
    expect(() => loadConfig({ ELEVATE_RATE_LIMIT: value })).toThrow(
      /^Invalid configuration: ELEVATE_RATE_LIMIT: /,
    );
    expect(() => loadConfig({ ELEVATE_AUTHZEN_RATE_LIMIT: value })).toThrow(
      /^Invalid configuration: ELEVATE_AUTHZEN_RATE_LIMIT: /,
    );
  });
});
