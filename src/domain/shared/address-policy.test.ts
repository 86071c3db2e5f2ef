import { describe, expect, it } from 'vitest';
import { addressPolicy, embeddedIpv4, parseNetwork, refusalMessage } from './address-policy.js';

describe('the outbound address policy', () => {
  const strict = addressPolicy();

  it('allows public addresses, IPv4 and IPv6', () => {
    for (const a of [
      '8.8.8.8',
      '1.1.1.1',
      '151.101.1.69',
      '2606:4700:4700::1111',
      '2a00:1450:4001:82a::200e',
    ])
      expect(strict.allows(a), a).toBe(true);
  });

  it('refuses loopback, private, link-local (cloud metadata), shared, reserved and multicast addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '2001:db8::1',
    ])
      expect(strict.allows(a), a).toBe(false);
    // The edges of a range: just outside it is public.
    expect(strict.allows('172.15.255.255')).toBe(true);
    expect(strict.allows('172.32.0.0')).toBe(true);
    expect(strict.allows('100.128.0.0')).toBe(true);
  });

  it('judges an IPv6 spelling of an IPv4 address as that address', () => {
    expect(embeddedIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('64:ff9b::a00:1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2002:c0a8:101::1')).toBe('192.168.1.1');
    expect(embeddedIpv4('::1')).toBeUndefined();
    expect(embeddedIpv4('2606:4700::1')).toBeUndefined();
    for (const a of [
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::10.0.0.1',
      '2002:0a00:0001::1',
      '::10.0.0.1',
    ])
      expect(strict.allows(a), a).toBe(false);
    expect(strict.allows('::ffff:8.8.8.8')).toBe(true);
    expect(strict.allows('64:ff9b::808:808')).toBe(true);
  });

  it('allows exactly the networks the operator lists, in either spelling', () => {
    const p = addressPolicy(['10.20.0.0/16', '127.0.0.1', 'fd00:1::/64']);
    expect(p.allows('10.20.9.9')).toBe(true);
    expect(p.allows('10.21.0.1')).toBe(false);
    expect(p.allows('127.0.0.1')).toBe(true);
    expect(p.allows('127.0.0.2')).toBe(false);
    expect(p.allows('::ffff:127.0.0.1')).toBe(true);
    expect(p.allows('fd00:1::5')).toBe(true);
    expect(p.allows('fd00:2::5')).toBe(false);
    expect(p.allows('169.254.169.254')).toBe(false);
    expect(p.allows('8.8.8.8')).toBe(true);
  });

  it('refuses what is not an IP address', () => {
    expect(strict.allows('localhost')).toBe(false);
    expect(strict.allows('')).toBe(false);
  });

  it('reads networks as the operator writes them, and names what is wrong', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseNetwork(' fd00::/8 ')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
    expect(parseNetwork('192.0.2.7')).toEqual({ address: '192.0.2.7', prefix: 32, family: 'ipv4' });
    expect(() => parseNetwork('10.0.0.0/33')).toThrow(/from 0 to 32/);
    expect(() => parseNetwork('10.0.0.0/8/1')).toThrow(/not an IP address/);
    expect(() => parseNetwork('intranet')).toThrow(/not an IP address/);
    expect(() => parseNetwork('10.0.0.0/x')).toThrow(/whole number/);
    expect(() => addressPolicy(['::/129'])).toThrow(/from 0 to 128/);
  });

  it('says why, naming the setting that allows it', () => {
    expect(refusalMessage('10.0.0.1', '10.0.0.1')).toMatch(
      /^10\.0\.0\.1 is not a public address .*ELEVATE_OUTBOUND_ALLOW_NETWORKS$/,
    );
    expect(refusalMessage('hooks.internal', '10.0.0.1')).toMatch(
      /^hooks\.internal resolves to 10\.0\.0\.1, which is not a public address/,
    );
  });
});
