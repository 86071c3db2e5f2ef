import type { Command } from 'commander';
import { appSignIn, claimsOf, deviceSignIn, discover, readSecretFile, revoke } from '../auth.js';
import type { ClientRun } from '../client-run.js';
import { clientCommand, contextOf, type CommonOptions } from '../context.js';
import { ClientError, EXIT } from '../exit-codes.js';
import { profileName, ProfileStore, type Profile } from '../profiles.js';
import { myInstances, roleNameOf } from '../roles.js';
import { keyValues, paint, when } from '../output.js';

interface LoginOptions extends CommonOptions {
  server?: string;
  tenant?: string;
  authority?: string;
  resource?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  publicClient?: string;
}

/** `https://host/` → `https://host`; anything that is not an http(s) URL is a usage error. */
export function serverUrl(text: string, option = '--server'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClientError(
      `${option} must be a URL such as https://elevate.example.com, got "${text}"`,
      EXIT.usage,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ClientError(`${option} must be an http(s) URL, got "${text}"`, EXIT.usage);
  }
  return url.href.replace(/\/+$/, '');
}

/** What `login` and `whoami` print about a sign-in. */
function identityOf(name: string, profile: Profile) {
  const claims = claimsOf(profile.accessToken);
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    profile: name,
    server: profile.server,
    kind: profile.kind,
    principalId: str(claims.oid),
    tenantId: str(claims.tid),
    name: str(claims.upn) ?? str(claims.name) ?? str(claims.appid) ?? profile.clientId,
    expiresAt: new Date(profile.expiresAt).toISOString(),
  };
}

export function registerSessionCommands(program: Command, run: ClientRun): void {
  clientCommand(
    program,
    'login',
    'Sign in: in a browser with a one-time code, or as an application with its secret.',
  )
    .option('-s, --server <url>', "the Elevate server (default: the profile's, or $ELEVATE_SERVER)")
    .option('-t, --tenant <id>', "the tenant id or domain (default: the server's own tenant)")
    .option(
      '--authority <url>',
      'sign in at this OpenID authority instead of the server (Entra: https://login.microsoftonline.com/<tenant>/v2.0)',
    )
    .option(
      '--resource <uri>',
      'with --authority: the resource tokens are for',
      'https://graph.microsoft.com',
    )
    .option('--client-id <id>', 'sign in as this application (client credentials)')
    .option(
      '--client-secret <secret>',
      "the application's secret (prefer --client-secret-file or $ELEVATE_CLIENT_SECRET)",
    )
    .option('--client-secret-file <path>', "read the application's secret from this file")
    .option(
      '--public-client <id>',
      'a person signs in through this public client (default: elevate-portal; with --authority: required, the app registration allowing public client flows)',
    )
    .action(async (opts: LoginOptions) => {
      const ctx = contextOf(run, opts);
      const store = new ProfileStore(run.env);
      const name = profileName(opts.profile, run.env);
      const known = store.get(name);
      const given = opts.server ?? run.env.ELEVATE_SERVER ?? known?.server;
      if (given === undefined)
        throw new ClientError('no server: pass --server <url> (or set ELEVATE_SERVER)', EXIT.usage);
      const server = serverUrl(given);
      if (opts.authority !== undefined && opts.tenant !== undefined) {
        throw new ClientError('give --tenant or --authority, not both', EXIT.usage);
      }
      const authority = opts.authority === undefined ? undefined : serverUrl(opts.authority, '--authority');
      const discovery = await discover(server, opts.tenant, authority);
      let profile: Profile;
      const envSecret = run.env.ELEVATE_CLIENT_SECRET;
      if (opts.clientId !== undefined) {
        if (opts.publicClient !== undefined) {
          throw new ClientError(
            'give --client-id (an application) or --public-client (a person), not both',
            EXIT.usage,
          );
        }
        if (opts.clientSecret !== undefined && opts.clientSecretFile !== undefined) {
          throw new ClientError('give --client-secret or --client-secret-file, not both', EXIT.usage);
        }
        let secret: { clientSecret?: string; clientSecretFile?: string };
        if (opts.clientSecretFile !== undefined) {
          readSecretFile(opts.clientSecretFile); // fails now, not at the first renewal
          secret = { clientSecretFile: opts.clientSecretFile };
        } else if ((opts.clientSecret ?? envSecret) !== undefined) {
          secret = { clientSecret: opts.clientSecret ?? envSecret };
        } else {
          throw new ClientError(
            '--client-id needs --client-secret, --client-secret-file or $ELEVATE_CLIENT_SECRET',
            EXIT.usage,
          );
        }
        const resource = authority === undefined ? undefined : opts.resource;
        profile = await appSignIn(server, discovery, opts.clientId, secret, ctx.now, resource);
      } else {
        if (opts.clientSecret !== undefined || opts.clientSecretFile !== undefined) {
          throw new ClientError('--client-secret and --client-secret-file need --client-id', EXIT.usage);
        }
        // Entra has no client of Elevate's: the tenant's own registration is named, never guessed.
        if (authority !== undefined && opts.publicClient === undefined) {
          throw new ClientError(
            '--authority needs --client-id with a secret (an application) or --public-client <app id> (a person)',
            EXIT.usage,
          );
        }
        profile = await deviceSignIn(server, discovery, {
          ...(opts.publicClient === undefined ? {} : { clientId: opts.publicClient }),
          ...(authority === undefined ? {} : { resource: opts.resource }),
          now: ctx.now,
          sleep: ctx.sleep,
          prompt: (p) =>
            ctx.out.note(
              `To sign in, open ${p.verificationUri} in a browser and enter the code ${paint(ctx.out, 'bold', p.userCode)}` +
                ` (valid ${Math.round(p.expiresInSeconds / 60)} minutes).`,
            ),
        });
      }
      store.put(name, profile);
      const who = identityOf(name, profile);
      if (ctx.out.json) ctx.out.printJson(who);
      else ctx.out.print(`Signed in to ${who.server} as ${who.name} (profile ${name}).`);
    });

  clientCommand(program, 'logout', 'Forget a sign-in (and revoke its refresh token on the server).')
    .option('--all', 'forget every profile')
    .action(async (opts: CommonOptions & { all?: boolean }) => {
      const ctx = contextOf(run, opts);
      const store = new ProfileStore(run.env);
      const names = opts.all ? store.names() : [profileName(opts.profile, run.env)];
      const removed: string[] = [];
      for (const name of names) {
        const profile = store.get(name);
        if (profile === undefined) continue;
        await revoke(profile);
        store.remove(name);
        removed.push(name);
      }
      if (ctx.out.json) ctx.out.printJson({ removed });
      else ctx.out.print(removed.length ? `Signed out: ${removed.join(', ')}.` : 'Not signed in.');
    });

  clientCommand(
    program,
    'whoami',
    'Who this profile is signed in as, where, until when, and the roles active now.',
  ).action(async (opts: CommonOptions) => {
    const ctx = contextOf(run, opts);
    const graph = ctx.graph();
    await graph.ensureToken();
    const store = new ProfileStore(run.env);
    const profile = store.get(graph.profileName) as Profile;
    const wids = graph.claims().wids;
    const ids = Array.isArray(wids) ? wids.filter((w): w is string => typeof w === 'string') : [];
    // The names of the roles in `wids`, from the caller's own assignments (anyone may read those).
    const names = new Map<string, string>();
    for (const i of await myInstances(graph, 'assignment')) names.set(i.roleDefinitionId, roleNameOf(i));
    const who = {
      ...identityOf(graph.profileName, profile),
      activeRoles: ids.map((id) => ({ id, displayName: names.get(id) ?? null })),
    };
    if (ctx.out.json) return ctx.out.printJson(who);
    ctx.out.print(
      keyValues(ctx.out, [
        ['signed in as', `${who.name} (${who.kind}, ${who.principalId ?? '?'})`],
        ['tenant', who.tenantId ?? '?'],
        ['server', who.server],
        ['profile', who.profile],
        ['token until', when(who.expiresAt)],
        ['roles active', who.activeRoles.map((r) => r.displayName ?? r.id).join(', ') || '(none)'],
      ]),
    );
  });
}
