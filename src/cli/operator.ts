import { loadConfig } from '../config/load.js';
import type { Operator } from '../modules/operator.js';

/**
 * The server's database and use cases for a server-side command, from the same configuration as the
 * server. Loaded on demand: a client command (which talks HTTP only) never loads the store, the
 * database drivers or the migrations, so it starts fast.
 * @throws ConfigError on invalid configuration.
 */
export async function openConfiguredOperator(
  env: Readonly<Record<string, string | undefined>>,
): Promise<Operator> {
  const config = loadConfig(env);
  const { openOperator } = await import('../modules/operator.js');
  return openOperator(config);
}
