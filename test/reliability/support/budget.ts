/**
 * How much the reliability suite does. CI runs the bounded version (a few minutes on two cores,
 * both dialects together); `npm run test:reliability` sets `ELEVATE_RELIABILITY=long` for the long
 * one. `ELEVATE_RELIABILITY_SEED` replays a run: every random choice of the suite derives from it,
 * and each test prints the seed it used.
 */
export const LONG = process.env.ELEVATE_RELIABILITY === 'long';

export const SEED = Number(process.env.ELEVATE_RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));

export const BUDGET = LONG
  ? {
      /** kill -9 cycles per crash test, and writes in flight at once during a burst. */
      crashCycles: 6,
      burstConcurrency: 24,
      /** A kill lands after at least this many acknowledged writes of the cycle (then a random delay). */
      killAfterAcknowledged: 60,
      workers: 60,
      /** Rounds of each race. */
      raceRounds: 12,
      racingActivations: 50,
      /** Fuzz cases per operation: valid, invalid. */
      fuzzValid: 60,
      fuzzInvalid: 60,
      testTimeoutMs: 1_800_000,
    }
  : {
      crashCycles: 2,
      burstConcurrency: 16,
      killAfterAcknowledged: 25,
      workers: 16,
      raceRounds: 2,
      racingActivations: 50,
      fuzzValid: 4,
      fuzzInvalid: 4,
      testTimeoutMs: 240_000,
    };

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, chosen by `rnd`. */
export function pick<T>(rnd: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rnd() * items.length)]!;
}
