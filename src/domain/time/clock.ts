/**
 * The only source of "now" in Elevate (DESIGN.md invariant 1). Times are epoch milliseconds.
 * Use cases read the clock once and pass `now` down, also into SQL filters.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand, to check `end - 1 ms` (holds) and `end` (does not). */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
