/**
 * Deterministic JSON for hashing: object keys sorted by UTF-16 code units (as RFC 8785 does), no
 * whitespace, `undefined` properties left out, numbers in ECMAScript's shortest form. The same
 * value always gives the same text, on every replica and in every later version, so a hash
 * computed today still verifies years later. Written as plain loops: every audit append runs it.
 * @throws TypeError for values JSON cannot carry exactly (non-finite numbers, bigint, functions…).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot carry ${value}`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? array(value) : object(value);
    default:
      throw new TypeError(`canonical JSON cannot carry a ${typeof value}`);
  }
}

function array(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0) out += ',';
    out += canonicalJson(items[i]);
  }
  return `${out}]`;
}

function object(value: object): string {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError('canonical JSON carries only plain objects and arrays');
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
