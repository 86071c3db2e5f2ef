import { claimsOf, freshProfile } from './auth.js';
import { ClientError, EXIT } from './exit-codes.js';
import { exchange, graphError, type JsonAnswer } from './transport.js';
import { profileName, ProfileStore, type Profile } from './profiles.js';

/** At most this many pages of a collection are followed (`@odata.nextLink`). */
const MAX_PAGES = 50;

/**
 * Elevate's Graph API as the signed-in profile: renews the access token when it is about to end
 * (and saves the renewed one), sends JSON, maps error answers to one line and an exit code.
 */
export class Graph {
  private constructor(
    /** Where a renewed token is saved; none for a sign-in kept in memory only (`elevate mcp`). */
    private readonly store: ProfileStore | undefined,
    private readonly name: string,
    private profile: Profile,
    private readonly now: () => number,
    /** Sent with every Graph call besides the token (`x-elevate-origin`, `user-agent`). */
    private readonly headers: Record<string, string> = {},
  ) {}

  /** A sign-in that lives in memory only: renewed tokens are not saved anywhere. */
  static inMemory(profile: Profile, now: () => number, headers: Record<string, string> = {}): Graph {
    return new Graph(undefined, '(none)', profile, now, headers);
  }

  /** @throws ClientError (authentication) when the profile has never signed in. */
  static open(
    env: Readonly<Record<string, string | undefined>>,
    profileOption: string | undefined,
    now: () => number,
    headers: Record<string, string> = {},
  ): Graph {
    const store = new ProfileStore(env);
    const name = profileName(profileOption, env);
    const profile = store.get(name);
    if (profile === undefined) {
      throw new ClientError(`not signed in (profile "${name}"); run \`elevate login\``, EXIT.authentication);
    }
    return new Graph(store, name, profile, now, headers);
  }

  get profileName(): string {
    return this.name;
  }

  get server(): string {
    return this.profile.server;
  }

  /**
   * Signed in at another authority for another resource (`login --authority`, Entra mode): the
   * server is Microsoft Graph, which has none of Elevate's own APIs (ARM for resource roles).
   */
  get entraMode(): boolean {
    return this.profile.resource !== undefined;
  }

  get kind(): Profile['kind'] {
    return this.profile.kind;
  }

  /** The current access token's claims (for display and for the caller's own id). */
  claims(): Record<string, unknown> {
    return claimsOf(this.profile.accessToken);
  }

  /** The caller's object id (`oid`): a user's id or an application's service principal id. */
  callerId(): string {
    const oid = this.claims().oid;
    if (typeof oid !== 'string')
      throw new ClientError('the stored token names no caller; run `elevate login`', EXIT.authentication);
    return oid;
  }

  get expiresAt(): number {
    return this.profile.expiresAt;
  }

  /** A renewal under way, which concurrent calls wait for instead of starting their own. */
  private renewing: Promise<void> | undefined;

  /**
   * Renews the token now if it is about to end. Single-flight: calls made in parallel (`roles`
   * reads three kinds at once) share one renewal, since the refresh token rotates on every use
   * and a second use of the old one is refused (ADR 0008).
   */
  ensureToken(): Promise<void> {
    this.renewing ??= (async () => {
      const fresh = await freshProfile(this.profile, this.now);
      if (fresh !== this.profile) {
        this.profile = fresh;
        this.store?.put(this.name, fresh);
      }
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /**
   * One Graph call; `path` starts with `/v1.0/` or `/beta/`, or is a whole URL (a next link).
   * @param what names the action in an error line ("activate Helpdesk Administrator").
   */
  async call<T = unknown>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    const answer = await this.send(method, path, body);
    if (answer.status >= 400) throw graphError(answer, what);
    return answer.json as T;
  }

  /**
   * One exchange with the server as the signed-in profile (token renewed first), its answer as it
   * came: the Graph calls above and the ARM client (`arm.ts`) map errors each in their own way.
   */
  async send(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
    await this.ensureToken();
    const url = path.startsWith('http') ? path : `${this.profile.server}${path}`;
    return exchange(url, {
      method,
      headers: { ...this.headers, authorization: `Bearer ${this.profile.accessToken}` },
      ...(body === undefined ? {} : { json: body }),
    });
  }

  get<T = unknown>(path: string, what: string): Promise<T> {
    return this.call<T>('GET', path, what);
  }

  /** Every item of a collection, following `@odata.nextLink`. */
  async list<T>(path: string, what: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page += 1) {
      const body: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, what);
      items.push(...(body.value ?? []));
      next = body['@odata.nextLink'];
    }
    return items;
  }
}

/** A URL query from key–value pairs, OData `$` names kept readable. */
export function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
