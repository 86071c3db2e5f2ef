import { createClient } from 'redis';
import type { TargetCheck, TargetSystem } from '../app/connectors/ports.js';
import type { ConnectorSettings } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { describeError } from './errors.js';

/** The ACL rule that takes a grant back: `on` → `off`, `+@cat` → `-@cat`. */
const undo = (rule: string) => (rule === 'on' ? 'off' : `-${rule.slice(1)}`);

/**
 * Redis ACL (docs/connectors.md): a mapping's target is `on` (the ACL user is enabled while the
 * role holds) or one `+@category` added while it holds; revoke sets `off` / `-@category` and ends
 * the user's connections with `CLIENT KILL USER`. A missing ACL user is created (disabled, no
 * permissions, before the rule) only with `createLogins`. Elevate's ACL user needs `+acl` and
 * `+client|kill`.
 */
export function redisTarget(s: ConnectorSettings, secret: string | null): TargetSystem {
  const where = `Redis at ${s.host}:${s.port}`;
  const make = () =>
    createClient({
      socket: { host: s.host, port: s.port, connectTimeout: 5_000, reconnectStrategy: false },
      ...(s.username === null ? {} : { username: s.username }),
      ...(secret === null ? {} : { password: secret }),
    });
  let client: ReturnType<typeof make> | undefined;

  async function open(): Promise<ReturnType<typeof make>> {
    if (client?.isReady === true) return client;
    if (client?.isOpen === true) client.destroy();
    const c = make();
    // Errors surface on the command that needs the connection; the client is rebuilt next time.
    c.on('error', () => undefined);
    client = c;
    await c.connect();
    return c;
  }
  const cmd = async (args: string[]) => (await open()).sendCommand(args);
  const exists = async (login: string) => (await cmd(['ACL', 'GETUSER', login])) !== null;

  return {
    async grant({ target, login }) {
      if (!(await exists(login))) {
        if (!s.createLogins) throw new Error(`The ACL user "${login}" does not exist in ${where}.`);
        await cmd(['ACL', 'SETUSER', login, 'off']);
      }
      await cmd(['ACL', 'SETUSER', login, target]);
    },

    async revoke({ target, login }) {
      if (!(await exists(login))) return;
      await cmd(['ACL', 'SETUSER', login, undo(target)]);
    },

    async list(targets) {
      const lines = (await cmd(['ACL', 'LIST'])) as unknown as string[];
      const found: ActualGrant[] = [];
      for (const line of lines) {
        const [, login, ...rules] = line.split(' ');
        if (login === undefined) continue;
        for (const t of targets) if (rules.includes(t)) found.push({ target: t, login });
      }
      return found;
    },

    async endSessions(login) {
      return Number(await cmd(['CLIENT', 'KILL', 'USER', login]));
    },

    async test(targets): Promise<TargetCheck> {
      try {
        await cmd(['PING']);
      } catch (e) {
        return {
          ok: false,
          message: `Could not sign in to ${where} as "${s.username ?? 'default'}": ${describeError(e)}`,
        };
      }
      try {
        await cmd(['ACL', 'LIST']);
      } catch (e) {
        return {
          ok: false,
          message: `"${s.username ?? 'default'}" may not manage ACL users in ${where}: ${describeError(e)}`,
        };
      }
      const categories = new Set((await cmd(['ACL', 'CAT'])) as unknown as string[]);
      for (const t of targets)
        if (t !== 'on' && !categories.has(t.slice(2)))
          return {
            ok: false,
            message: `The mapped ACL category "${t.slice(2)}" does not exist in ${where}.`,
          };
      return { ok: true, message: `Connected to ${where}; ${targets.length} mapped rule(s) valid.` };
    },

    async close() {
      if (client?.isOpen === true) client.destroy();
      client = undefined;
    },
  };
}
