// The layers of Elevate and which may import which: the one source of the arrows. eslint.config.js
// turns it into lint rules (CI fails on a wrong arrow), and docs/architecture.md shows it as a
// table (`npm run docs:architecture`; a test fails when the two differ).

/**
 * @typedef {object} Layer
 * @property {string} path      folder (or file) under src/, without extension
 * @property {string} role      one line: what lives there
 * @property {string[]} imports layers it may import (besides itself)
 * @property {string[]} [bans]  packages it must not import
 */

const persistence = ['kysely', 'better-sqlite3', 'pg'];
const edge = ['fastify', 'oidc-provider', 'openid-client', '@simplewebauthn/server', 'jose'];

/** @type {Record<string, Layer>} */
export const LAYERS = {
  domain: {
    path: 'domain',
    role: 'pure types and rules: policy evaluation, the PIM action table, statuses at a time, audit hashing, events',
    imports: [],
    bans: [...persistence, ...edge, 'pino', 'zod', 'commander'],
  },
  odata: {
    path: 'odata',
    role: 'the OData subset: parsing at the edge, compiling to Kysely in the store (ADR 0002)',
    imports: ['domain'],
    bans: [...edge, 'pino'],
  },
  app: {
    path: 'app',
    role: 'use cases, one transaction each, and the ports they need',
    imports: ['domain', 'odata'],
    bans: [...persistence, ...edge, 'pino', 'zod', 'commander'],
  },
  store: {
    path: 'store',
    role: 'Kysely over SQLite or PostgreSQL; implements the ports of app/ (and identity/ports)',
    imports: ['domain', 'odata', 'app', 'identity'],
    bans: ['fastify', 'pino', 'commander'],
  },
  identity: {
    path: 'identity',
    role: 'the embedded OAuth/OIDC server, token verification, sign-in pages, passkeys, federation',
    imports: ['domain', 'app', 'config'],
    bans: [...persistence, 'commander'],
  },
  http: {
    path: 'http',
    role: 'Fastify: routes, request and response schemas, the Graph envelope, OData at the edge',
    imports: ['domain', 'odata', 'app', 'identity'],
    bans: [...persistence, 'commander'],
  },
  jobs: {
    path: 'jobs',
    role: 'background loops (expiry sweeper, outbox relay, audit forwarding) and their sinks',
    imports: ['domain', 'app', 'config', 'net'],
    bans: [...persistence, ...edge],
  },
  targetSystems: {
    path: 'target-systems',
    role: 'drivers of the target systems connectors grant into (PostgreSQL, MariaDB, Redis, LDAP) and their metrics (ADR 0030)',
    imports: ['domain', 'app', 'net'],
    bans: ['kysely', 'better-sqlite3', ...edge, 'zod', 'commander'],
  },
  net: {
    path: 'net',
    role: 'outbound HTTP to URLs administrators configure, through the address policy (ADR 0052)',
    imports: ['domain'],
    bans: [...persistence, ...edge, 'pino', 'zod', 'commander'],
  },
  config: {
    path: 'config',
    role: 'environment and file configuration, validated',
    imports: ['domain'],
    bans: [...persistence, ...edge],
  },
  modules: {
    path: 'modules',
    role: 'the feature modules (stores, use cases, routes of each feature) and the kernel they share',
    imports: [
      'domain',
      'odata',
      'app',
      'store',
      'identity',
      'http',
      'jobs',
      'config',
      'targetSystems',
      'net',
    ],
  },
  compose: {
    path: 'compose',
    role: 'the composition root: kernel, identity, modules, jobs, the HTTP app',
    imports: [
      'domain',
      'odata',
      'app',
      'store',
      'identity',
      'http',
      'jobs',
      'config',
      'targetSystems',
      'modules',
      'net',
    ],
  },
  client: {
    path: 'client',
    role: 'the client commands of `elevate` (login, roles, activate, approvals…): the public HTTP API only, like any other client; the pure domain rules it reuses (the compliance checklist)',
    imports: ['domain'],
    // zod only for the tool schemas the MCP SDK's API takes (`elevate mcp`, ADR 0036).
    bans: [...persistence, ...edge, 'pino'],
  },
  cli: {
    path: 'cli',
    role: 'the `elevate` program: client commands (client/), and server-side commands that open use cases through modules/operator',
    imports: ['domain', 'app', 'config', 'modules', 'client', 'main'],
    bans: [...persistence, 'fastify'],
  },
  main: {
    path: 'main',
    role: 'the server process: configuration, logging, listening, shutdown',
    imports: ['domain', 'app', 'config', 'store', 'http', 'compose', 'modules'],
  },
};
