/** A driver's error in one line an administrator can act on (no stack, no secrets). */
export function describeError(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return describeError(e.errors[0]);
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    const text = e.message.trim();
    // LDAP result errors carry their meaning in the name ("InvalidCredentialsError", " Code: 0x31").
    const msg =
      text === '' || text.startsWith('Code:')
        ? `${e.name}${text === '' ? '' : ` (${text})`}`
        : text === '' && typeof code === 'string'
          ? code
          : text;
    return msg.split('\n')[0]!.slice(0, 300);
  }
  return String(e).slice(0, 300);
}
