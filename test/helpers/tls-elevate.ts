import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { createElevate, type Elevate } from '../../src/compose.js';
import type { BootstrapResult } from '../../src/app/bootstrap/bootstrap.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { freshDb } from './db.js';

/** A free TCP port on 127.0.0.1 (the public URL, hence the issuer, must be known before start). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface TlsElevate extends Elevate {
  /** `https://127.0.0.1:<port>` */
  base: string;
  port: number;
  boot: BootstrapResult;
  close(): Promise<void>;
}

/**
 * A whole Elevate serving HTTPS itself with the given certificate files, listening on 127.0.0.1
 * over a fresh database, as `main.ts` runs it.
 */
export async function startTlsElevate(o: {
  certFile: string;
  keyFile: string;
  reloadIntervalMs?: number;
  logger?: Logger;
}): Promise<TlsElevate> {
  const port = await freePort();
  const base = `https://127.0.0.1:${port}`;
  const db = await freshDb();
  const elevate = await createElevate({
    db,
    box: createSecretBox(randomBytes(32)),
    clock: systemClock,
    logger: o.logger ?? false,
    publicUrl: base,
    accessTokenTtlSeconds: 600,
    bootstrapAdminUpn: 'admin@contoso.test',
    outboxRelayIntervalMs: 0,
    tls: {
      certFile: o.certFile,
      keyFile: o.keyFile,
      ...(o.reloadIntervalMs === undefined ? {} : { reloadIntervalMs: o.reloadIntervalMs }),
    },
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const boot = elevate.bootstrapped;
  if (!boot) throw new Error('a fresh database must bootstrap');
  await elevate.app.listen({ host: '127.0.0.1', port });
  return {
    ...elevate,
    base,
    port,
    boot,
    async close() {
      await elevate.app.close();
      await db.drop();
    },
  };
}

export interface HttpsAnswer {
  status: number;
  body: string;
  /** Fingerprint of the certificate the server presented on this (new) connection. */
  peerFingerprint256: string;
}

/**
 * One GET over a new TLS connection (no keep-alive agent) trusting only `ca`; rejects when the
 * server's certificate does not verify against it.
 */
export function httpsGet(url: string, ca: Buffer): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      const socket = res.socket as TLSSocket;
      const peerFingerprint256 = socket.getPeerCertificate().fingerprint256;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peerFingerprint256 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
