import { deviceSignIn, discover, discoveryOf } from './auth.js';
import type { Context } from './context.js';
import { ClientError } from './exit-codes.js';
import { Graph } from './graph.js';
import { paint } from './output.js';
import { profileName, ProfileStore } from './profiles.js';

/** The refusal of an activation that needs a recent multi-factor sign-in (`MfaRule`). */
export function needsFreshMfa(error: unknown): boolean {
  return (
    error instanceof ClientError &&
    /RoleAssignmentRequestPolicyValidationFailed/.test(error.message) &&
    /MfaRule/.test(error.message)
  );
}

/**
 * Step-up for a person: the device sign-in again (the prompt on standard error), where the sign-in
 * pages ask for the second factor; the new tokens replace the profile's. Returns the renewed Graph.
 */
export async function stepUpSignIn(
  ctx: Context,
  graph: Graph,
  profileOption: string | undefined,
): Promise<Graph> {
  const name = profileName(profileOption, ctx.run.env);
  const store = new ProfileStore(ctx.run.env);
  const known = store.get(name);
  // The same authority, public client and resource as the first sign-in (Entra mode included).
  const discovery = known?.kind === 'user' ? discoveryOf(known) : await discover(graph.server, undefined);
  const profile = await deviceSignIn(graph.server, discovery, {
    ...(known?.kind === 'user' ? { clientId: known.clientId } : {}),
    ...(known?.resource === undefined ? {} : { resource: known.resource }),
    now: ctx.now,
    sleep: ctx.sleep,
    prompt: (p) =>
      ctx.out.note(
        `To sign in with your second factor, open ${p.verificationUri} in a browser and enter the code ` +
          `${paint(ctx.out, 'bold', p.userCode)} (valid ${Math.round(p.expiresInSeconds / 60)} minutes).`,
      ),
  });
  store.put(name, profile);
  return Graph.open(ctx.run.env, profileOption, ctx.now);
}
