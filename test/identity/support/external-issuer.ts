import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { Provider } from 'oidc-provider';
import { PUBLIC_URL } from '../../helpers/server.js';

export const EXTERNAL_CLIENT_ID = 'elevate-at-external';
export const EXTERNAL_CLIENT_SECRET = 'external-client-secret-for-tests';
export const ELEVATE_AUDIENCE = 'api://elevate';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** What the next login at the external issuer proves (its interaction handler logs in with it). */
export interface ExternalLogin {
  accountId: string;
  amr: string[];
  acr?: string;
  authTime?: number;
}

/**
 * A second, real OpenID Connect server for the tests: another oidc-provider instance listening on
 * a random port of 127.0.0.1, with one registered client for Elevate (confidential, code + PKCE),
 * a tiny interaction handler that logs in `nextLogin` at once, accounts with chosen claims, and
 * an RSA signing key published in its JWKS. `rotateKeys()` swaps in a new key (new kid) and
 * rebuilds the provider, as an issuer's key rotation does. `mint()` signs access tokens for
 * Elevate with the key the JWKS serves, so Elevate verifies them through real discovery + JWKS.
 */
export class ExternalIssuer {
  readonly accounts = new Map<string, Record<string, unknown>>();
  nextLogin: ExternalLogin = { accountId: 'alice', amr: ['pwd', 'mfa'] };
  /** Requests the issuer served, by path (discovery, JWKS, token…). */
  readonly served: string[] = [];
  private key!: SigningKey;
  private provider!: Provider;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly clientSecret: string | undefined,
  ) {}

  static async start(opts: { clientSecret?: string | null } = {}): Promise<ExternalIssuer> {
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
    const server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no port');
    const secret = opts.clientSecret === null ? undefined : (opts.clientSecret ?? EXTERNAL_CLIENT_SECRET);
    const issuer = new ExternalIssuer(server, `http://127.0.0.1:${address.port}`, secret);
    await issuer.rotateKeys();
    handle = (req, res) => void issuer.handle(req, res);
    return issuer;
  }

  get kid(): string {
    return this.key.kid;
  }

  /** A new signing key (new kid) replaces the old one, which leaves the JWKS. */
  async rotateKeys(): Promise<void> {
    this.key = await newSigningKey();
    this.provider = this.build();
  }

  /** An access token for Elevate signed with the issuer's current key (or `key`, to forge one). */
  async mint(
    claims: Record<string, unknown>,
    opts: { key?: CryptoKey; kid?: string; iss?: string; expiresInSeconds?: number; nowMs?: number } = {},
  ): Promise<string> {
    const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
    return new SignJWT({ aud: ELEVATE_AUDIENCE, ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: opts.kid ?? this.key.kid })
      .setIssuer(opts.iss ?? this.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + (opts.expiresInSeconds ?? 600))
      .sign(opts.key ?? this.key.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.served.push((req.url ?? '').split('?')[0] ?? '');
    const provider = this.provider;
    if (req.url?.startsWith('/interaction/')) {
      try {
        await provider.interactionDetails(req, res);
        const login = this.nextLogin;
        await provider.interactionFinished(
          req,
          res,
          {
            login: {
              accountId: login.accountId,
              amr: login.amr,
              ...(login.acr === undefined ? {} : { acr: login.acr }),
              ts: login.authTime ?? Math.floor(Date.now() / 1000),
            },
          },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.statusCode = 400;
        res.end(String(error));
      }
      return;
    }
    await provider.callback()(req, res);
  }

  private build(): Provider {
    const accounts = this.accounts;
    return new Provider(this.issuer, {
      clients: [
        {
          client_id: EXTERNAL_CLIENT_ID,
          ...(this.clientSecret === undefined
            ? { token_endpoint_auth_method: 'none' }
            : { client_secret: this.clientSecret }),
          redirect_uris: [`${PUBLIC_URL}/identity/federation/corp/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [this.key.jwk] },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: () => ({ sub, ...(accounts.get(sub) ?? {}) }),
      }),
      claims: {
        // amr/acr/auth_time come with `openid`, so every ID token carries how the user signed in.
        openid: ['sub', 'amr', 'acr', 'auth_time'],
        email: ['email'],
        profile: ['name', 'preferred_username', 'upn', 'groups'],
      },
      conformIdTokenClaims: false,
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      cookies: { keys: ['external-issuer-test-cookie-key'] },
      // The test account consents by signing in.
      loadExistingGrant: async (ctx) => {
        const { client, session } = ctx.oidc;
        if (client === undefined || session?.accountId === undefined) return undefined;
        const grant = new ctx.oidc.provider.Grant({
          clientId: client.clientId,
          accountId: session.accountId,
        });
        grant.addOIDCScope('openid profile email');
        grant.addOIDCClaims([
          'amr',
          'acr',
          'auth_time',
          'upn',
          'groups',
          'preferred_username',
          'email',
          'name',
        ]);
        await grant.save();
        return grant;
      },
    });
  }
}

/** A browser for the external issuer: real HTTP, cookies kept by name, redirects seen one by one. */
export class ExternalBrowser {
  private cookies = new Map<string, string>();

  /**
   * Follows redirects while they stay on `origin`; returns the first location elsewhere (the
   * redirect back to Elevate).
   */
  async followFrom(url: string, origin: string): Promise<string> {
    let current = url;
    for (let hops = 0; hops < 10; hops += 1) {
      if (!current.startsWith(origin)) return current;
      const res = await fetch(current, {
        redirect: 'manual',
        headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const header of res.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const at = pair.indexOf('=');
        const value = pair.slice(at + 1);
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header))
          this.cookies.delete(pair.slice(0, at));
        else this.cookies.set(pair.slice(0, at), value);
      }
      const location = res.headers.get('location');
      if (location === null)
        throw new Error(`no redirect from ${current}: ${res.status} ${await res.text()}`);
      current = new URL(location, current).href;
    }
    throw new Error('too many redirects at the external issuer');
  }
}
