import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createTokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import { ENTRA_STYLE_CLIENT, pythonClientSkipped, requirePythonClient } from '../helpers/python-client.js';
import { skipFor } from '../helpers/skip.js';
import { newTestApplication } from './support/in-memory-ports.js';
import { startServer } from './support/server.js';
import type { RunningServer } from './support/server.js';

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

describe(
  'the Entra-style Python client (examples/entra_style_client.py)',
  skipFor(pythonClientSkipped),
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
      requirePythonClient();
      const { principal, secret } = newTestApplication();
      server.clients.put(principal);

      const result = await runPython([
        ENTRA_STYLE_CLIENT,
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
