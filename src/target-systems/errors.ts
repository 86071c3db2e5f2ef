/** A driver's error in one line an administrator can act on (no stack, no secrets). */
export function describeError(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return describeError(e.errors[0]);
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    const msg = e.message === '' && typeof code === 'string' ? code : e.message;
    return msg.split('\n')[0]!.slice(0, 300);
  }
  return String(e).slice(0, 300);
}
