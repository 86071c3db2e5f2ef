import { ClientError, EXIT } from './exit-codes.js';

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/**
 * A duration as people type it (`2h`, `30m`, `1h30m`, `1d`) or as ISO 8601 (`PT2H`, `P1D`,
 * `PT1H30M`), in milliseconds, and the ISO 8601 form Graph's `scheduleInfo` takes.
 * @throws ClientError (usage) for anything else or a zero duration.
 */
export function parseDuration(text: string): { ms: number; iso: string } {
  const trimmed = text.trim();
  const ms = /^p/i.test(trimmed) ? isoMs(trimmed) : shortMs(trimmed);
  if (ms === undefined || ms <= 0) {
    throw new ClientError(
      `invalid duration "${text}": use a form like 2h, 30m, 1h30m, 1d or PT2H`,
      EXIT.usage,
    );
  }
  return { ms, iso: toIso(ms) };
}

function shortMs(text: string): number | undefined {
  if (!/^(\d+[dhms])+$/i.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.toLowerCase().matchAll(/(\d+)([dhms])/g)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return total;
}

function isoMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return (d ?? 0) * 86_400_000 + (h ?? 0) * 3_600_000 + (min ?? 0) * 60_000 + (s ?? 0) * 1000;
}

/** `PT2H30M`: hours, minutes and seconds only, as Graph writes activation durations. */
export function toIso(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}
