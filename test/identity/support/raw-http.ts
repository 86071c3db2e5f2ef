import { connect } from 'node:net';

export interface RawHttpResponse {
  statusLine: string;
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

function parseHead(head: string): Omit<RawHttpResponse, 'body'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  return { statusLine, status, headers };
}

function decodeChunked(raw: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) return raw.length >= lineEnd + 4 ? Buffer.concat(parts) : undefined;
    const start = lineEnd + 2;
    if (raw.length < start + size + 2) return undefined;
    parts.push(raw.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/**
 * Writes `request` byte for byte to 127.0.0.1:`port` over a plain TCP socket and reads one HTTP/1.1
 * response (Content-Length or chunked), so tests control exactly what a client puts on the wire.
 */
export function rawHttpRequest(port: number, request: string): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw HTTP request timed out'));
    }, 10_000);
    const finish = (result: RawHttpResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const head = parseHead(received.subarray(0, headEnd).toString('latin1'));
      const rest = received.subarray(headEnd + 4);
      if (head.headers['transfer-encoding']?.toLowerCase() === 'chunked') {
        const body = decodeChunked(rest);
        if (body !== undefined) finish({ ...head, body: body.toString('utf8') });
        return;
      }
      const length = Number(head.headers['content-length'] ?? '0');
      if (rest.length >= length) finish({ ...head, body: rest.subarray(0, length).toString('utf8') });
    });
    socket.write(request);
  });
}

/** Python's `urllib.parse.quote_plus`, which `requests` uses to form-encode `data=`. */
export function pythonQuotePlus(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9_.\-~]/.test(char)) return char;
      if (char === ' ') return '+';
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * The exact request Python `requests` 2.34.2 sends for `requests.post(url, data=form)` in
 * entra_style_client.py's `get_graph_token` (captured from requests 2.34.2 against a TCP listener: same header order and values).
 */
export function pythonRequestsTokenRequest(opts: {
  port: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  host?: string;
}): string {
  const body =
    `grant_type=client_credentials&client_id=${pythonQuotePlus(opts.clientId)}` +
    `&client_secret=${pythonQuotePlus(opts.clientSecret)}&scope=http%3A%2F%2F127.0.0.1%3A${opts.port}%2F.default`;
  return (
    `POST /${opts.tenantId}/oauth2/v2.0/token HTTP/1.1\r\n` +
    `Host: ${opts.host ?? `127.0.0.1:${opts.port}`}\r\n` +
    'User-Agent: python-requests/2.34.2\r\n' +
    'Accept-Encoding: gzip, deflate\r\n' +
    'Accept: */*\r\n' +
    'Connection: keep-alive\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Content-Type: application/x-www-form-urlencoded\r\n' +
    '\r\n' +
    body
  );
}
