import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../domain/time/clock.js';
import type { ApiRateLimits } from './rate-limit.js';
import type { Services } from './services.js';

/**
 * What `buildApp` and every route plugin are given. A module of its own, so that route modules
 * never import `app.ts` (which imports them).
 */
export interface BuildOptions {
  clock: Clock;
  logger: Logger | false;
  publicUrl: string;
  services: Services;
  /** The features' route plugins, mounted in order (`src/modules/`). */
  routes: readonly RouteMount[];
  /** Mounts the embedded authorization server (token endpoint, discovery, JWKS). */
  registerAuthorizationServer?: (app: FastifyInstance) => Promise<void>;
  bodyLimitBytes?: number;
  /**
   * Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed
   * (`ELEVATE_TRUSTED_PROXIES`); empty or absent: none, `request.ip` is the TCP peer.
   */
  trustedProxies?: readonly string[];
  /** Per-principal limits of authenticated calls; default `DEFAULT_API_RATE_LIMITS`. */
  rateLimits?: ApiRateLimits;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  https?: { cert: Buffer; key: Buffer };
  /**
   * How long a client may take to send a whole request (headers and body) before it is answered
   * 408 and the connection closed. Default 30 s: Graph requests are small (1 MB at most).
   */
  requestTimeoutMs?: number;
  /**
   * The built portal (`dist/web`: `index.html` and hashed `assets/`), served at `/` and its
   * client-side routes (`src/http/portal.ts`); absent or not built: no portal.
   */
  portalDir?: string;
}

/** One route plugin and where it is mounted: `/v1.0` (also served as `/beta`), `/beta`, or none. */
export interface RouteMount {
  plugin: (opts: RouteOptions) => FastifyPluginAsync;
  prefix?: string;
}

/**
 * What a route plugin is given: the build options and the service root of the mount it serves.
 * A `/v1.0` plugin is mounted twice (`/v1.0` and `/beta`, as Graph serves both); each mount builds
 * its `@odata.context` URLs on its own root.
 */
export interface RouteOptions extends BuildOptions {
  /** `{publicUrl}{prefix}`, e.g. `https://pim.example/v1.0` or `https://pim.example/beta`. */
  serviceRoot: string;
}
