import { z } from 'zod';
import type { RateLimit } from '../domain/shared/rate-limit.js';

/**
 * A per-principal API rate limit: `<requests per second>[,<burst>]` (`50,500`), or `0` / `off`
 * for none. Without a burst, ten seconds' worth.
 */
export const rateLimitSetting = z
  .string()
  .max(64)
  .transform((text, ctx): RateLimit | null => {
    const value = text.trim().toLowerCase();
    if (value === '0' || value === 'off') return null;
    const m = /^(\d{1,7}(?:\.\d{1,3})?)\s*(?:,\s*(\d{1,8}))?$/.exec(value);
    const perSecond = Number(m?.[1]);
    const burst = m?.[2] === undefined ? Math.ceil(perSecond * 10) : Number(m[2]);
    if (m === null || !(perSecond > 0) || burst < 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be <requests per second>[,<burst>] with both above 0 (e.g. 50,500), or 0 / off',
      });
      return z.NEVER;
    }
    return { perSecond, burst };
  });
