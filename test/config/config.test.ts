import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataKey } from '../../src/config/data-key.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/schema.js';
import { DEFAULT_GROUP_COMMIT_MAX_MEMBERS } from '../../src/store/unit-of-work.js';
import { DEFAULT_PG_PREPARED_STATEMENTS } from '../../src/store/pg-prepared.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'elevate-config-'));

describe('configuration', () => {
  it('has working defaults for the embedded set-up', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      databaseUrl: 'sqlite:./data/elevate.db',
      dataDir: './data',
      production: false,
      accessTokenTtlSeconds: 600,
      auditCheckpointIntervalMs: 60_000,
      // Privileged people register a second factor at sign-in unless the operator turns it off.
      requireMfaRegistration: true,
    });
    expect(loadConfig({ ELEVATE_REQUIRE_MFA_REGISTRATION: 'false' }).requireMfaRegistration).toBe(false);
    expect(c.outboundAllowNetworks).toBeUndefined();
    expect(
      loadConfig({ ELEVATE_OUTBOUND_ALLOW_NETWORKS: ' 10.20.0.0/16, fd00::/8,192.0.2.7 ' })
        .outboundAllowNetworks,
    ).toEqual(['10.20.0.0/16', 'fd00::/8', '192.0.2.7']);
    expect(c.dataKey).toBeUndefined();
    expect(c.auditWitnessFile).toBeUndefined();
    expect(c.auditWitnessUrl).toBeUndefined();
  });

  it.each([
    [{ ELEVATE_PORT: 'eighty' }, 'ELEVATE_PORT'],
    [{ ELEVATE_PORT: '70000' }, 'ELEVATE_PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ELEVATE_DATA_KEY: 'c2hvcnQ=' }, 'ELEVATE_DATA_KEY'],
    [{ ELEVATE_LOG_LEVEL: 'loud' }, 'ELEVATE_LOG_LEVEL'],
    [{ ELEVATE_PRODUCTION: 'maybe' }, 'ELEVATE_PRODUCTION'],
    [{ ELEVATE_ACCESS_TOKEN_TTL_SECONDS: '5' }, 'ELEVATE_ACCESS_TOKEN_TTL_SECONDS'],
    [{ ELEVATE_PUBLIC_URL: 'ftp://x' }, 'ELEVATE_PUBLIC_URL'],
    [{ ELEVATE_BOOTSTRAP_ADMIN_UPN: 'nobody' }, 'ELEVATE_BOOTSTRAP_ADMIN_UPN'],
    [{ ELEVATE_AUDIT_CHECKPOINT_INTERVAL_MS: '10' }, 'ELEVATE_AUDIT_CHECKPOINT_INTERVAL_MS'],
    [{ ELEVATE_AUDIT_WITNESS_URL: 'file:///tmp/w' }, 'ELEVATE_AUDIT_WITNESS_URL'],
    [{ ELEVATE_OUTBOUND_ALLOW_NETWORKS: '10.0.0.0/33' }, 'ELEVATE_OUTBOUND_ALLOW_NETWORKS'],
    [{ ELEVATE_OUTBOUND_ALLOW_NETWORKS: 'intranet.contoso.test' }, 'ELEVATE_OUTBOUND_ALLOW_NETWORKS'],
  ])('an invalid value %j stops start-up naming %s', (env, key) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${key}: `));
  });

  it('reads secrets from *_FILE variants, and refuses both forms at once', () => {
    const dir = tmp();
    const keyFile = join(dir, 'key');
    const key = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(keyFile, `${key}\n`);
    expect(loadConfig({ ELEVATE_DATA_KEY_FILE: keyFile }).dataKey).toBe(key);
    expect(() => loadConfig({ ELEVATE_DATA_KEY_FILE: keyFile, ELEVATE_DATA_KEY: key })).toThrow(/both set/);
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, 'missing') })).toThrow(
      /DATABASE_URL_FILE: cannot read/,
    );
    for (const s of SETTINGS.filter((x) => x.secret)) {
      const f = join(dir, s.env);
      const value: Record<string, string> = {
        DATABASE_URL: 'sqlite:/tmp/x.db',
        ELEVATE_AUDIT_FORWARD: '[{"id":"f","type":"file","path":"/tmp/a.jsonl"}]',
        ELEVATE_TRUSTED_ISSUERS: '[]',
        ELEVATE_AUDIT_WITNESS_URL: 'https://witness.example/checkpoints',
      };
      writeFileSync(f, value[s.env] ?? key);
      expect(() => loadConfig({ [`${s.env}_FILE`]: f })).not.toThrow();
    }
  });

  it('reads an optional JSON config file; the environment wins', () => {
    const dir = tmp();
    const file = join(dir, 'elevate.json');
    writeFileSync(file, JSON.stringify({ ELEVATE_PORT: 9090, ELEVATE_LOG_LEVEL: 'warn' }));
    const c = loadConfig({ ELEVATE_CONFIG_FILE: file, ELEVATE_LOG_LEVEL: 'error' });
    expect(c.port).toBe(9090);
    expect(c.logLevel).toBe('error');
    writeFileSync(file, '{not json');
    expect(() => loadConfig({ ELEVATE_CONFIG_FILE: file })).toThrow(/not valid JSON/);
  });

  it('generates the data key once into the data folder with mode 0600, and reuses it', () => {
    const dir = tmp();
    const c = loadConfig({ ELEVATE_DATA_DIR: dir });
    const first = resolveDataKey(c);
    expect(first.generated).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dir, 'data.key')).mode & 0o777).toBe(0o600);
    expect(resolveDataKey(c).key.equals(first.key)).toBe(true);
    expect(readFileSync(join(dir, 'data.key'), 'utf8').trim()).toBe(first.key.toString('base64'));
  });

  it('production mode refuses a generated key and a plain-http public URL', () => {
    const dir = tmp();
    const prod = loadConfig({ ELEVATE_DATA_DIR: dir, ELEVATE_PRODUCTION: 'true' });
    expect(() => resolveDataKey(prod)).toThrow(/ELEVATE_DATA_KEY: required/);
    expect(() =>
      loadConfig({ ELEVATE_PRODUCTION: 'true', ELEVATE_PUBLIC_URL: 'http://pim.example.com' }),
    ).toThrow(/must be https/);
    const key = Buffer.alloc(32, 1).toString('base64');
    expect(resolveDataKey(loadConfig({ ELEVATE_PRODUCTION: 'true', ELEVATE_DATA_KEY: key })).generated).toBe(
      false,
    );
  });

  it('prepared statements on PostgreSQL: 500 by default, 0 (off) to 10000', () => {
    expect(loadConfig({}).pgPreparedStatements).toBe(DEFAULT_PG_PREPARED_STATEMENTS);
    expect(loadConfig({ ELEVATE_PG_PREPARED_STATEMENTS: '0' }).pgPreparedStatements).toBe(0);
    for (const bad of ['-1', '10001', '2.5', 'off'])
      expect(() => loadConfig({ ELEVATE_PG_PREPARED_STATEMENTS: bad })).toThrow(
        /^Invalid configuration: ELEVATE_PG_PREPARED_STATEMENTS: /,
      );
  });

  it('group commit on SQLite: 32 use cases per commit by default, 1 to 1000', () => {
    expect(loadConfig({}).sqliteGroupCommitMax).toBe(DEFAULT_GROUP_COMMIT_MAX_MEMBERS);
    expect(loadConfig({ ELEVATE_SQLITE_GROUP_COMMIT_MAX: '1' }).sqliteGroupCommitMax).toBe(1);
    for (const bad of ['0', '1001', '2.5', 'on'])
      expect(() => loadConfig({ ELEVATE_SQLITE_GROUP_COMMIT_MAX: bad })).toThrow(
        /^Invalid configuration: ELEVATE_SQLITE_GROUP_COMMIT_MAX: /,
      );
  });

  it('the README documents every setting', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) expect(readme).toContain(`\`${s.env}\``);
  });
});
