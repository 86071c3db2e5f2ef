import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapResult } from './bootstrap.js';

/** Where the first start leaves the credentials: `<dataDir>/bootstrap-credentials.json`. */
export function bootstrapFilePath(dataDir: string): string {
  return join(dataDir, 'bootstrap-credentials.json');
}

/**
 * Writes first-run credentials once to `<dataDir>/bootstrap-credentials.json` with mode 0600.
 * The secrets never reach the log; the log names only the file.
 */
export function writeBootstrapFile(dataDir: string, result: BootstrapResult, publicUrl: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = bootstrapFilePath(dataDir);
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
  return path;
}
