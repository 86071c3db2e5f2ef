import { randomUUID } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new lower-case UUID v4. Use cases receive this as a dependency so tests can fix ids. */
export const newId = (): string => randomUUID();

export const isGuid = (value: string): boolean => GUID.test(value);
