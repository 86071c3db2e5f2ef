import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

/** A parsed RFC 5424 message. */
export interface Syslog5424 {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: { id: string; params: Record<string, string> }[];
  msg: string;
}

const TOKEN = String.raw`[\x21-\x7e]`;
const HEADER = new RegExp(
  String.raw`^<(\d{1,3})>([1-9]\d{0,2}) (-|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})) ` +
    `(${TOKEN}{1,255}) (${TOKEN}{1,48}) (${TOKEN}{1,128}) (${TOKEN}{1,32}) `,
);
const SD_NAME = /^[\x21-\x7e]+?(?=[= \]"])/;

/**
 * A strict RFC 5424 parser (§6): header fields, STRUCTURED-DATA with escaped PARAM-VALUEs, then
 * one SP and the MSG. Throws on anything that does not follow the grammar.
 */
export function parse5424(text: string): Syslog5424 {
  const h = HEADER.exec(text);
  if (!h) throw new Error(`not an RFC 5424 header: ${text.slice(0, 120)}`);
  const pri = Number(h[1]);
  if (pri > 191) throw new Error(`PRI out of range: ${pri}`);
  let i = h[0].length;
  const sd: Syslog5424['sd'] = [];
  if (text[i] === '-') i += 1;
  else {
    while (text[i] === '[') {
      i += 1;
      const id = SD_NAME.exec(text.slice(i))?.[0];
      if (!id || /[=\]" ]/.test(id) || id.length > 32) throw new Error(`bad SD-ID at ${i}`);
      i += id.length;
      const params: Record<string, string> = {};
      while (text[i] === ' ') {
        i += 1;
        const name = SD_NAME.exec(text.slice(i))?.[0];
        if (!name || name.length > 32) throw new Error(`bad PARAM-NAME at ${i}`);
        i += name.length;
        if (text.slice(i, i + 2) !== '="') throw new Error(`expected =" at ${i}`);
        i += 2;
        let value = '';
        for (;;) {
          const c = text[i];
          if (c === undefined) throw new Error('unterminated PARAM-VALUE');
          if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) {
            value += text[i + 1];
            i += 2;
          } else if (c === '"') {
            i += 1;
            break;
          } else if (c === ']') throw new Error(`unescaped ] in PARAM-VALUE at ${i}`);
          else {
            value += c;
            i += 1;
          }
        }
        params[name] = value;
      }
      if (text[i] !== ']') throw new Error(`expected ] at ${i}`);
      i += 1;
      sd.push({ id, params });
    }
    if (sd.length === 0) throw new Error('STRUCTURED-DATA missing');
  }
  let msg = '';
  if (i < text.length) {
    if (text[i] !== ' ') throw new Error(`expected SP before MSG at ${i}`);
    msg = text.slice(i + 1);
  }
  return {
    pri,
    version: Number(h[2]),
    timestamp: h[3]!,
    hostname: h[4]!,
    appName: h[5]!,
    procId: h[6]!,
    msgId: h[7]!,
    sd,
    msg,
  };
}

/** Splits an octet-counted stream (RFC 6587 §3.4.1) into messages; rest is an incomplete frame. */
export function deframe(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let at = 0;
  for (;;) {
    const space = buf.indexOf(0x20, at);
    if (space < 0) break;
    const lenText = buf.subarray(at, space).toString('ascii');
    if (!/^[1-9]\d{0,8}$/.test(lenText)) throw new Error(`bad MSG-LEN ${JSON.stringify(lenText)}`);
    const len = Number(lenText);
    if (buf.length < space + 1 + len) break;
    messages.push(buf.subarray(space + 1, space + 1 + len).toString('utf8'));
    at = space + 1 + len;
  }
  return { messages, rest: buf.subarray(at) };
}

/** A syslog TCP receiver on 127.0.0.1 that can go down and come back on the same port. */
export class TcpReceiver {
  readonly messages: string[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** When set, the receiver drops each connection after this many bytes (a crash mid-batch). */
  dropAfterBytes: number | undefined;

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      let buf: Buffer = Buffer.alloc(0);
      let seen = 0;
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (this.dropAfterBytes !== undefined && seen > this.dropAfterBytes) {
          // Keep only the frames that arrived whole before the crash, like a receiver that died.
          const keep = chunk.subarray(0, chunk.length - (seen - this.dropAfterBytes));
          const { messages } = deframe(Buffer.concat([buf, keep]));
          this.messages.push(...messages);
          this.dropAfterBytes = undefined;
          socket.resetAndDestroy();
          return;
        }
        const { messages, rest } = deframe(Buffer.concat([buf, chunk]));
        this.messages.push(...messages);
        buf = rest;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  /** An outage: stop listening and cut every open connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A syslog UDP receiver on 127.0.0.1. */
export async function udpReceiver(): Promise<{ socket: UdpSocket; port: number; messages: string[] }> {
  const socket = createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port, messages };
}

/** Waits until `check` holds (datagrams and stream reads arrive asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
