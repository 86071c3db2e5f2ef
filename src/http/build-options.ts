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
  routes: readonly { plugin: (opts: BuildOptions) => FastifyPluginAsync; prefix?: string }[];
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
}
