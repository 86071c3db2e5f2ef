import { readFileSync } from 'node:fs';
import { configSchema, SETTINGS, type Config } from './schema.js';

/** Thrown when configuration is invalid; start-up prints it and exits non-zero. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * Builds the configuration from the environment (and an optional JSON file named by
 * ELEVATE_CONFIG_FILE). Every secret also has a `*_FILE` variant that names a file to read it from.
 * @throws ConfigError naming the variable and what is wrong with it.
 */
export function loadConfig(env: Env = process.env): Config {
  const fromFile = readConfigFile(env.ELEVATE_CONFIG_FILE);
  const raw: Record<string, string | undefined> = {};
  for (const s of SETTINGS) {
    if (s.key === 'configFile') continue;
    let value = env[s.env] ?? fromFile[s.env];
    const fileVar = `${s.env}_FILE`;
    const filePath = env[fileVar] ?? fromFile[fileVar];
    if (s.secret && filePath !== undefined) {
      if (value !== undefined) throw new ConfigError(`${s.env} and ${fileVar} are both set; use one.`);
      value = readSecretFile(fileVar, filePath);
    }
    if (value === undefined && !s.default.startsWith('(')) value = s.default;
    raw[s.key] = value;
  }
  if (raw.publicUrl === 'http://{host}:{port}') raw.publicUrl = undefined;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const setting = SETTINGS.find((s) => s.key === key);
    const where = (issue?.path ?? [])
      .slice(1)
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('');
    const at = where === '' ? '' : `${where.replace(/^\./, '')}: `;
    throw new ConfigError(
      `Invalid configuration: ${setting?.env ?? key}: ${at}${issue?.message ?? 'invalid'}`,
    );
  }
  const c = parsed.data;
  if ((c.tlsCertFile === undefined) !== (c.tlsKeyFile === undefined)) {
    const [missing, other] =
      c.tlsCertFile === undefined
        ? ['ELEVATE_TLS_CERT_FILE', 'ELEVATE_TLS_KEY_FILE']
        : ['ELEVATE_TLS_KEY_FILE', 'ELEVATE_TLS_CERT_FILE'];
    throw new ConfigError(
      `Invalid configuration: ${missing}: required when ${other} is set (both or neither)`,
    );
  }
  // Serving TLS itself, Elevate is reached over https unless told otherwise.
  const scheme = c.tlsCertFile === undefined ? 'http' : 'https';
  const publicUrl = (c.publicUrl ?? `${scheme}://${c.host}:${c.port}`).replace(/\/+$/, '');
  if (
    c.production &&
    !publicUrl.startsWith('https://') &&
    !/^http:\/\/(127\.0\.0\.1|localhost)(:|$)/.test(publicUrl)
  ) {
    throw new ConfigError(
      'Invalid configuration: ELEVATE_PUBLIC_URL: must be https:// when ELEVATE_PRODUCTION=true',
    );
  }
  return { ...c, publicUrl };
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Invalid configuration: ELEVATE_CONFIG_FILE: cannot read ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid configuration: ELEVATE_CONFIG_FILE: ${path} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`Invalid configuration: ELEVATE_CONFIG_FILE: ${path} must hold a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(`Invalid configuration: ${k} (in ${path}): must be a string, number or boolean`);
    }
    out[k] = String(v);
  }
  return out;
}

function readSecretFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${path}`);
  }
}
