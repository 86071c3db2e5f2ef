import { z } from 'zod';

/**
 * A comma-separated list setting of addresses or networks (spaces and empty entries ignored): the
 * entries, or the first one `problem` finds wrong, named in the start-up error.
 */
export const addressListSetting = (problem: (entry: string) => string | undefined) =>
  z
    .string()
    .max(4096)
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
      for (const entry of entries) {
        const message = problem(entry);
        if (message !== undefined) {
          ctx.addIssue({ code: 'custom', message });
          return z.NEVER;
        }
      }
      return entries;
    });
