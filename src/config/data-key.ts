import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './load.js';
import type { Config } from './schema.js';

export interface DataKey {
  key: Buffer;
  generated: boolean;
}

/**
 * The data-encryption key: from configuration, or generated once into `<dataDir>/data.key` (mode 0600).
 * No default key ships. Production mode refuses a generated key, so operators must provide one
 * from their secret manager.
 * @throws ConfigError in production without a configured key.
 */
export function resolveDataKey(config: Config): DataKey {
  if (config.dataKey !== undefined) return { key: Buffer.from(config.dataKey, 'base64'), generated: false };
  if (config.production) {
    throw new ConfigError('Invalid configuration: ELEVATE_DATA_KEY: required when ELEVATE_PRODUCTION=true');
  }
  const path = join(config.dataDir, 'data.key');
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new ConfigError(`Invalid configuration: ${path} does not hold a 32-byte key`);
    return { key, generated: true };
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key, generated: true };
}
