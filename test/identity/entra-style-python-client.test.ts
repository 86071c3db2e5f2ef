import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createTokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import { newTestApplication } from './support/in-memory-ports.js';
import { startServer } from './support/server.js';
import type { RunningServer } from './support/server.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The published client, unchanged: next to the repository (shared workspace) or inside it. */
const clientPath = [
  resolve(repoRoot, '../shared/examples/entra_style_client.py'),
  resolve(repoRoot, 'examples/entra_style_client.py'),
].find((candidate) => existsSync(candidate));

const pythonHasRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

const skipReason =
  clientPath === undefined
    ? 'entra_style_client.py not found (looked in ../shared/examples and examples/)'
    : !pythonHasRequests
      ? 'python3 with the requests package is not installed'
      : undefined;
if (skipReason !== undefined) console.warn(`Skipping the Entra-style Python client test: ${skipReason}.`);

/** Loads the client module, points its two base URLs at Elevate, and prints get_graph_token's result. */
const driver = `
import importlib.util, sys
path, base, tenant, client_id, secret = sys.argv[1:6]
spec = importlib.util.spec_from_file_location("entra_style_client", path)
client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(client)
client.LOGIN = base
client.GRAPH = base
print(client.get_graph_token(tenant, client_id, secret))
`;

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('python3', ['-c', driver, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe.skipIf(skipReason !== undefined)(
  'the Entra-style Python client (examples/entra_style_client.py)',
  () => {
    let server: RunningServer;
    const clock = new ManualClock(Date.now());

    beforeAll(async () => {
      server = await startServer(clock);
    });

    afterAll(async () => {
      await server.close();
    });

    it('gets a Graph token from Elevate with only LOGIN and GRAPH changed', async () => {
      const { principal, secret } = newTestApplication();
      server.clients.put(principal);

      const result = await runPython([
        clientPath ?? '',
        server.baseUrl,
        principal.tenantId,
        principal.appId,
        secret,
      ]);

      expect(result.code, result.stderr).toBe(0);
      const token = result.stdout.trim();
      const verifier = createTokenVerifier({
        issuer: server.baseUrl,
        audience: server.baseUrl,
        keys: server.keys,
        clock,
      });
      await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({
        kind: 'app',
        tenantId: principal.tenantId,
        objectId: principal.servicePrincipalId,
        appId: principal.appId,
        roles: principal.appPermissions,
      });
      expect(server.serverErrors).toEqual([]);
    });
  },
);
