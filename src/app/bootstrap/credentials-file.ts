import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapResult } from './bootstrap.js';

/** Where the first start leaves the credentials: `<dataDir>/bootstrap-credentials.json`. */
export function bootstrapFilePath(dataDir: string): string {
  return join(dataDir, 'bootstrap-credentials.json');
}

/**
 * Writes first-run credentials once to `<dataDir>/bootstrap-credentials.json` with mode 0600.
 * The secrets never reach the log; the log names only the file. A file left there by an earlier
 * database (its folder kept, the database replaced) is never overwritten: it is renamed
 * `bootstrap-credentials.<time>.json` first, and its new name returned as `kept`, so no secret is lost.
 */
export function writeBootstrapFile(
  dataDir: string,
  result: BootstrapResult,
  publicUrl: string,
  now: Date = new Date(),
): { path: string; kept?: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = bootstrapFilePath(dataDir);
  let kept: string | undefined;
  if (existsSync(path)) {
    kept = join(dataDir, `bootstrap-credentials.${now.toISOString().replace(/[:.]/g, '-')}.json`);
    renameSync(path, kept);
  }
  const body = {
    note: 'Created once by Elevate on first start. Store these secrets elsewhere and delete this file.',
    // Everything a first API call needs: the Graph base is `${publicUrl}/v1.0`.
    publicUrl,
    tenantId: result.tenantId,
    tokenEndpoint: `${publicUrl}/${result.tenantId}/oauth2/v2.0/token`,
    scope: `${publicUrl}/.default`,
    administrator: {
      userPrincipalName: result.admin.userPrincipalName,
      oneTimePassword: result.admin.oneTimePassword,
      mustChangeAtFirstSignIn: true,
    },
    application: {
      clientId: result.app.clientId,
      clientSecret: result.app.clientSecret,
      servicePrincipalId: result.app.servicePrincipalId,
      secretExpires: new Date(result.app.secretExpires).toISOString(),
      permissions: result.app.permissions,
    },
  };
  writeFileSync(path, JSON.stringify(body, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return kept === undefined ? { path } : { path, kept };
}
