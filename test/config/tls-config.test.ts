import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { readTlsPair } from '../../src/config/tls.js';
import { selfSignedCertificate } from '../helpers/tls-certificate.js';

describe('TLS configuration (ELEVATE_TLS_CERT_FILE, ELEVATE_TLS_KEY_FILE)', () => {
  it('is off by default: plain HTTP public URL, no files', () => {
    const c = loadConfig({});
    expect(c.tlsCertFile).toBeUndefined();
    expect(c.tlsKeyFile).toBeUndefined();
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('with both files, the default public URL is https; an explicit ELEVATE_PUBLIC_URL still wins', () => {
    const files = {
      ELEVATE_TLS_CERT_FILE: '/etc/elevate/cert.pem',
      ELEVATE_TLS_KEY_FILE: '/etc/elevate/key.pem',
    };
    expect(loadConfig({ ...files, ELEVATE_PORT: '8443' })).toMatchObject({
      tlsCertFile: '/etc/elevate/cert.pem',
      tlsKeyFile: '/etc/elevate/key.pem',
      publicUrl: 'https://127.0.0.1:8443',
    });
    expect(loadConfig({ ...files, ELEVATE_PUBLIC_URL: 'https://pim.example.com/' }).publicUrl).toBe(
      'https://pim.example.com',
    );
    // Production mode accepts the https default without a public URL of its own.
    expect(() => loadConfig({ ...files, ELEVATE_HOST: '0.0.0.0', ELEVATE_PRODUCTION: 'true' })).not.toThrow();
    expect(() => loadConfig({ ELEVATE_HOST: '0.0.0.0', ELEVATE_PRODUCTION: 'true' })).toThrow(
      /must be https/,
    );
  });

  it.each([
    [{ ELEVATE_TLS_CERT_FILE: '/c.pem' }, 'ELEVATE_TLS_KEY_FILE', 'ELEVATE_TLS_CERT_FILE'],
    [{ ELEVATE_TLS_KEY_FILE: '/k.pem' }, 'ELEVATE_TLS_CERT_FILE', 'ELEVATE_TLS_KEY_FILE'],
  ])('only one of the two (%j) stops start-up naming the missing %s', (env, missing, given) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      `Invalid configuration: ${missing}: required when ${given} is set (both or neither)`,
    );
  });

  it('reads both files from the JSON config file too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-config-'));
    const file = join(dir, 'elevate.json');
    writeFileSync(file, JSON.stringify({ ELEVATE_TLS_CERT_FILE: '/c.pem', ELEVATE_TLS_KEY_FILE: '/k.pem' }));
    expect(loadConfig({ ELEVATE_CONFIG_FILE: file })).toMatchObject({
      tlsCertFile: '/c.pem',
      publicUrl: 'https://127.0.0.1:8080',
    });
  });

  it('readTlsPair accepts a fitting pair and names the variable of a file that does not fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elevate-config-'));
    const a = selfSignedCertificate(dir, 'a');
    const b = selfSignedCertificate(dir, 'b');
    const pair = readTlsPair({ certFile: a.certFile, keyFile: a.keyFile });
    expect(pair.cert.equals(a.cert)).toBe(true);
    expect(pair.summary).toMatchObject({ subject: 'CN=Elevate test a', fingerprint256: a.fingerprint256 });
    expect(pair.summary.subjectAltName).toContain('IP Address:127.0.0.1');

    const cases: [{ certFile: string; keyFile: string }, string][] = [
      [
        { certFile: a.certFile, keyFile: b.keyFile },
        `ELEVATE_TLS_KEY_FILE: the key in ${b.keyFile} does not belong to the certificate in ${a.certFile}`,
      ],
      [
        { certFile: a.keyFile, keyFile: a.keyFile },
        `ELEVATE_TLS_CERT_FILE: ${a.keyFile} holds no PEM certificate`,
      ],
      [
        { certFile: a.certFile, keyFile: a.certFile },
        `ELEVATE_TLS_KEY_FILE: ${a.certFile} holds no unencrypted PEM private key`,
      ],
      [
        { certFile: join(dir, 'nope.pem'), keyFile: a.keyFile },
        `ELEVATE_TLS_CERT_FILE: cannot read ${join(dir, 'nope.pem')}`,
      ],
      [
        { certFile: a.certFile, keyFile: join(dir, 'nope.pem') },
        `ELEVATE_TLS_KEY_FILE: cannot read ${join(dir, 'nope.pem')}`,
      ],
    ];
    for (const [files, message] of cases) {
      expect(() => readTlsPair(files)).toThrow(ConfigError);
      expect(() => readTlsPair(files)).toThrow(`Invalid configuration: ${message}`);
    }
  });
});
