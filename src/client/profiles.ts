import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClientError, EXIT } from './exit-codes.js';

/** How a profile signs in again when its access token ends. */
export type Profile = UserProfile | AppProfile;

interface ProfileBase {
  server: string;
  /** The server's issuer, the resource its tokens are for. */
  issuer: string;
  /** The tenant's token endpoint, from discovery at login. */
  tokenEndpoint: string;
  /**
   * The resource tokens are asked for (`<resource>/.default`) when it is not the issuer: with
   * `login --authority` (Entra: `https://graph.microsoft.com`).
   */
  resource?: string;
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Signed in as a person with the device flow; renews with its refresh token. */
export interface UserProfile extends ProfileBase {
  kind: 'user';
  clientId: string;
  refreshToken?: string;
}

/** Signed in as an application with client credentials; renews with its secret. */
export interface AppProfile extends ProfileBase {
  kind: 'app';
  clientId: string;
  /** The secret itself (in this 0600 file) or, when it was given as a file, that file's path. */
  clientSecret?: string;
  clientSecretFile?: string;
}

interface ProfilesFile {
  profiles: Record<string, Profile>;
}

/** `$XDG_CONFIG_HOME/elevate`, else `~/.config/elevate`. */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'elevate');
}

/** The profile a command uses: `--profile`, else `ELEVATE_PROFILE`, else `default`. */
export function profileName(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const name = option ?? env.ELEVATE_PROFILE ?? 'default';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new ClientError(`invalid profile name "${name}": letters, digits, . _ - only`, EXIT.usage);
  }
  return name;
}

/**
 * The sign-ins of this user, one file (`credentials.json`, mode 0600, in a 0700 folder): tokens
 * and client secrets are bearer credentials, readable by this user only.
 */
export class ProfileStore {
  private readonly dir: string;
  private readonly file: string;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.dir = configDir(env);
    this.file = join(this.dir, 'credentials.json');
  }

  get path(): string {
    return this.file;
  }

  private read(): ProfilesFile {
    if (!existsSync(this.file)) return { profiles: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<ProfilesFile>;
      return { profiles: parsed.profiles ?? {} };
    } catch (error) {
      throw new ClientError(
        `cannot read ${this.file}: ${error instanceof Error ? error.message : String(error)}`,
        EXIT.general,
      );
    }
  }

  private write(content: ProfilesFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    // Written beside, then renamed: a crash never leaves half a file, and the mode is set before
    // any secret is in it.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  get(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  names(): string[] {
    return Object.keys(this.read().profiles).sort();
  }

  put(name: string, profile: Profile): void {
    const content = this.read();
    content.profiles[name] = profile;
    this.write(content);
  }

  /** Removes the profile; true when there was one. */
  remove(name: string): boolean {
    const content = this.read();
    if (!(name in content.profiles)) return false;
    delete content.profiles[name];
    this.write(content);
    return true;
  }
}
