import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../domain/time/clock.js';
import type { GraphErrorBody } from './errors.js';

/** What Node's HTTP parser reports before any request object exists, and how Elevate answers it. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'RequestHeaderFieldsTooLarge',
    message: 'The request headers are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'RequestTimeout',
    message: 'The request was not received in time.',
  },
};

const MALFORMED = { status: 400, code: 'BadRequest', message: 'The request is malformed.' };

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the connection's request (headers too
 * large → 431, request not received in time → 408, anything else → 400) before Fastify made a
 * request of it, so no hook or error handler runs. Answers with the Graph envelope and the same
 * `request-id` header every response carries (a fresh id: there is no request to take one from),
 * then closes the connection, as Node does.
 */
export function makeClientErrorHandler(clock: Clock) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, code, message } = CLIENT_ERRORS[err.code ?? ''] ?? MALFORMED;
    const requestId = randomUUID();
    const body: GraphErrorBody = {
      error: {
        code,
        message,
        innerError: {
          date: new Date(clock.now()).toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    };
    const payload = JSON.stringify(body);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
          `request-id: ${requestId}\r\n` +
          'x-content-type-options: nosniff\r\n' +
          'cache-control: no-store\r\n' +
          'Connection: close\r\n\r\n' +
          payload,
      );
    }
    socket.destroy(err);
  };
}
