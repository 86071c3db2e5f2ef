/**
 * The one place that knows how values are stored: times as integer epoch milliseconds,
 * booleans as 0/1, JSON as text, ids as lower-case UUID text. Both SQLite and PostgreSQL store
 * exactly these forms, so nothing else in the store branches on the dialect.
 */
export const codecs = {
  bool: {
    encode: (v: boolean): number => (v ? 1 : 0),
    decode: (v: number | string | boolean): boolean => v === 1 || v === '1' || v === true,
  },
  time: {
    encode: (ms: number): number => {
      if (!Number.isSafeInteger(ms)) throw new RangeError(`not an epoch-ms integer: ${ms}`);
      return ms;
    },
    /** PostgreSQL returns BIGINT as a string; SQLite as a number. */
    decode: (v: number | string | bigint): number => {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isSafeInteger(n))
        throw new RangeError(`stored time is not an epoch-ms integer: ${String(v)}`);
      return n;
    },
  },
  optionalTime: {
    encode: (ms: number | null): number | null => (ms === null ? null : codecs.time.encode(ms)),
    decode: (v: number | string | bigint | null): number | null =>
      v === null ? null : codecs.time.decode(v),
  },
  json: {
    encode: (v: unknown): string => JSON.stringify(v),
    decode: <T>(v: string): T => JSON.parse(v) as T,
  },
  id: {
    encode: (v: string): string => v.toLowerCase(),
    decode: (v: string): string => v,
  },
} as const;
