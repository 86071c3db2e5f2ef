import { createServer } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../src/domain/time/clock.js';
import { createAuthorizationServer } from '../../../src/identity/provider/authorization-server.js';
import type {
  AuthorizationServer,
  AuthorizationServerOptions,
} from '../../../src/identity/provider/authorization-server.js';
import { InMemoryClientDirectory, InMemorySigningKeyStore, noActiveRoles } from './in-memory-ports.js';

export interface RunningServer {
  app: FastifyInstance;
  authorizationServer: AuthorizationServer;
  baseUrl: string;
  port: number;
  clients: InMemoryClientDirectory;
  keys: InMemorySigningKeyStore;
  serverErrors: unknown[];
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the issuer must be known before the routes are registered). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * A real Fastify server on 127.0.0.1 with the authorization server mounted, plus two unrelated
 * routes (one GET, one JSON POST) to prove they are unaffected.
 */
export async function startServer(
  clock: Clock,
  options: Partial<Omit<AuthorizationServerOptions, 'issuer' | 'clients' | 'keys' | 'clock'>> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const clients = new InMemoryClientDirectory();
  const keys = new InMemorySigningKeyStore();
  const serverErrors: unknown[] = [];
  const authorizationServer = createAuthorizationServer({
    issuer: baseUrl,
    clients,
    activeRoles: noActiveRoles,
    keys,
    clock,
    onServerError: (error) => serverErrors.push(error),
    ...options,
    tenants: options.tenants ?? clients,
  });
  const app = Fastify({ logger: false });
  app.get('/v1.0/ping', () => ({ pong: true }));
  app.post('/v1.0/echo', (request) => ({ received: request.body }));
  await authorizationServer.registerAuthorizationRoutes(app);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    authorizationServer,
    baseUrl,
    port,
    clients,
    keys,
    serverErrors,
    close: () => app.close(),
  };
}
