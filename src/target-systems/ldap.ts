import {
  Attribute,
  Change,
  Client,
  NoSuchAttributeError,
  NoSuchObjectError,
  TypeOrValueExistsError,
} from 'ldapts';
import type { TargetCheck, TargetSystem } from '../app/connectors/ports.js';
import type { ConnectorSettings } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { describeError } from './errors.js';

/** Normal form for comparing DNs: lower case, no spaces around separators. */
const norm = (dn: string) => dn.replace(/\s*([,=])\s*/g, '$1').toLowerCase();

/**
 * LDAP (docs/connectors.md): membership of a `groupOfNames` (`member: <user DN>`), the user DN made
 * from `userDnTemplate`. Elevate binds as `username` (a DN) with the secret and needs write access
 * to the mapped groups' `member`. A `groupOfNames` must keep one member: give each mapped group a
 * placeholder member that Elevate does not manage.
 */
export function ldapTarget(s: ConnectorSettings, secret: string | null): TargetSystem {
  const where = `LDAP at ${s.host}:${s.port}`;
  const template = s.userDnTemplate ?? '{login}';
  const [prefix, suffix] = template.split('{login}') as [string, string];
  const dnOf = (login: string) => `${prefix}${login}${suffix}`;
  const loginOf = (dn: string): string | null => {
    const n = norm(dn);
    const p = norm(prefix);
    const x = norm(suffix);
    return n.startsWith(p) && n.endsWith(x) && n.length > p.length + x.length
      ? dn.replace(/\s*([,=])\s*/g, '$1').slice(p.length, n.length - x.length)
      : null;
  };

  async function session<T>(work: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ url: `ldap://${s.host}:${s.port}`, timeout: 5_000, connectTimeout: 5_000 });
    try {
      await c.bind(s.username ?? '', secret ?? '');
      return await work(c);
    } finally {
      await c.unbind().catch(() => undefined);
    }
  }
  const member = (op: 'add' | 'delete', login: string) =>
    new Change({ operation: op, modification: new Attribute({ type: 'member', values: [dnOf(login)] }) });

  return {
    async grant({ target, login }) {
      await session(async (c) => {
        try {
          await c.modify(target, member('add', login));
        } catch (e) {
          if (!(e instanceof TypeOrValueExistsError)) throw e;
        }
      });
    },

    async revoke({ target, login }) {
      await session(async (c) => {
        try {
          await c.modify(target, member('delete', login));
        } catch (e) {
          if (!(e instanceof NoSuchAttributeError)) throw e;
        }
      });
    },

    async list(targets) {
      return session(async (c) => {
        const found: ActualGrant[] = [];
        for (const target of targets) {
          try {
            const r = await c.search(target, { scope: 'base', attributes: ['member'] });
            for (const e of r.searchEntries) {
              const values = e['member'];
              const dns = values === undefined ? [] : Array.isArray(values) ? values : [values];
              for (const dn of dns) {
                const login = loginOf(dn.toString());
                if (login !== null) found.push({ target, login });
              }
            }
          } catch (e) {
            if (!(e instanceof NoSuchObjectError)) throw e;
          }
        }
        return found;
      });
    },

    async test(targets): Promise<TargetCheck> {
      try {
        return await session(async (c) => {
          for (const t of targets) {
            try {
              await c.search(t, { scope: 'base', filter: '(objectClass=groupOfNames)', attributes: ['cn'] });
            } catch (e) {
              if (e instanceof NoSuchObjectError)
                return { ok: false, message: `The mapped group "${t}" does not exist in ${where}.` };
              throw e;
            }
          }
          return {
            ok: true,
            message: `Bound to ${where} as "${s.username}"; ${targets.length} mapped group(s) found.`,
          };
        });
      } catch (e) {
        return { ok: false, message: `Could not bind to ${where} as "${s.username}": ${describeError(e)}` };
      }
    },

    close: async () => undefined,
  };
}
