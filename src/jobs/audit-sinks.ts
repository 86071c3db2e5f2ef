import { createSocket } from 'node:dgram';
import { open } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { AuditSink } from '../app/audit-export/ports.js';
import { octetCounted } from '../domain/audit-export/syslog.js';

/** Longest a TCP delivery may take before the batch counts as not accepted. */
const TCP_TIMEOUT_MS = 10_000;

/** Appends one record per line and syncs the file before the batch counts as accepted. */
export function fileSink(id: string, path: string): AuditSink {
  return {
    id,
    async send(records) {
      const fh = await open(path, 'a', 0o600);
      try {
        await fh.write(records.map((r) => `${r}\n`).join(''));
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
  };
}

export interface TcpSinkOptions {
  host: string;
  port: number;
  /** TLS (RFC 5425 transport, RFC 6587 framing), verified against `ca` or the system roots. */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;
  timeoutMs?: number;
}

/**
 * Syslog over TCP (or TLS) with octet-counting framing (RFC 6587 §3.4.1). Syslog has no
 * application-level acknowledgement, so each batch uses its own connection: Elevate writes the
 * frames, half-closes, and counts the batch accepted only when the receiver closes its side in turn
 * — which it does after reading to our end of stream. A receiver that vanishes mid-batch leaves the
 * batch unaccepted, and it is sent again (at least once).
 */
export function tcpSyslogSink(id: string, o: TcpSinkOptions): AuditSink {
  return {
    id,
    send(records) {
      const payload = records.map(octetCounted).join('');
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const done = (err?: Error) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          if (err) reject(err);
          else resolve();
        };
        const onConnect = () => {
          socket.end(payload);
        };
        const socket: Socket = o.tls
          ? tlsConnect({ host: o.host, port: o.port, ...o.tls }, onConnect)
          : netConnect({ host: o.host, port: o.port }, onConnect);
        socket.setTimeout(o.timeoutMs ?? TCP_TIMEOUT_MS, () =>
          done(new Error(`syslog ${o.host}:${o.port} timed out`)),
        );
        socket.on('error', (e) => done(e));
        socket.on('data', () => undefined);
        // 'end': the peer finished its side after reading ours. A close without it is a failure.
        let peerEnded = false;
        socket.on('end', () => {
          peerEnded = true;
        });
        socket.on('close', (hadError) => {
          if (!hadError && peerEnded) done();
          else done(new Error(`syslog ${o.host}:${o.port} closed before accepting the batch`));
        });
      });
    },
  };
}

/**
 * Syslog over UDP (RFC 5426): one message per datagram, no framing. UDP confirms nothing; a batch
 * counts as accepted once the kernel took every datagram, so a receiver outage loses what was
 * sent during it. Use TCP where loss matters.
 */
export function udpSyslogSink(id: string, o: { host: string; port: number }): AuditSink {
  const socket = createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
  socket.unref();
  return {
    id,
    async send(records) {
      for (const r of records) {
        await new Promise<void>((resolve, reject) => {
          socket.send(Buffer.from(r, 'utf8'), o.port, o.host, (err) => (err ? reject(err) : resolve()));
        });
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Longest a witness URL may take to accept one checkpoint. */
const HTTP_TIMEOUT_MS = 5_000;

/**
 * A witness URL: each record is POSTed on its own as `application/json`, in order, and counts as
 * accepted on a 2xx answer. Anything else (an error status, a timeout, a refused connection)
 * rejects the batch, and the publisher sends it again on its next pass from its cursor.
 */
export function httpWitnessSink(id: string, url: string, o: { timeoutMs?: number } = {}): AuditSink {
  return {
    id,
    async send(records) {
      for (const body of records) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(o.timeoutMs ?? HTTP_TIMEOUT_MS),
        });
        // Drain the answer so the connection can be reused; its content does not matter.
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`witness ${new URL(url).host} answered ${res.status}`);
      }
    },
  };
}
